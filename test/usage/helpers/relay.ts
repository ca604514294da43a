/** `usage relay` of the built CLI as a child process, as it runs in production (signals included). */
import { spawn, type ChildProcess } from 'node:child_process';
import { builtCli } from './built-cli.js';

export interface RelayProcess {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stderr contains `text`. */
  waitFor(text: string | RegExp): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Kills the relays a failed test left running (afterAll), so jest can exit. */
export function killRelays(): void {
  for (const child of running) child.kill('SIGKILL');
}

export async function spawnRelay(args: string[], env: Record<string, string>): Promise<RelayProcess> {
  const cli = await builtCli();
  const child = spawn(process.execPath, [...cli, 'usage', 'relay', ...args], {
    env: { PATH: process.env.PATH, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let stderr = '';
  let stdout = '';
  const waiters: Array<() => void> = [];
  child.stderr!.on('data', (c) => { stderr += c; if (process.env.RELAY_DEBUG) process.stderr.write(c); waiters.forEach((w) => w()); });
  child.stdout!.on('data', (c) => { stdout += c; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    waitFor: (text) => new Promise<void>((resolve, reject) => {
      const check = () => {
        if (typeof text === 'string' ? stderr.includes(text) : text.test(stderr)) resolve();
      };
      waiters.push(check);
      check();
      void exited.then(() => reject(new Error(`relay exited before printing ${text}:\n${stderr}`)));
    }),
  };
}

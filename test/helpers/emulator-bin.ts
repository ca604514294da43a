// The built binary's `emulator` command in a child process, as a user or a CI job runs it
// (bin/ → dist/, built by test/global-setup.js).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import Stripe from 'stripe';
import { recordEnv } from './shapes/record-env.js';

const bin = resolve(import.meta.dirname, '../../bin/alpaca-billing.cjs');

export interface StartedBin {
  child: ChildProcess;
  url: string;
  readyLine: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Spawns `alpaca-billing emulator --port 0 ...args` and resolves once its ready line is on stdout. */
export function startBin(args: string[], cwd: string): Promise<StartedBin> {
  const child = spawn(process.execPath, [bin, 'emulator', '--port', '0', ...args], { cwd, env: { PATH: process.env.PATH, CI: 'true', ...recordEnv() } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return new Promise((res, rej) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /^.*(http:\/\/127\.0\.0\.1:\d+).*$/m.exec(stdout);
      if (m) res({ child, url: m[1], readyLine: m[0], stderr: () => stderr, exit });
    });
    void exit.then((code) => rej(new Error(`emulator exited (${code}) before its ready line: ${stderr}`)));
  });
}

/** The real SDK on a spawned emulator, without retries. */
export const sdkFor = (url: string, key = 'sk_test_command_test', options: Partial<Stripe.StripeConfig> = {}) => {
  const { hostname, port } = new URL(url);
  return new Stripe(key, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0, ...options });
};

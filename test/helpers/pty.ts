import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(root, 'bin/alpaca-billing.cjs');

export interface PtyOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The terminal's size; `columns: 0` leaves it unknown, as `script` in a pipeline has it. */
  columns?: number;
  rows?: number;
}

export interface PtyRun {
  /** Everything the terminal showed so far (stdout and stderr together, escape codes included). */
  readonly output: string;
  /** What the terminal showed, without escape codes. */
  readonly text: string;
  /** Resolves when the screen shows `pattern`; rejects (with the screen) after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** Types into the terminal (`\r` is Enter, `\x03` is Ctrl-C). */
  type(keys: string): void;
  /** Sends a signal to the CLI's own process (not to `script`). */
  signal(sig: NodeJS.Signals): Promise<void>;
  /** The CLI's exit code (`script -e` passes it on; 128+n for a signal). */
  exited: Promise<number>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** Strips colours, cursor moves and other escape sequences, and carriage returns. */
// eslint-disable-next-line no-control-regex -- escape sequences are what it removes
export const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b[()][0-9A-B]/g, '').replace(/\r/g, '');

/**
 * Runs the built CLI in a real pseudo-terminal, through util-linux `script`: stdin, stdout and
 * stderr are the terminal, with the given size, and keys typed go through the terminal's line
 * discipline (Ctrl-C is a SIGINT unless the program reads raw keys, as prompts do).
 */
export function runInPty(args: string[], options: PtyOptions): PtyRun {
  const { columns = 100, rows = 30 } = options;
  const size = columns > 0 ? `stty cols ${columns} rows ${rows}; ` : '';
  const command = `${size}exec ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}`;
  const env = { ...options.env, TERM: 'xterm-256color' } as NodeJS.ProcessEnv;
  delete env.CI;
  delete env.NO_COLOR;
  const child: ChildProcess = spawn('script', ['-qefc', command, '/dev/null'], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number>((done) => child.on('close', (code, sig) => {
    for (const w of waiters) w();
    done(code ?? 128 + (sig === 'SIGKILL' ? 9 : 15));
  }));
  let finished = false;
  void exited.then(() => { finished = true; });
  const run: PtyRun = {
    get output() { return output; },
    get text() { return plain(output); },
    waitFor(pattern, ms = 15000) {
      return new Promise((done, fail) => {
        const check = () => {
          if (pattern.test(plain(output))) { cleanup(); done(); }
          else if (finished) { cleanup(); fail(new Error(`exited before showing ${pattern}; the screen:\n${plain(output).slice(-2000)}`)); }
        };
        const timer = setTimeout(() => { cleanup(); fail(new Error(`no ${pattern} within ${ms} ms; the screen:\n${plain(output).slice(-2000)}`)); }, ms);
        const cleanup = () => { clearTimeout(timer); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    type(keys) {
      child.stdin!.write(keys);
    },
    async signal(sig) {
      const { readFile } = await import('node:fs/promises');
      const [pid] = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim().split(/\s+/);
      process.kill(Number(pid), sig);
    },
    exited,
  };
  return run;
}

import { PassThrough } from 'node:stream';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../src/cli/run.js';
import { MemorySink } from '../../src/output/output.js';

/** A long-running command (serve, tail --follow) run in-process, with output readable while it runs. */
export interface Background {
  stdout(): string;
  stderr(): string;
  /** Resolves once `predicate` holds for the output so far (checked on every write). */
  waitFor(predicate: (out: { stdout: string; stderr: string }) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Fires the command's signal (as Ctrl-C would) and resolves with its exit code. */
  stop(): Promise<number>;
  done: Promise<number>;
}

class WatchedSink extends MemorySink {
  constructor(private readonly onWrite: () => void) {
    super();
  }
  override write(text: string): boolean {
    super.write(text);
    this.onWrite();
    return true;
  }
}

export function runInBackground(args: string[], env: NodeJS.ProcessEnv): Background {
  const controller = new AbortController();
  const waiters = new Set<() => void>();
  const notify = () => { for (const w of [...waiters]) w(); };
  const stdout = new WatchedSink(notify);
  const stderr = new WatchedSink(notify);
  const stdin = new PassThrough();
  stdin.end('');
  const done = runCli(args, { stdout, stderr, stdin, env: { CI: 'true', ...env }, cwd: process.cwd(), signal: controller.signal });
  done.then(notify, notify);
  let finished = false;
  done.finally(() => { finished = true; notify(); });
  const out = () => ({ stdout: stdout.text, stderr: stderr.text });
  return {
    stdout: () => stdout.text,
    stderr: () => stderr.text,
    done,
    waitFor: (predicate, what, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (predicate(out())) {
            cleanup();
            resolve();
          } else if (finished) {
            cleanup();
            reject(new Error(`command ended before ${what}\nstdout:\n${stdout.text}\nstderr:\n${stderr.text}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}\nstdout:\n${stdout.text}\nstderr:\n${stderr.text}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    stop: async () => {
      controller.abort();
      return done;
    },
  };
}

/** Starts `webhooks serve --port 0 …` and returns it with the URL it listens on. */
export async function startServe(extraArgs: string[], env: NodeJS.ProcessEnv): Promise<Background & { url: string }> {
  const bg = runInBackground(['webhooks', 'serve', '--port', '0', ...extraArgs], env);
  await bg.waitFor(({ stderr }) => /listening on http:\/\/\S+/.test(stderr), 'the receiver to listen');
  const url = /listening on (http:\/\/[^\s,]+)/.exec(bg.stderr())![1];
  return Object.assign(bg, { url });
}

export interface Received {
  body: Buffer;
  headers: IncomingHttpHeaders;
}

/** A stand-in for the user's application behind --forward-to: records what it gets, answers `status`. */
export async function startApp(status = 200): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/stripe`,
    received,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

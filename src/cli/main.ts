/**
 * The CLI bundle's entry (dist/bundle/alpaca-billing.cjs), which bin/alpaca-billing.cjs loads.
 * `--version` never gets here: the bin answers it without loading the bundle.
 */
import { runCli } from './run.js';

export { runCli };

/** Runs the CLI on this process: real streams, Ctrl-C aborts the command, a second one exits. */
export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      controller.abort();
    });
  }
  // A reader that goes away (`alpaca-billing --help | head -3`) ends the command without a stack
  // trace, with the exit code a shell gives a command killed by SIGPIPE: the output was cut short.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(141);
  });
  process.exitCode = await runCli(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: opening stdin costs start-up time, and only `usage ingest -` reads it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
}

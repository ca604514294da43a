/**
 * The CLI bundle's entry (dist/bundle/alpaca-billing.cjs), which bin/alpaca-billing.cjs loads.
 * `--version` never gets here: the bin answers it without loading the bundle.
 */
import { runCli } from './run.js';

export { runCli };

/** How long SIGTERM lets a command finish its work in flight before the process ends anyway. */
const TERM_GRACE_MS = 3000;

/**
 * Runs the CLI on this process: real streams and signals.
 * - Ctrl-C (SIGINT) ends a command at once, exit 130, unless the command declared that it stops by
 *   itself (`ctx.interruptible()`: apply's steps, ingest's batches, the servers): then it is told
 *   through its signal, finishes the work in flight and reports; a second Ctrl-C ends it at once.
 * - SIGTERM does the same, but never waits more than a few seconds: it must always end the process.
 */
export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  const interrupts = { graceful: false };
  let signals = 0;
  const cancelNow = (code: number, sig: NodeJS.Signals) => {
    process.stderr.write(sig === 'SIGINT' ? '\ncancelled.\n' : `\nended by ${sig}.\n`);
    process.exit(code);
  };
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(sig, () => {
      signals++;
      if (signals > 1 || !interrupts.graceful) cancelNow(code, sig);
      controller.abort(sig);
      if (sig === 'SIGTERM') setTimeout(() => cancelNow(code, sig), TERM_GRACE_MS).unref();
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
    interrupts,
  });
}

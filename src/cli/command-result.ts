import { ExitCode } from '../errors.js';
import type { Output } from '../output/output.js';

/**
 * What a command returns: its `data`, which is the `--json` document (snake_case keys, times as the
 * README's JSON table documents them), and how to show it to a person. The entry point prints one or
 * the other (`printResult`), so no command decides between JSON and text, and tests can assert on data.
 *
 * Streams are the exception: `events tail`, `webhooks serve` and `usage relay` print NDJSON as events
 * arrive, and the servers (`emulator`, `serve-example`) announce themselves and keep running; they
 * write as they go and return only an exit code.
 */
export interface CommandResult<D = unknown> {
  data: D;
  /** The human view: lines on stdout through `out.line`, notes on stderr. Absent: nothing to show. */
  render?: (out: Output) => void;
  /** Default 0. */
  exitCode?: number;
}

/** What a command's action resolves to: a result to print, or just an exit code (undefined: 0). */
export type CommandOutcome = CommandResult | number | void;

/** Prints a command's outcome, the one place that does, and returns the exit code. */
export function printResult(outcome: CommandOutcome, out: Output): number {
  if (outcome === undefined) return ExitCode.ok;
  if (typeof outcome === 'number') return outcome;
  if (out.json) out.data(outcome.data);
  else outcome.render?.(out);
  return outcome.exitCode ?? ExitCode.ok;
}

import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/run.js';
import { MemorySink } from '../../src/output/output.js';
import type { Prompter } from '../../src/output/prompt.js';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Text fed to stdin (for `-` file arguments). */
  stdin?: string;
  prompter?: Prompter;
  signal?: AbortSignal;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws if it is not one JSON document). */
  json<T = any>(): T;
}

/**
 * Runs the CLI in-process, as a user would type it, with captured output. The environment is
 * exactly `options.env` (nothing leaks in from the test runner's own), plus CI=true so nothing prompts.
 */
export async function run(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const stdout = new MemorySink();
  const stderr = new MemorySink();
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const code = await runCli(args, {
    stdout,
    stderr,
    stdin,
    env: { CI: 'true', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    prompter: options.prompter,
    signal: options.signal,
  });
  return {
    code,
    stdout: stdout.text,
    stderr: stderr.text,
    json: () => JSON.parse(stdout.text),
  };
}

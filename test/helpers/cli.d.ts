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
export declare function run(args: string[], options?: RunOptions): Promise<RunResult>;

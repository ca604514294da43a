import { type IncomingHttpHeaders } from 'node:http';
/** A long-running command (serve, tail --follow) run in-process, with output readable while it runs. */
export interface Background {
    stdout(): string;
    stderr(): string;
    /** Resolves once `predicate` holds for the output so far (checked on every write). */
    waitFor(predicate: (out: {
        stdout: string;
        stderr: string;
    }) => boolean, what: string, timeoutMs?: number): Promise<void>;
    /** Fires the command's signal (as Ctrl-C would) and resolves with its exit code. */
    stop(): Promise<number>;
    done: Promise<number>;
}
export declare function runInBackground(args: string[], env: NodeJS.ProcessEnv): Background;
/** Starts `webhooks serve --port 0 …` and returns it with the URL it listens on. */
export declare function startServe(extraArgs: string[], env: NodeJS.ProcessEnv): Promise<Background & {
    url: string;
}>;
export interface Received {
    body: Buffer;
    headers: IncomingHttpHeaders;
}
/** A stand-in for the user's application behind --forward-to: records what it gets, answers `status`. */
export declare function startApp(status?: number): Promise<{
    url: string;
    received: Received[];
    close(): Promise<void>;
}>;

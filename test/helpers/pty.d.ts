export declare const BIN: string;
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
/** Strips colours, cursor moves and other escape sequences, and carriage returns. */
export declare const plain: (s: string) => string;
/**
 * Runs the built CLI in a real pseudo-terminal, through util-linux `script`: stdin, stdout and
 * stderr are the terminal, with the given size, and keys typed go through the terminal's line
 * discipline (Ctrl-C is a SIGINT unless the program reads raw keys, as prompts do).
 */
export declare function runInPty(args: string[], options: PtyOptions): PtyRun;

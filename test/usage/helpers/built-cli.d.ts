/** The command line of the built CLI, as users run it (test/global-setup.js keeps dist/ current). */
export declare function builtCli(): Promise<string[]>;

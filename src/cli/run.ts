import { Command, CommanderError } from 'commander';
import { CancelledError, ConfigError, ExitCode, StripeApiError, UserError, isStripeSdkError } from '../errors.js';
import { loadSettingsFile, resolveSettings, type GlobalOptions } from '../config/settings.js';
import { Output, type Sink } from '../output/output.js';
import { createPrompter, type Prompter } from '../output/prompt.js';
import { createStripeClient, type StripeClient } from '../stripe/client.js';
import { printResult, type CommandOutcome } from './command-result.js';
import { connectStripe, keyMode, type CommandContext } from './context.js';
import { buildProgram } from './program.js';

/** Everything the CLI touches of the outside world; tests pass their own. */
export interface CliIO {
  stdout: Sink;
  stderr: Sink;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Override the prompter (tests script answers); default asks on a TTY. */
  prompter?: Prompter;
  signal?: AbortSignal;
  /** Set by `ctx.interruptible()`: the entry point then leaves Ctrl-C to the command (see main.ts). */
  interrupts?: { graceful: boolean };
}

/** A command implementation: returns its result (data and how to render it) or an exit code (default 0). */
export type CommandAction<O> = (ctx: CommandContext, options: O, ...positionals: string[]) => Promise<CommandOutcome>;

/**
 * Wraps a lazily imported command so commander hands it a context. The created context is built from
 * the global flags (`optsWithGlobals`), the settings file and the environment.
 */
export type Act = <O>(load: () => Promise<CommandAction<O>>, options?: ActOptions) => (...args: unknown[]) => Promise<void>;

export interface ActOptions {
  /** false: the command ignores the settings file and the environment's settings (`demo` is self-contained). */
  settings?: boolean;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let exitCode: number = ExitCode.ok;
  // --json is known before settings are read, so a bad settings file is a JSON document too.
  const dashes = argv.indexOf('--');
  const json = (dashes === -1 ? argv : argv.slice(0, dashes)).includes('--json');
  let out = new Output({ stdout: io.stdout, stderr: io.stderr, env: io.env, json });
  let apiBase: string | undefined;
  const act: Act = (load, { settings: readSettings = true } = {}) => async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.opts();
    const globals = command.optsWithGlobals() as GlobalOptions;
    const positionals = args.slice(0, -2).flat().filter((a): a is string => typeof a === 'string');
    const settingsFile = readSettings ? await loadSettingsFile(io.cwd) : {};
    const settings = resolveSettings(globals, settingsFile, readSettings ? io.env : {});
    apiBase = settings.apiBase ?? 'https://api.stripe.com';
    out = new Output({ stdout: io.stdout, stderr: io.stderr, env: io.env, json: settings.json, quiet: settings.quiet, verbose: settings.verbose, color: settings.color });
    let client: Promise<StripeClient> | undefined;
    // stdin last: the first look at process.stdin opens it (a few ms most commands need not pay).
    const interactive = Boolean(io.stderr.isTTY) && !io.env.CI && Boolean((io.stdin as { isTTY?: boolean } | undefined)?.isTTY);
    const signal = io.signal ?? new AbortController().signal;
    const ctx: CommandContext = {
      settings,
      out,
      prompt: io.prompter ?? createPrompter({ interactive, signal }),
      env: io.env,
      cwd: io.cwd,
      get stdin() {
        return io.stdin;
      },
      signal,
      interruptible: () => {
        if (io.interrupts) io.interrupts.graceful = true;
        return signal;
      },
      stripe: () => (client ??= connectStripe({ settings, create: (apiKey, apiBase) => createStripeClient({ apiKey, apiBase }) })),
      mode: () => keyMode(settings),
    };
    const run = await load();
    exitCode = printResult(await run(ctx, options as never, ...positionals), out);
  };

  const program = buildProgram(act, { argv });
  // Subcommands copy these settings only when created, so set them on every command of the tree:
  // otherwise a bad flag on `validate` calls process.exit(1) and writes to the real stderr.
  const everyCommand = (c: Command): Command[] => [c, ...c.commands.flatMap(everyCommand)];
  for (const command of everyCommand(program)) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    out.stopSpinners();
    return reportError(err, out, { apiBase });
  } finally {
    out.stopSpinners();
  }
}

/** File system errors that come from what the user pointed at (a file where a folder belongs, no permission). */
const PATH_ERRORS: Record<string, string> = {
  ENOTDIR: 'a part of that path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
};

/** Maps an error to its exit code and prints it as the user should see it: one clear line, no stack. */
export function reportError(err: unknown, out: Output, context: { apiBase?: string } = {}): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    // commander already printed its message; unknown flags and missing arguments are invalid input.
    if (out.json) out.data({ ok: false, error: { type: 'usage', message: err.message.replace(/^error: /, '') } });
    return ExitCode.invalidInput;
  }
  if (err instanceof ConfigError) {
    if (out.json) out.data({ ok: false, error: { type: 'config', message: err.message, problems: err.problems } });
    else {
      for (const p of err.problems) out.error(`${p.file}:${p.line}:${p.col}  ${p.path || '(root)'}  ${p.message}${p.hint ? `\n    hint: ${p.hint}` : ''}`);
      out.error(err.message);
    }
    return err.exitCode;
  }
  if (err instanceof CancelledError) {
    if (out.json) out.data({ ok: false, error: { type: 'cancelled', message: err.message, hint: err.hint } });
    else out.cancelled(err.message + (err.hint ? `\n  hint: ${err.hint}` : ''));
    return err.exitCode;
  }
  if (err instanceof UserError) {
    if (out.json) out.data({ ok: false, error: { type: 'user', message: err.message, hint: err.hint } });
    else out.error(err.message + (err.hint ? `\n  hint: ${err.hint}` : ''));
    return err.exitCode;
  }
  const fsErr = err as NodeJS.ErrnoException;
  if (typeof fsErr?.code === 'string' && Object.hasOwn(PATH_ERRORS, fsErr.code) && typeof fsErr.path === 'string') {
    return reportError(new UserError(`Cannot ${fsErr.syscall ?? 'use'} ${fsErr.path}: ${PATH_ERRORS[fsErr.code]}.`), out);
  }
  const apiErr = err instanceof StripeApiError ? err : isStripeSdkError(err) ? new StripeApiError(err) : undefined;
  if (apiErr?.type === 'StripeConnectionError') {
    // The SDK says "An error occurred with our connection to Stripe", even when the API base is an
    // emulator: say where we tried, what the network said, and what to check.
    const detail = (apiErr.cause as { detail?: { code?: string } } | undefined)?.detail?.code;
    const retried = /retried (\d+) times?/.exec(apiErr.message);
    const where = context.apiBase ?? 'Stripe';
    const message = `cannot reach ${where}${detail ? ` (${detail})` : ''}${retried ? ` after ${Number(retried[1]) + 1} attempts` : ''}.`;
    const hint = where.startsWith('https://api.stripe.com') ? 'Check the network (and any proxy).' : 'Is the server running? Check --api-base / STRIPE_API_BASE (or the profile\'s api_base).';
    if (out.json) out.data({ ok: false, error: { type: 'stripe', stripe_type: apiErr.type, message, hint } });
    else out.error(`${message}\n  hint: ${hint}`);
    return ExitCode.error;
  }
  if (apiErr) {
    const parts = [apiErr.type, apiErr.code].filter(Boolean).join('/');
    const param = apiErr.param ? ` (param: ${apiErr.param})` : '';
    if (out.json) out.data({ ok: false, error: { type: 'stripe', stripe_type: apiErr.type, code: apiErr.code, param: apiErr.param, message: apiErr.message, request_id: apiErr.requestId } });
    else out.error(`Stripe ${parts ? `${parts}: ` : ''}${apiErr.message}${param}${apiErr.requestId ? ` [${apiErr.requestId}]` : ''}`);
    return ExitCode.error;
  }
  const e = err as Error;
  if (out.json) out.data({ ok: false, error: { type: 'internal', message: e?.message ?? String(err), hint: 'This is a bug in alpaca-billing; please report it with the command you ran.' } });
  out.error(`internal error: ${e?.message ?? String(err)}\n  This is a bug in alpaca-billing; please report it with the command you ran.${out.verbose && e?.stack ? `\n${e.stack}` : ''}`);
  return ExitCode.error;
}

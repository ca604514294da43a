/**
 * The few error classes the CLI distinguishes. The entry point maps them to exit codes
 * (documented in the README); only it calls process.exit.
 */

export const ExitCode = {
  ok: 0,
  /** Stripe API, network or internal error. */
  error: 1,
  /** `plan --detailed-exitcode` with changes pending. */
  changesPending: 2,
  /** Invalid input (config file, flags, data files) or a refusal for safety. */
  invalidInput: 3,
  /** Cancelled by the user (Ctrl-C, at a prompt or mid-work), as a shell reports a command ended by SIGINT. */
  cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The user's fault: printed as one line plus an optional hint, never with a stack. Exit 3. */
export class UserError extends Error {
  readonly hint?: string;
  readonly exitCode: ExitCodeValue;
  constructor(message: string, options: { hint?: string; exitCode?: ExitCodeValue; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.invalidInput;
  }
}

export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted YAML path, e.g. `products.alpaca_ai.prices.tokens_monthly.currency`. */
  path: string;
  message: string;
  hint?: string;
}

/** An invalid pricing file or settings file: every problem at once. Exit 3. */
export class ConfigError extends UserError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], summary?: string) {
    super(summary ?? `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${problems[0]?.file ?? 'config'}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * The user cancelled (Ctrl-C at a prompt, or mid-work once the work in flight has settled): their
 * decision, not a failure. Printed as one line saying what was and was not done. Exit 130.
 */
export class CancelledError extends UserError {
  constructor(message = 'Cancelled.', options: { hint?: string } = {}) {
    super(message, { hint: options.hint, exitCode: ExitCode.cancelled });
    this.name = 'CancelledError';
  }
}

/** A failed Stripe call, with the SDK error as `cause`. Exit 1. */
export class StripeApiError extends Error {
  readonly type?: string;
  readonly code?: string;
  readonly param?: string;
  readonly statusCode?: number;
  readonly requestId?: string;
  constructor(cause: { message?: string; rawType?: string; type?: string; code?: string; param?: string; statusCode?: number; requestId?: string }) {
    super(cause.message ?? 'Stripe request failed', { cause });
    this.name = 'StripeApiError';
    this.type = cause.rawType ?? cause.type;
    this.code = cause.code;
    this.param = cause.param;
    this.statusCode = cause.statusCode;
    this.requestId = cause.requestId;
  }
}

/** True for errors thrown by the stripe SDK (they all carry a `type` starting with `Stripe`). */
export function isStripeSdkError(err: unknown): err is { type: string; rawType?: string; message: string; code?: string; param?: string; statusCode?: number; requestId?: string } {
  return typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string' && (err as { type: string }).type.startsWith('Stripe');
}

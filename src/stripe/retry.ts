/**
 * One retry policy for every call to Stripe: which failures are worth retrying, how long to wait
 * (exponential backoff with jitter), and an abortable wait. Used by reconcile's throttle, usage
 * ingest's stream sender, the relay and `events tail --follow`.
 */

const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

interface ErrorLike {
  statusCode?: number;
  type?: string;
  code?: string;
  message?: string;
  headers?: Record<string, string>;
}

/**
 * Why `err` is worth retrying, or undefined when it would fail the same way again (a 400 for bad
 * parameters, an auth error). Transient: rate limits (429, or Stripe's 400 `rate_limit`), conflicts
 * (409: a concurrent request with the same idempotency key, `lock_timeout`), server errors, an
 * answer that could not be read, and dropped connections; unless Stripe says `Stripe-Should-Retry: false`.
 */
export function retryReason(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as ErrorLike;
  if (e.headers?.['stripe-should-retry'] === 'false') return undefined;
  const status = e.statusCode;
  if (e.type === 'StripeRateLimitError' || status === 429 || e.code === 'rate_limit') return 'rate limited (429)';
  if (e.type === 'StripeConnectionError' || (e.code && CONNECTION_CODES.has(e.code))) return `connection problem: ${String(e.message ?? e.code ?? '')}`;
  if (e.code === 'lock_timeout') return 'lock timeout';
  if (status !== undefined && (status >= 500 || status === 409)) return `Stripe answered ${status}`;
  if (status === undefined && e.type === 'StripeAPIError') return 'an unreadable answer';
  return undefined;
}

export const isRetryable = (err: unknown): boolean => retryReason(err) !== undefined;

export interface Backoff {
  /** The first wait (ms); it doubles with each failure. */
  baseMs: number;
  /** The longest wait (ms). */
  maxMs: number;
}

/** The wait before retry number `attempt` (1 for the first): doubling, capped, with jitter (50–100 %). */
export function backoffMs(attempt: number, { baseMs, maxMs }: Backoff, random: () => number = Math.random): number {
  return Math.round(Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 30)) * (0.5 + random() / 2));
}

/** Resolves after `ms`, or at once when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryOptions extends Partial<Backoff> {
  /** Attempts after the first (default 6). */
  retries?: number;
  isRetryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  /** For tests: how to wait (default: sleep). */
  sleep?: (ms: number) => Promise<void>;
}

/** Runs `fn`, retrying retryable failures with backoff (500 ms doubling to 8 s by default). */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 6;
  const backoff = { baseMs: options.baseMs ?? 500, maxMs: options.maxMs ?? 8000 };
  const retryable = options.isRetryable ?? isRetryable;
  const wait = options.sleep ?? ((ms: number) => sleep(ms, options.signal));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt > retries || !retryable(err) || options.signal?.aborted) throw err;
      const delay = backoffMs(attempt, backoff);
      options.onRetry?.(err, attempt, delay);
      await wait(delay);
    }
  }
}

/**
 * A client-side rate limiter and retry policy for bulk Stripe work (apply, backfills). Generic: it
 * knows nothing of what the calls do, only how to space them and which failures are worth retrying.
 * Requests are spaced evenly (one per 1/rps s) rather than in bursts, so a server-side limit of the
 * same rate is never tripped by a burst at the start of a second.
 */
import PQueue from 'p-queue';

export interface ThrottleOptions {
  /** Requests per second (> 0). */
  rps: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  retry?: RetryOptions;
}

export interface ThrottleStats {
  /** Every attempt sent, retries included. */
  requests: number;
  /** Attempts that failed (and were retried, or gave up). */
  failures: number;
  retries: number;
}

export interface Throttle {
  /** Runs `fn` when the limiter allows, retrying retryable failures (each attempt re-queued). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  readonly stats: ThrottleStats;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
}

export function createThrottle(options: ThrottleOptions): Throttle {
  if (!(options.rps > 0)) throw new Error(`rps must be > 0, got ${options.rps}`);
  const queue = new PQueue({ concurrency: options.concurrency ?? 8, intervalCap: 1, interval: 1000 / options.rps, strict: true });
  const stats: ThrottleStats = { requests: 0, failures: 0, retries: 0 };
  return {
    stats,
    run: (fn) =>
      withRetry(
        () =>
          queue.add(async () => {
            stats.requests++;
            try {
              return await fn();
            } catch (err) {
              stats.failures++;
              throw err;
            }
          }),
        { ...options.retry, onRetry: (err, attempt, delay) => { stats.retries++; options.retry?.onRetry?.(err, attempt, delay); } },
      ),
    idle: () => queue.onIdle(),
  };
}

export interface RetryOptions {
  /** Attempts after the first (default 6). */
  retries?: number;
  /** First backoff in ms (default 500); doubles each time, up to `maxDelayMs` (default 8000), with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  isRetryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  /** For tests: how to wait (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 6;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 8000;
  const retryable = options.isRetryable ?? isRetryableError;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt > retries || !retryable(err) || options.signal?.aborted) throw err;
      const delay = Math.round(Math.min(max, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
      options.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}

const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * Rate limits (429, or Stripe's 400 `rate_limit`), conflicts (409: a concurrent request with the same
 * idempotency key, lock timeouts), server errors and dropped connections are transient; anything
 * else (a 400 for bad parameters, an auth error) would fail the same way again.
 */
export function isRetryableError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { statusCode?: number; type?: string; code?: string; headers?: Record<string, string> };
  if (e.headers?.['stripe-should-retry'] === 'false') return false;
  if (e.type === 'StripeConnectionError' || e.type === 'StripeRateLimitError') return true;
  if (e.code === 'rate_limit' || e.code === 'lock_timeout') return true;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  const status = e.statusCode;
  return status === 429 || status === 409 || (status !== undefined && status >= 500);
}

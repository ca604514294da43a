/**
 * The rate limiter and retry policy (./retry.ts) applied to bulk Stripe work (apply, migrations).
 * Generic: it knows nothing of what the calls do, only how to space them and which failures are worth retrying.
 * Requests are spaced evenly (one per 1/rps s) rather than in bursts, so a server-side limit of the
 * same rate is never tripped by a burst at the start of a second.
 */
import PQueue from 'p-queue';
import { RateLimiter } from './rate-limiter.js';
import { withRetry, type RetryOptions } from './retry.js';

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
  // p-queue bounds the requests in flight; the limiter spaces their starts.
  const queue = new PQueue({ concurrency: options.concurrency ?? 8 });
  const limiter = new RateLimiter(options.rps);
  const stats: ThrottleStats = { requests: 0, failures: 0, retries: 0 };
  return {
    stats,
    run: (fn) =>
      withRetry(
        () =>
          queue.add(async () => {
            await limiter.acquire(options.retry?.signal);
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

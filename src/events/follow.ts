/**
 * `--follow`: poll a feed until the signal fires. Rate limits (429), timeouts and Stripe's 5xx are
 * waited out with exponential backoff, because a monitor that dies on the first hiccup is useless;
 * anything else (a bad key, a bad parameter) ends the loop with the error.
 */
import type { FeedItem } from './feed.js';

export interface Pollable {
  poll(): Promise<FeedItem[]>;
}

export interface FollowOptions {
  intervalMs: number;
  signal: AbortSignal;
  /** First wait after a failure (default: the poll interval, at least 1 s); doubles per failure. */
  retryBaseMs?: number;
  /** Longest wait between attempts while Stripe keeps failing. */
  maxBackoffMs?: number;
  onItems(items: FeedItem[]): void;
  onRetry?(reason: string, delayMs: number): void;
}

/** Resolves after `ms`, or at once when the signal fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Errors worth waiting out: the SDK's rate-limit and connection errors, 409 and 5xx. */
export function transientReason(err: unknown): string | undefined {
  const e = err as { type?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (e.type === 'StripeRateLimitError' || status === 429) return 'rate limited (429)';
  if (e.type === 'StripeConnectionError') return `connection problem: ${String(e.message ?? '')}`;
  if (status !== undefined && (status >= 500 || status === 409)) return `Stripe answered ${status}`;
  return undefined;
}

export function backoffDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

export async function followFeed(feed: Pollable, options: FollowOptions): Promise<void> {
  const { signal, intervalMs } = options;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  let failures = 0;
  let wait = intervalMs;
  while (!signal.aborted) {
    await sleep(wait, signal);
    if (signal.aborted) break;
    try {
      const items = await feed.poll();
      failures = 0;
      wait = intervalMs;
      if (items.length) options.onItems(items);
    } catch (err) {
      const reason = transientReason(err);
      if (!reason) throw err;
      failures += 1;
      wait = backoffDelay(failures, options.retryBaseMs ?? Math.max(intervalMs, 1000), maxBackoffMs);
      options.onRetry?.(reason, wait);
    }
  }
}

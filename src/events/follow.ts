/**
 * `--follow`: poll a feed until the signal fires. Rate limits (429), timeouts and Stripe's 5xx are
 * waited out with exponential backoff, because a monitor that dies on the first hiccup is useless;
 * anything else (a bad key, a bad parameter) ends the loop with the error.
 */
import { backoffMs, retryReason, sleep } from '../stripe/retry.js';
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
      const reason = retryReason(err);
      if (!reason) throw err;
      failures += 1;
      wait = backoffMs(failures, { baseMs: options.retryBaseMs ?? Math.max(intervalMs, 1000), maxMs: maxBackoffMs });
      options.onRetry?.(reason, wait);
    }
  }
}

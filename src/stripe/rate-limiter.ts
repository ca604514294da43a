/**
 * One client-side rate limiter, and one table of Stripe's request limits. Requests are spaced
 * 1/rps apart (no bursts), which keeps us under a per-second limit however Stripe measures its
 * second. rps 0 means unlimited.
 */
import { sleep } from './retry.js';

/**
 * Stripe's documented limits per second (docs.stripe.com/rate-limits; shared/docs/stripe-billing-facts.md §7):
 * 25 requests in test mode and sandboxes, 100 in live mode; the v2 meter event stream takes 10,000 in
 * live mode and counts against the basic limit in test mode.
 */
export const STRIPE_LIMITS = { test: { api: 25, meterEventStream: 25 }, live: { api: 100, meterEventStream: 10_000 } } as const;

/**
 * What we send by default. Bulk API work (apply, migrations) keeps a fifth of the basic limit free
 * for the account's other clients (the user's own servers share it); the meter event stream is ours
 * alone to fill.
 */
export function defaultRps(mode: 'test' | 'live' | undefined, traffic: 'api' | 'meterEventStream'): number {
  const limit = STRIPE_LIMITS[mode ?? 'test'][traffic];
  return traffic === 'api' ? Math.floor(limit * 0.8) : limit;
}

export class RateLimiter {
  private next = 0;
  private gapMs = 0;

  constructor(rps: number, private readonly clock: () => number = () => performance.now()) {
    this.rps = rps;
  }

  /** Requests per second (0: no limit); may change while requests wait (a share of a limit that several processes split). */
  get rps(): number {
    return this.gapMs === 0 ? 0 : 1000 / this.gapMs;
  }

  set rps(rps: number) {
    this.gapMs = rps > 0 ? 1000 / rps : 0;
  }

  /** Resolves when the caller may send one request. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await sleep(wait, signal);
  }

  /** Takes the next free slot; returns how long to wait for it (ms). */
  reserve(): number {
    if (this.gapMs === 0) return 0;
    const now = this.clock();
    const slot = Math.max(now, this.next);
    this.next = slot + this.gapMs;
    return slot - now;
  }
}

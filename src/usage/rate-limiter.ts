/**
 * A client-side request rate limiter: requests are spaced 1/rps apart (no bursts), which keeps
 * us under a per-second limit however Stripe measures its second. rps 0 means unlimited.
 */
export class RateLimiter {
  private next = 0;
  private readonly gapMs: number;

  constructor(readonly rps: number, private readonly clock: () => number = () => performance.now()) {
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

/** Stripe's documented limits: test mode counts meter events against the basic 25 requests/s; live, the stream takes 10,000 requests/s. */
export function defaultMaxRps(mode: 'test' | 'live' | undefined): number {
  return mode === 'live' ? 10_000 : 25;
}

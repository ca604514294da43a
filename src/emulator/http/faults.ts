import type { Random } from '../random.js';

export type Fault = 'error-500' | 'error-503' | 'drop-before' | 'drop-after-commit';

const FAULTS: Fault[] = ['error-500', 'error-503', 'drop-before', 'drop-after-commit'];

/**
 * Decides, per request, whether to misbehave: with probability `rate`, one of four faults chosen
 * evenly. `drop-after-commit` runs the handler (the write happens) and then cuts the connection, so
 * the client never hears the answer and only an idempotent retry tells it what happened.
 */
export function pickFault(rate: number, random: Random): Fault | undefined {
  if (rate <= 0) return undefined;
  if (random.next() >= rate) return undefined;
  return FAULTS[Math.floor(random.next() * FAULTS.length)];
}

/** Fixed one-second windows on the real clock (an injected test clock may stand still). */
export class RateLimiter {
  private windowStart = 0;
  private count = 0;

  constructor(private readonly perSecond: number) {}

  /** True when this request is over the limit. */
  exceeded(): boolean {
    if (this.perSecond <= 0) return false;
    const now = performance.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count++;
    return this.count > this.perSecond;
  }
}

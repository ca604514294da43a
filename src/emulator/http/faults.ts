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

/**
 * A token bucket on the real clock (an injected test clock may stand still): `perSecond` tokens,
 * refilled at `perSecond` a second. A client spaced evenly at the limit never runs dry, whatever the
 * jitter of its arrivals; fixed one-second windows refused such a client whenever request N+1 came
 * in a millisecond early. A burst gets `perSecond` through, then the refill rate.
 */
export class RateLimiter {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  /** True when this request is over the limit. */
  exceeded(): boolean {
    if (this.perSecond <= 0) return false;
    const now = performance.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return true;
    this.tokens -= 1;
    return false;
  }
}

/**
 * What plan, apply and pull share: the guarded client (live keys refused before any call), the
 * rate limiter every call goes through, and the account's mode and API base for the header.
 */
import type { CommandContext } from './context.js';
import type { StripeClient } from '../stripe/client.js';
import { createThrottle, type Throttle } from '../stripe/throttle.js';
import { defaultRps } from '../stripe/rate-limiter.js';
import type { Caller } from '../reconcile/resources/kind.js';

export interface Session {
  client: StripeClient;
  throttle: Throttle;
  call: Caller;
  mode: 'test' | 'live';
  apiBase: string;
}



export async function openSession(ctx: CommandContext, options: { maxRps?: number } = {}): Promise<Session> {
  const client = await ctx.stripe();
  const mode = ctx.mode() ?? 'test';
  const rps = options.maxRps ?? defaultRps(mode, 'api');
  const throttle = createThrottle({
    rps,
    // Enough requests in flight to reach the rate at Stripe's typical ~0.5 s per request.
    concurrency: Math.min(64, Math.max(8, Math.ceil(rps / 2))),
    retry: { signal: ctx.signal, onRetry: (err, attempt, delay) => ctx.out.debug(`retry ${attempt} in ${delay} ms after: ${(err as Error)?.message ?? String(err)}`) },
  });
  return { client, throttle, call: (fn) => throttle.run(fn), mode, apiBase: ctx.settings.apiBase ?? 'https://api.stripe.com' };
}

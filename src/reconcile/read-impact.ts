/**
 * Reads the usage that plan impact prices: for each live subscription on a price leaving service,
 * the meter's total for its customer over the item's current period so far (one summary call per
 * subscription, through the caller's rate limiter), or the item's quantity for a licensed price.
 */
import type Stripe from 'stripe';
import type { StripeClient } from '../stripe/client.js';
import type { SubscriptionUsage } from './impact.js';
import { NO_SDK_RETRIES, type Caller } from './resources/kind.js';

export interface ReadImpactOptions {
  client: StripeClient;
  call: Caller;
  /** Called after each subscription's usage is read. */
  onProgress?: (done: number, total: number) => void;
}

// Stripe summarises whole minutes: both ends round down, as `usage summary` does (a period starting
// mid-minute loses the seconds before it, which only events sent before the subscription could use).
const minute = (t: number) => Math.floor(t / 60) * 60;

export async function readImpactUsage(options: ReadImpactOptions, subscriptionsByPrice: Record<string, Stripe.Subscription[]>): Promise<Record<string, SubscriptionUsage[]>> {
  const { client, call, onProgress } = options;
  const total = Object.values(subscriptionsByPrice).reduce((n, subs) => n + subs.length, 0);
  let done = 0;
  const out: Record<string, SubscriptionUsage[]> = {};
  await Promise.all(
    Object.entries(subscriptionsByPrice).map(async ([priceId, subs]) => {
      out[priceId] = await Promise.all(
        subs.map(async (sub) => {
          const usage = await usageOf(client, call, sub, priceId);
          onProgress?.(++done, total);
          return usage;
        }),
      );
    }),
  );
  return out;
}

async function usageOf(client: StripeClient, call: Caller, sub: Stripe.Subscription, priceId: string): Promise<SubscriptionUsage> {
  const item = sub.items.data.find((i) => i.price.id === priceId);
  if (!item) throw new Error(`subscription ${sub.id} was listed for price ${priceId} but has no item on it`);
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  const period = { current_period_start: item.current_period_start, current_period_end: item.current_period_end };
  const meter = item.price.recurring?.meter;
  if (item.price.recurring?.usage_type !== 'metered' || !meter) return { id: sub.id, customer, ...period, quantity: item.quantity ?? 0 };
  const start = minute(period.current_period_start);
  const end = Math.max(minute(period.current_period_end), start + 60);
  const summaries = await call(() => client.billing.meters.listEventSummaries(meter, { customer, start_time: start, end_time: end, limit: 1 }, NO_SDK_RETRIES));
  return { id: sub.id, customer, ...period, quantity: summaries.data.reduce((n, s) => n + s.aggregated_value, 0) };
}

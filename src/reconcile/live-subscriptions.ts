/**
 * Lists the subscriptions on prices, for plan (counts and impact), apply's subscription migrations
 * and `subscriptions migrate`. Apart from read-state.ts, which imports every resource kind, so the
 * price kind's migration step can use it without an import cycle.
 */
import type Stripe from 'stripe';
import type { StripeClient } from '../stripe/client.js';
import { NO_SDK_RETRIES, listAll, type Caller } from './resources/kind.js';

/**
 * Subscriptions still running on each price (anything not canceled or expired), one list per price.
 * Stripe leaves subscriptions on test clocks out of a list without `test_clock`, so in test mode
 * each clock's subscriptions are listed too (one more list per price and clock).
 */
export async function listLiveSubscriptions({ client, call, mode }: { client: StripeClient; call: Caller; mode: 'test' | 'live' }, priceIds: string[]): Promise<Record<string, Stripe.Subscription[]>> {
  const clocks: (string | undefined)[] = [undefined];
  if (mode === 'test') {
    const list: Stripe.TestHelpers.TestClock[] = await listAll({ client, call }, (params) => client.testHelpers.testClocks.list(params, NO_SDK_RETRIES));
    clocks.push(...list.map((c) => c.id));
  }
  const out: Record<string, Stripe.Subscription[]> = {};
  await Promise.all(
    priceIds.map(async (price) => {
      const lists = await Promise.all(
        clocks.map((clock) => listAll({ client, call }, (params) => client.subscriptions.list({ ...params, price, ...(clock ? { test_clock: clock } : {}) }, NO_SDK_RETRIES)) as Promise<Stripe.Subscription[]>),
      );
      out[price] = lists.flat().filter((s) => s.status !== 'canceled' && s.status !== 'incomplete_expired');
    }),
  );
  return out;
}

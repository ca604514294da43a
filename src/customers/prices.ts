/** Finding prices by lookup key (the keys of pricing.yaml) for subscribe and checkout. */
import type Stripe from 'stripe';
import { UserError } from '../errors.js';

/** Stripe's list filter takes at most 10 lookup keys per call. */
const KEYS_PER_CALL = 10;

/** Active prices for `lookupKeys`, in the order given; UserError (exit 3) naming every unknown key. */
export async function findPricesByLookupKeys(stripe: Stripe, lookupKeys: readonly string[]): Promise<Stripe.Price[]> {
  const unique = [...new Set(lookupKeys)];
  const byKey = new Map<string, Stripe.Price>();
  for (let i = 0; i < unique.length; i += KEYS_PER_CALL) {
    const page = await stripe.prices.list({ lookup_keys: unique.slice(i, i + KEYS_PER_CALL), active: true, limit: 100, expand: ['data.product'] });
    for (const price of page.data) if (price.lookup_key) byKey.set(price.lookup_key, price);
  }
  const missing = unique.filter((k) => !byKey.has(k));
  if (missing.length) {
    throw new UserError(`No active price with lookup key ${missing.map((k) => `'${k}'`).join(', ')}.`, {
      hint: 'Lookup keys are the `lookup_key` values in pricing.yaml; run `alpaca-billing plan` to check the catalog is applied.',
    });
  }
  const prices = unique.map((k) => byKey.get(k) as Stripe.Price);
  const oneTime = prices.filter((p) => p.type !== 'recurring');
  if (oneTime.length) throw new UserError(`Price ${oneTime.map((p) => `'${p.lookup_key}'`).join(', ')} is not recurring; subscriptions need recurring prices.`);
  return prices;
}

/** Checkout wants a quantity for licensed prices and none for metered ones. */
export function checkoutLineItem(price: Stripe.Price): Stripe.Checkout.SessionCreateParams.LineItem {
  return price.recurring?.usage_type === 'metered' ? { price: price.id } : { price: price.id, quantity: 1 };
}

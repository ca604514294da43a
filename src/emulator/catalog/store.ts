import type Stripe from 'stripe';
import { COLLECTIONS } from '../collection-names.js';
import type { EmulatorCore } from '../core.js';

/**
 * Stored catalog objects. Prices keep `product` as an id and `*_decimal` fields as strings (what
 * goes on the wire); expansion swaps in the full object per response.
 */
export type StoredPrice = Omit<Stripe.Price, 'product' | 'unit_amount_decimal' | 'tiers'> & {
  product: string;
  unit_amount_decimal: string | null;
  tiers?: StoredTier[];
};
export type StoredTier = Omit<Stripe.Price.Tier, 'unit_amount_decimal' | 'flat_amount_decimal'> & {
  unit_amount_decimal: string | null;
  flat_amount_decimal: string | null;
};
export type StoredProduct = Omit<Stripe.Product, 'default_price'> & { default_price: string | null };
export type StoredMeter = Stripe.Billing.Meter;

export const meters = (core: EmulatorCore) => core.collection<StoredMeter>(COLLECTIONS.meters);
export const products = (core: EmulatorCore) => core.collection<StoredProduct>(COLLECTIONS.products);
export const prices = (core: EmulatorCore) => core.collection<StoredPrice>(COLLECTIONS.prices);

/** What billing needs of a meter: which one, and how its usage adds up. */
export interface MeterLike {
  id: string;
  default_aggregation: { formula: 'sum' | 'count' | 'last' };
}

/** The meter a metered price reports to; a stand-in summing meter if the catalog has lost it. */
export function meterOf(core: EmulatorCore, meterId: string): MeterLike {
  // Meter creation accepts only these three formulas (the SDK's type leaves room for more).
  const meter = meters(core).get(meterId) as MeterLike | undefined;
  return meter ?? { id: meterId, default_aggregation: { formula: 'sum' } };
}

/** The price holding `lookupKey`, if any (keys are unique across all prices, active or not). */
export function priceByLookupKey(core: EmulatorCore, lookupKey: string): StoredPrice | undefined {
  for (const p of prices(core).values()) if (p.lookup_key === lookupKey) return p;
  return undefined;
}

export function productHasPrices(core: EmulatorCore, productId: string): boolean {
  for (const p of prices(core).values()) if (p.product === productId) return true;
  return false;
}

import type Stripe from 'stripe';
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

export const products = (core: EmulatorCore) => core.collection<StoredProduct>('products');
export const prices = (core: EmulatorCore) => core.collection<StoredPrice>('prices');

/** The price holding `lookupKey`, if any (keys are unique across all prices, active or not). */
export function priceByLookupKey(core: EmulatorCore, lookupKey: string): StoredPrice | undefined {
  for (const p of prices(core).values()) if (p.lookup_key === lookupKey) return p;
  return undefined;
}

export function productHasPrices(core: EmulatorCore, productId: string): boolean {
  for (const p of prices(core).values()) if (p.product === productId) return true;
  return false;
}

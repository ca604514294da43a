// impactOf without an account: archives without a replacement and replacements in another currency
// show the old figure only, and say why.
import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import type { PricingConfig } from '../../src/config/model.js';
import { impactOf, type SubscriptionUsage } from '../../src/reconcile/impact.js';
import { renderImpact } from '../../src/reconcile/render.js';
import type { Change } from '../../src/reconcile/types.js';

const old = { id: 'price_old', currency: 'usd', billing_scheme: 'per_unit', unit_amount: 1000, unit_amount_decimal: '1000', tiers_mode: null, transform_quantity: null, recurring: { usage_type: 'licensed' } } as unknown as Stripe.Price;
const usage: SubscriptionUsage[] = [{ id: 'sub_1', customer: 'cus_1', current_period_start: 0, current_period_end: 86_400, quantity: 2 }];
const desired = (currency: string) => ({ products: { p: { prices: { seats: { lookup_key: 'seats', currency, amount: { kind: 'per_unit', unit_amount: '1200' } } } } } }) as unknown as PricingConfig;

describe('impactOf', () => {
  it('prices an archive under the old price only', () => {
    const change: Change = { action: 'archive', type: 'price', key: 'seats', id: 'price_old', fields: [] };
    const impact = impactOf(change, old, usage, desired('usd'))!;
    expect(impact).toMatchObject({ before: 2000, after: null, delta: null, notes: ['archived without a replacement: the subscriptions keep billing on it'] });
    expect(renderImpact(impact, false)[0]).toBe('1 subscription · this period so far $20.00');
  });

  it('does not compare across currencies', () => {
    const change: Change = { action: 'replace', type: 'price', key: 'seats', id: 'price_old', fields: [] };
    expect(impactOf(change, old, usage, desired('eur'))).toMatchObject({ before: 2000, after: null, notes: ['the new price is in EUR, the old one in USD: no comparison'] });
    expect(impactOf(change, old, usage, desired('usd'))).toMatchObject({ before: 2000, after: 2400, delta: 400 });
  });

  it('shows a decrease with a minus sign', () => {
    const impact = { basis: 'current_period' as const, currency: 'usd', subscriptions: [], before: 2000, after: 1500, delta: -500 };
    expect(renderImpact(impact, false)[0]).toBe('0 subscriptions · this period so far $20.00 → $15.00 (-$5.00, -25.0%)');
  });

  it('is absent when no subscription uses the price', () => {
    expect(impactOf({ action: 'archive', type: 'price', key: 'seats', id: 'price_old', fields: [] }, old, [], desired('usd'))).toBeUndefined();
  });
});

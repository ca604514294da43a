// impactOf without an account: archives without a replacement and replacements in another currency
// show the old figure only, and say why.
import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import type { PricingConfig } from '../../src/config/model.js';
import { impactOf, type SubscriptionUsage } from '../../src/reconcile/impact.js';
import { previousPeriodStart } from '../../src/reconcile/read-impact.js';
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

describe('impactOf, last period', () => {
  const replace: Change = { action: 'replace', type: 'price', key: 'seats', id: 'price_old', fields: [] };
  it('takes the old figure from the invoice and prices the new one; without an invoice it prices both', () => {
    const closed: SubscriptionUsage[] = [
      { ...usage[0], closed: { start: -86_400, end: 0, billed: 1999, invoice: 'in_1' } },
      { ...usage[0], id: 'sub_2', closed: { start: -86_400, end: 0, invoice: null } },
      { ...usage[0], id: 'sub_3', closed: null },
    ];
    const impact = impactOf(replace, old, closed, desired('usd'))!;
    // sub_1: the invoice's 1,999 → 2 × 1,200; sub_2: 2 × 1,000 → 2 × 1,200; sub_3 has no closed period.
    expect(impact).toMatchObject({ basis: 'last_period', before: 3999, after: 4800, delta: 801, notes: ['1 subscription is still in the first period: no closed period to price'] });
    expect(impact.subscriptions.map((s) => [s.id, s.invoice])).toEqual([['sub_1', 'in_1'], ['sub_2', null]]);
  });

  it('finds the previous period start on the subscription\'s anchor (month ends, years, days)', () => {
    const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d, 12) / 1000;
    expect(previousPeriodStart(at(2026, 3, 31), at(2026, 1, 31), 'month', 1)).toBe(at(2026, 2, 28));
    expect(previousPeriodStart(at(2026, 2, 28), at(2026, 1, 31), 'month', 1)).toBe(at(2026, 1, 31));
    expect(previousPeriodStart(at(2026, 1, 15), at(2025, 1, 15), 'year', 1)).toBe(at(2025, 1, 15));
    expect(previousPeriodStart(at(2026, 1, 15), at(2025, 1, 1), 'day', 3)).toBe(at(2026, 1, 12));
  });
});

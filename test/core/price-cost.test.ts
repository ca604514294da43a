import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { priceCost, priceSpecCost, type PriceLike } from '../../src/core/price-cost.js';
import type { PriceSpec } from '../../src/config/model.js';

const usd = (p: Partial<PriceLike>): PriceLike => ({ currency: 'usd', billing_scheme: 'per_unit', recurring: { usage_type: 'metered' }, ...p });

describe('priceCost: per unit and package', () => {
  it('explains the Alpaca AI package price the way support quotes it', () => {
    const cost = priceCost(usd({ unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' } }), 1234567, { unitLabel: 'tokens' });
    expect(cost).toMatchObject({ amount: '4940', billedQuantity: '1235', scheme: 'package' });
    expect(cost.explanation).toBe('1,234,567 tokens → 1,235 × 1,000 tokens × $0.04 = $49.40');
  });

  it.each([
    // [price, quantity, amount, billedQuantity]
    [usd({ unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'down' } }), '1234567', '4936', '1234'],
    [usd({ unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' } }), '1000', '4', '1'],
    [usd({ unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' } }), '0', '0', '0'],
    [usd({ unit_amount: 1000 }), '3', '3000', '3'],
    [usd({ unit_amount_decimal: '0.004' }), '1234567', '4938', '1234567'], // 4938.268 → 4938
    [usd({ unit_amount_decimal: '0.5' }), '3', '2', '3'], // 1.5 → 2 (half up)
    [usd({ unit_amount_decimal: '0.5' }), '5', '3', '5'], // 2.5 → 3 (half up, not to even)
    [usd({ unit_amount_decimal: { toString: () => '0.25' } }), '2', '1', '2'], // SDK Decimal object
    [usd({ unit_amount: 4 }), '-50', '0', '0'], // a negative period total bills as 0
  ])('%#: %j × %s → %s', (price, quantity, amount, billed) => {
    const cost = priceCost(price, quantity);
    expect(cost.amount).toBe(amount);
    expect(cost.billedQuantity).toBe(billed);
  });

  it('shows the exact sub-cent amount and the rounding when they differ', () => {
    const cost = priceCost(usd({ unit_amount_decimal: '0.004' }), 1234567, { unitLabel: 'tokens' });
    expect(cost.exactAmount).toBe('4938.268');
    expect(cost.explanation).toBe('1,234,567 tokens × $0.00004 = $49.38268 ≈ $49.38 (rounded half up)');
  });

  it('formats zero-decimal currencies without cents', () => {
    const cost = priceCost({ currency: 'jpy', unit_amount: 5, transform_quantity: { divide_by: 100, round: 'up' } }, 1001);
    expect(cost.explanation).toBe('1,001 units → 11 × 100 units × ¥5 = ¥55');
  });

  it('refuses a price without a fixed amount', () => {
    expect(() => priceCost(usd({}), 1)).toThrow(/neither unit_amount/);
  });
});

describe('priceCost: tiered', () => {
  const tiers = [
    { up_to: 1000, unit_amount: 0, flat_amount: null, unit_amount_decimal: null, flat_amount_decimal: null },
    { up_to: 10000, unit_amount_decimal: '0.5', unit_amount: null, flat_amount: 500 },
    { up_to: null, unit_amount_decimal: '0.25', unit_amount: null, flat_amount: null },
  ];
  const graduated = usd({ billing_scheme: 'tiered', tiers_mode: 'graduated', tiers });
  const volume = usd({ billing_scheme: 'tiered', tiers_mode: 'volume', tiers });

  it.each([
    // graduated: 1000 free, then 0.5¢ (+$5 once reached), then 0.25¢
    [graduated, '0', '0'],
    [graduated, '1000', '0'],
    [graduated, '1001', '501'], // 0.5 + 500 = 500.5 → 501
    [graduated, '10000', '5000'], // 9000 × 0.5 + 500
    [graduated, '20000', '7500'], // 5000 + 10000 × 0.25
    // volume: the whole quantity at the tier it lands in
    [volume, '0', '0'],
    [volume, '1000', '0'],
    [volume, '1001', '1001'], // 1001 × 0.5 + 500 = 1000.5 → 1001
    [volume, '20000', '5000'], // 20000 × 0.25
  ])('%#: %s units', (price, quantity, amount) => {
    expect(priceCost(price, quantity).amount).toBe(amount);
  });

  it('lists each graduated tier in the explanation', () => {
    const cost = priceCost(graduated, 20000, { unitLabel: 'tokens' });
    expect(cost.explanation).toBe('20,000 tokens, graduated: 1,000 × $0.00 + 9,000 × $0.005 + $5.00 flat + 10,000 × $0.0025 = $75.00');
    expect(cost.tiers?.map((t) => t.quantity)).toEqual(['1000', '9000', '10000']);
  });

  it('names the volume tier used', () => {
    expect(priceCost(volume, 1001).explanation).toBe('1,001 units at volume tier 2 (1,001–10,000): 1,001 × $0.005 + $5.00 flat = $10.005 ≈ $10.01 (rounded half up)');
  });

  it('charges the first tier\'s flat amount even at zero usage', () => {
    const withBase = usd({ billing_scheme: 'tiered', tiers_mode: 'graduated', tiers: [{ up_to: 100, flat_amount: 2000, unit_amount: 0 }, { up_to: null, unit_amount: 3 }] });
    expect(priceCost(withBase, 0).amount).toBe('2000');
    expect(priceCost(withBase, 150).amount).toBe('2150');
  });

  it('graduated cost never decreases as usage grows', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 0n, max: 10n ** 6n }), (q, extra) => {
      expect(BigInt(priceCost(graduated, q + extra).amount) >= BigInt(priceCost(graduated, q).amount)).toBe(true);
    }));
  });
});

describe('priceSpecCost (pricing.yaml prices)', () => {
  const base: Omit<PriceSpec, 'amount'> = { lookup_key: 'k', currency: 'usd', active: true, metadata: {}, interval: 'month', interval_count: 1, meter: 'tokens' };
  it('prices package, per-unit and tiered specs like the Stripe shapes', () => {
    expect(priceSpecCost({ ...base, amount: { kind: 'package', unit_amount: '4', divide_by: 1000, round: 'up' } }, 1234567).amount).toBe('4940');
    expect(priceSpecCost({ ...base, amount: { kind: 'per_unit', unit_amount: '0.004' } }, 1234567).amount).toBe('4938');
    const tiered = priceSpecCost({ ...base, amount: { kind: 'tiered', mode: 'graduated', tiers: [{ up_to: 1000, unit_amount: '0' }, { up_to: 'inf', unit_amount: '0.5' }] } }, 3000);
    expect(tiered.amount).toBe('1000');
  });
});

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { priceCost, type PriceLike } from '../../src/core/price-cost.js';
import { priceQuantity } from '../../src/emulator/billing/invoice-math.js';

// The CLI's price math (what `invoice preview` and `usage summary` explain) and the emulator's invoice
// math were written independently; a support engineer's quote must match the invoice, so they must agree.
const decimalAmount = fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 6 })).map(([coef, scale]) => (coef / 10 ** scale).toFixed(scale));

const perUnit: fc.Arbitrary<PriceLike> = decimalAmount.map((a) => ({ currency: 'usd', billing_scheme: 'per_unit', unit_amount_decimal: a }));
const packaged: fc.Arbitrary<PriceLike> = fc
  .tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('up', 'down'))
  .map(([amount, divideBy, round]) => ({ currency: 'usd', billing_scheme: 'per_unit', unit_amount: amount, transform_quantity: { divide_by: divideBy, round } }));
const tiered: fc.Arbitrary<PriceLike> = fc
  .tuple(
    fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 0, maxLength: 4 }),
    fc.array(fc.tuple(decimalAmount, fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null })), { minLength: 5, maxLength: 5 }),
    fc.constantFrom('graduated', 'volume'),
  )
  .map(([bounds, amounts, mode]) => {
    const ups = [...bounds].sort((a, b) => a - b);
    const tiers = [...ups, null].map((up_to, i) => ({ up_to, unit_amount_decimal: amounts[i][0], flat_amount: amounts[i][1] }));
    return { currency: 'usd', billing_scheme: 'tiered', tiers_mode: mode, tiers };
  });

describe('price math agrees with the emulator\'s invoice math', () => {
  it('for per-unit, package and tiered prices at any usage', () => {
    fc.assert(
      fc.property(fc.oneof(perUnit, packaged, tiered), fc.integer({ min: 0, max: 50_000_000 }), (price, usage) => {
        const ours = priceCost(price, usage);
        const emulator = priceQuantity(price as Parameters<typeof priceQuantity>[0], String(usage));
        expect(ours.amount).toBe(String(emulator.amount));
        expect(ours.billedQuantity).toBe(emulator.billedUnits);
      }),
      { numRuns: 500 },
    );
  });
});

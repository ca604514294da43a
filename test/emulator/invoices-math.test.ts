import fc from 'fast-check';
import { priceQuantity, type PriceForm } from '../../src/emulator/billing/invoice-math.js';
import { formatFixed, parseFixed } from '../../src/emulator/billing/decimal.js';

const perUnit = (unit_amount_decimal: string): PriceForm => ({ billing_scheme: 'per_unit', unit_amount: null, unit_amount_decimal });

describe('invoice math', () => {
  test('package pricing rounds partial packages up: 1,234,567 tokens at 0.04 USD per 1,000 is 4,940 cents', () => {
    const price: PriceForm = { billing_scheme: 'per_unit', unit_amount: 4, unit_amount_decimal: '4', transform_quantity: { divide_by: 1000, round: 'up' } };
    const priced = priceQuantity(price, 1_234_567);
    expect(priced).toMatchObject({ quantity: 1_234_567, billedUnits: '1235', amount: 4940, unitAmountDecimal: '4' });
  });

  test('package pricing with round down drops the partial package', () => {
    const price: PriceForm = { billing_scheme: 'per_unit', unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'down' } };
    expect(priceQuantity(price, 1_234_567)).toMatchObject({ billedUnits: '1234', amount: 4936 });
    expect(priceQuantity(price, 999).amount).toBe(0);
  });

  test('package pricing bills nothing for zero usage and one package for one unit when rounding up', () => {
    const price: PriceForm = { billing_scheme: 'per_unit', unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' } };
    expect(priceQuantity(price, 0).amount).toBe(0);
    expect(priceQuantity(price, 1).amount).toBe(4);
    expect(priceQuantity(price, 1000).amount).toBe(4);
    expect(priceQuantity(price, 1001).amount).toBe(8);
  });

  test('per-unit integer amounts multiply', () => {
    expect(priceQuantity({ billing_scheme: 'per_unit', unit_amount: 25 }, 7).amount).toBe(175);
  });

  test('per-unit decimal amounts multiply exactly and round once', () => {
    // 0.004 cents × 1,234,567 = 4,938.268 cents → 4,938; a float would give 4938.268000000001
    const priced = priceQuantity(perUnit('0.004'), 1_234_567);
    expect(priced).toMatchObject({ amount: 4938, amountDecimal: '4938.268', unitAmountDecimal: '0.004' });
    expect(priceQuantity(perUnit('0.5'), 3).amount).toBe(2); // 1.5 rounds half up
    expect(priceQuantity(perUnit('0.1'), 3).amountDecimal).toBe('0.3');
    expect(priceQuantity(perUnit('0.000000000001'), '1000000000000').amount).toBe(1);
  });

  test('negative period usage bills quantity 0', () => {
    expect(priceQuantity(perUnit('3'), -50)).toMatchObject({ quantity: 0, quantityDecimal: '0', amount: 0 });
  });

  test('decimal usage keeps full precision in quantity_decimal and truncates quantity', () => {
    expect(priceQuantity(perUnit('10'), '2.75')).toMatchObject({ quantity: 2, quantityDecimal: '2.75', amount: 28 });
  });

  const tiers = [
    { up_to: 5, unit_amount: 700, flat_amount: null },
    { up_to: 10, unit_amount: 650, flat_amount: null },
    { up_to: null, unit_amount: 600, flat_amount: null },
  ];

  test.each([
    [1, 700],
    [5, 3500],
    [6, 3500 + 650],
    [10, 3500 + 3250],
    [20, 3500 + 3250 + 6000],
  ])('graduated tiers: %d units cost %d', (units, amount) => {
    expect(priceQuantity({ billing_scheme: 'tiered', tiers_mode: 'graduated', tiers }, units).amount).toBe(amount);
  });

  test.each([
    [1, 700],
    [5, 3500],
    [6, 3900],
    [20, 12000],
    [25, 15000],
  ])('volume tiers (Stripe docs example): %d units cost %d', (units, amount) => {
    expect(priceQuantity({ billing_scheme: 'tiered', tiers_mode: 'volume', tiers }, units).amount).toBe(amount);
  });

  test('graduated flat amounts: base fee at zero usage, next tier flat only once reached', () => {
    const flat = [
      { up_to: 1000, unit_amount: 0, flat_amount: 2000 },
      { up_to: null, unit_amount_decimal: '0.5', flat_amount: 100 },
    ];
    const price: PriceForm = { billing_scheme: 'tiered', tiers_mode: 'graduated', tiers: flat };
    expect(priceQuantity(price, 0).amount).toBe(2000);
    expect(priceQuantity(price, 1000).amount).toBe(2000);
    expect(priceQuantity(price, 1001).amount).toBe(2000 + 100 + 1); // 0.5 rounds half up once, at the end
    expect(priceQuantity(price, 1004).amount).toBe(2000 + 100 + 2);
  });

  test('volume flat amounts come from the tier the quantity falls in', () => {
    const flat = [
      { up_to: 100, unit_amount: 10, flat_amount: 500 },
      { up_to: null, unit_amount: 5, flat_amount_decimal: '1000' },
    ];
    const price: PriceForm = { billing_scheme: 'tiered', tiers_mode: 'volume', tiers: flat };
    expect(priceQuantity(price, 100).amount).toBe(1500);
    expect(priceQuantity(price, 101).amount).toBe(1505);
  });

  test('decimal round-trips through the fixed-point representation', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }), (raw, places) => {
        const text = formatFixed(raw * 10n ** BigInt(12 - places));
        expect(formatFixed(parseFixed(text))).toBe(text);
      }),
    );
  });

  test('per-unit amount is additive in quantity (no drift across many lines)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (a, b) => {
        const price = perUnit('0.0375');
        const sum = parseFixed(priceQuantity(price, a).amountDecimal) + parseFixed(priceQuantity(price, b).amountDecimal);
        expect(formatFixed(sum)).toBe(priceQuantity(price, a + b).amountDecimal);
      }),
    );
  });

  test('graduated amounts never fall as usage grows, and package round-up never bills less than round-down', () => {
    const graduated: PriceForm = { billing_scheme: 'tiered', tiers_mode: 'graduated', tiers: [{ up_to: 100, unit_amount_decimal: '1.5', flat_amount: 50 }, { up_to: 1000, unit_amount: 1 }, { up_to: null, unit_amount_decimal: '0.25' }] };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 10_000 }), (a, b, divideBy) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(priceQuantity(graduated, lo).amount).toBeLessThanOrEqual(priceQuantity(graduated, hi).amount);
        const up = priceQuantity({ unit_amount: 7, transform_quantity: { divide_by: divideBy, round: 'up' } }, hi);
        const down = priceQuantity({ unit_amount: 7, transform_quantity: { divide_by: divideBy, round: 'down' } }, hi);
        expect(up.amount - down.amount).toBe(hi % divideBy === 0 ? 0 : 7);
      }),
    );
  });
});

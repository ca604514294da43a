import fc from 'fast-check';
import { closest, editDistance } from '../../src/config/did-you-mean.js';
import { canonicalAmount } from '../../src/config/normalise.js';
import { LIMITS } from '../../src/config/pricing-schema.js';
import { amountProblem } from '../../src/config/schema-issues.js';

describe('amounts', () => {
  it.each([
    [4, '4'],
    ['0.004', '0.004'],
    ['004.500', '4.5'],
    ['4.000', '4'],
    ['0', '0'],
    ['000', '0'],
  ])('canonicalAmount(%p) = %p', (input, expected) => {
    expect(canonicalAmount(input)).toBe(expected);
  });

  it('canonical amounts keep their value and are stable', () => {
    fc.assert(
      fc.property(fc.nat({ max: LIMITS.amount - 1 }), fc.nat({ max: 10 ** 6 }), fc.nat({ max: 3 }), fc.nat({ max: 3 }), (whole, frac, lead, trail) => {
        const text = `${'0'.repeat(lead)}${whole}.${String(frac).padStart(6, '0')}${'0'.repeat(trail)}`;
        const canon = canonicalAmount(text);
        expect(canonicalAmount(canon)).toBe(canon);
        expect(amountProblem(canon)).toBeUndefined();
        // Same value: compare as scaled integers, never as floats.
        const scaled = (s: string) => BigInt(s.split('.')[0] + (s.split('.')[1] ?? '').padEnd(12, '0'));
        expect(scaled(canon)).toBe(scaled(text));
      }),
    );
  });

  it('accepts whole minor units and decimal strings, refuses floats and negatives', () => {
    expect(amountProblem(0)).toBeUndefined();
    expect(amountProblem('12.5')).toBeUndefined();
    expect(amountProblem(1.5)?.hint).toMatch(/quote it as a decimal string, "1.5"/);
    expect(amountProblem(-1)?.message).toMatch(/negative/);
    expect(amountProblem('1e3')?.message).toMatch(/decimal string/);
    expect(amountProblem(true)?.message).toMatch(/got true/);
  });

  it("refuses amounts beyond Stripe's maximum, whole or decimal, and accepts the maximum", () => {
    expect(amountProblem(LIMITS.amount)).toBeUndefined();
    expect(amountProblem(String(LIMITS.amount))).toBeUndefined();
    expect(amountProblem(LIMITS.amount + 1)?.message).toMatch(/at most 99999999 minor units/);
    expect(amountProblem(`${LIMITS.amount}.000000000001`)?.message).toMatch(/at most 99999999 minor units/);
    expect(amountProblem(2 ** 60)?.message).toMatch(/at most 99999999 minor units/);
  });
});

describe('did you mean', () => {
  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('Sum', 'sum')).toBe(0);
    expect(editDistance('uds', 'usd')).toBe(1);
  });

  it('suggests only plausible typos', () => {
    expect(closest('montly', ['day', 'week', 'month', 'year'])).toBe('month');
    expect(closest('nicknam', ['nickname', 'name'])).toBe('nickname');
    expect(closest('banana', ['sum', 'count', 'last'])).toBeUndefined();
    // Equally close to two candidates: no guess.
    expect(closest('usx', ['usd', 'ugx'])).toBeUndefined();
  });
});

// Pure parts of the clock commands: reading times and durations, and splitting an advance.
import { describe, expect, it } from '@jest/globals';
import { addDuration, planAdvance } from '../../src/customers/test-clock.js';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('addDuration', () => {
  it.each([
    ['1mo', '2026-01-31T10:00:00Z', '2026-02-28T10:00:00Z'],
    ['2w', '2026-01-31T10:00:00Z', '2026-02-14T10:00:00Z'],
    ['2h', '2026-01-31T10:00:00Z', '2026-01-31T12:00:00Z'],
    ['30m', '2026-01-31T10:00:00Z', '2026-01-31T10:30:00Z'],
    ['1y', '2028-02-29T00:00:00Z', '2029-02-28T00:00:00Z'],
  ])('%s after %s is %s', (by, from, to) => expect(addDuration(at(from), by)).toBe(at(to)));

  it('refuses what is not a duration', () => {
    expect(() => addDuration(0, '0d')).toThrow('--by');
    expect(() => addDuration(0, '1 month')).toThrow('--by');
  });
});

describe('planAdvance', () => {
  it('splits by two intervals of the shortest subscription, ending exactly at the target', () => {
    expect(planAdvance(at('2026-01-15T00:00:00Z'), at('2026-06-01T00:00:00Z'), { interval: 'month', count: 1 })).toEqual([
      at('2026-03-15T00:00:00Z'),
      at('2026-05-15T00:00:00Z'),
      at('2026-06-01T00:00:00Z'),
    ]);
    expect(planAdvance(0, 5 * 86_400, { interval: 'day', count: 1 })).toEqual([2, 4, 5].map((d) => d * 86_400));
  });

  it('allows two years without a subscription, and never goes backwards', () => {
    expect(planAdvance(at('2026-01-01T00:00:00Z'), at('2028-01-01T00:00:00Z'), null)).toEqual([at('2028-01-01T00:00:00Z')]);
    expect(() => planAdvance(100, 100, null)).toThrow('only moves forward');
  });
});

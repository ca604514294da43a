import { periodContaining, shiftByIntervals } from '../../src/emulator/billing/periods.js';

const at = (iso: string): number => Date.parse(iso) / 1000;
const iso = (sec: number): string => new Date(sec * 1000).toISOString();

describe('billing periods', () => {
  test('a monthly period anchored on the 31st clamps to short months and returns to the 31st', () => {
    const anchor = at('2026-01-31T10:00:00Z');
    expect(iso(shiftByIntervals(anchor, 'month', 1, 1))).toBe('2026-02-28T10:00:00.000Z');
    expect(iso(shiftByIntervals(anchor, 'month', 1, 2))).toBe('2026-03-31T10:00:00.000Z');
  });

  test('day, week, year and interval_count', () => {
    const anchor = at('2024-02-29T00:00:00Z');
    expect(iso(shiftByIntervals(anchor, 'day', 1, 3))).toBe('2024-03-03T00:00:00.000Z');
    expect(iso(shiftByIntervals(anchor, 'week', 2, 1))).toBe('2024-03-14T00:00:00.000Z');
    expect(iso(shiftByIntervals(anchor, 'year', 1, 1))).toBe('2025-02-28T00:00:00.000Z');
    expect(iso(shiftByIntervals(anchor, 'month', 3, 1))).toBe('2024-05-29T00:00:00.000Z');
  });

  test('the period containing a later instant advances whole periods from the anchor', () => {
    const anchor = at('2026-01-15T12:00:00Z');
    const p = periodContaining(anchor, 'month', 1, at('2026-03-20T00:00:00Z'));
    expect([iso(p.start), iso(p.end)]).toEqual(['2026-03-15T12:00:00.000Z', '2026-04-15T12:00:00.000Z']);
    const first = periodContaining(anchor, 'month', 1, anchor);
    expect([iso(first.start), iso(first.end)]).toEqual(['2026-01-15T12:00:00.000Z', '2026-02-15T12:00:00.000Z']);
  });

  test('after many periods the containing period still holds the instant', () => {
    const anchor = at('2020-01-31T00:00:00Z');
    for (const now of [at('2026-11-26T18:00:00Z'), at('2023-03-01T00:00:00Z'), at('2029-12-31T23:59:59Z')]) {
      const p = periodContaining(anchor, 'month', 1, now);
      expect(p.start).toBeLessThanOrEqual(now);
      expect(p.end).toBeGreaterThan(now);
    }
  });
});

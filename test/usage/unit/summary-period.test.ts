import { alignPeriod, currentUtcMonth, defaultGrouping, sparkline } from '../../../src/usage/summary-period.js';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('alignPeriod', () => {
  it('leaves aligned periods alone and says nothing', () => {
    const q = alignPeriod({ from: at('2026-11-01T00:00:00Z'), to: at('2026-12-01T00:00:00Z'), source: 'month' }, 'day');
    expect(q).toMatchObject({ grouping: 'day', totalFrom: at('2026-11-01T00:00:00Z'), totalTo: at('2026-12-01T00:00:00Z'), windowsFrom: at('2026-11-01T00:00:00Z'), windowsTo: at('2026-12-01T00:00:00Z'), notes: [] });
  });

  it('rounds a mid-minute period to minutes for the total and to whole windows for the chart, noting each', () => {
    const q = alignPeriod({ from: at('2026-11-03T10:37:12Z'), to: at('2026-12-03T10:37:12Z'), source: 'subscription' }, 'day');
    expect(q.totalFrom).toBe(at('2026-11-03T10:37:00Z'));
    expect(q.totalTo).toBe(at('2026-12-03T10:37:00Z'));
    expect(q.windowsFrom).toBe(at('2026-11-03T00:00:00Z'));
    expect(q.windowsTo).toBe(at('2026-12-04T00:00:00Z'));
    expect(q.notes).toEqual([
      expect.stringMatching(/rounded the start 2026-11-03T10:37:12Z down to the minute/),
      expect.stringMatching(/rounded the end 2026-12-03T10:37:12Z down to the minute/),
      expect.stringMatching(/day windows need UTC midnights/),
    ]);
  });

  it('never leaves an empty range', () => {
    const q = alignPeriod({ from: at('2026-11-03T10:37:05Z'), to: at('2026-11-03T10:37:50Z'), source: 'flags' }, 'hour');
    expect(q.totalTo - q.totalFrom).toBe(60);
  });
});

describe('defaults', () => {
  it('groups by hour up to three days, else by day', () => {
    expect(defaultGrouping(0, 3 * 86_400)).toBe('hour');
    expect(defaultGrouping(0, 3 * 86_400 + 1)).toBe('day');
  });
  it('takes the UTC month around a moment, across a year end', () => {
    expect(currentUtcMonth(at('2026-12-31T23:59:59Z'))).toEqual({ from: at('2026-12-01T00:00:00Z'), to: at('2027-01-01T00:00:00Z') });
  });
});

describe('sparkline', () => {
  it('scales from the smallest to the largest window', () => {
    expect(sparkline([0, 7, 14])).toBe('▁▅█');
    expect(sparkline([3, 3])).toBe('▄▄');
    expect(sparkline([])).toBe('');
  });
});

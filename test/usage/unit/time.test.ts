import { checkWindow } from '../../../src/usage/time.js';
import { parseTimestamp } from '../../../src/core/time.js';

describe('parseTimestamp', () => {
  it.each([
    [1_700_000_000, 1_700_000_000],
    ['1700000000', 1_700_000_000],
    ['2026-11-26T10:00:00Z', Date.UTC(2026, 10, 26, 10) / 1000],
    ['2026-11-26T12:00:00+02:00', Date.UTC(2026, 10, 26, 10) / 1000],
    ['2026-11-26', Date.UTC(2026, 10, 26) / 1000],
    ['2026-11-26T10:00:00.750Z', Date.UTC(2026, 10, 26, 10) / 1000],
  ])('accepts %p', (input, seconds) => {
    expect(parseTimestamp(input)).toEqual({ ok: true, seconds });
  });

  it.each([
    ['2026-11-26T10:00:00', /no time zone/],
    ['1700000000000', /milliseconds/],
    ['yesterday', /neither Unix seconds nor ISO 8601/],
    ['', /Unix seconds or an ISO 8601/],
  ])('refuses %p with a reason', (input, reason) => {
    const r = parseTimestamp(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });
});

describe('checkWindow', () => {
  const now = 2_000_000_000;
  it('accepts from 35 days back to 5 minutes ahead', () => {
    expect(checkWindow(now - 35 * 86_400, now)).toBeUndefined();
    expect(checkWindow(now + 300, now)).toBeUndefined();
  });
  it('refuses just outside either edge', () => {
    expect(checkWindow(now - 35 * 86_400 - 1, now)).toMatch(/more than 35 days in the past/);
    expect(checkWindow(now + 301, now)).toMatch(/more than 5 minutes in the future/);
  });
});

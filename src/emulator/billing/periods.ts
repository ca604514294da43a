// Billing periods in UTC calendar arithmetic. Stripe anchors a subscription's
// periods to its billing_cycle_anchor: a monthly subscription anchored on the
// 31st renews on the last day of shorter months and returns to the 31st after.

export type Interval = 'day' | 'week' | 'month' | 'year';

export interface Period {
  start: number;
  end: number;
}

const DAY = 86_400;

/** The instant `n` intervals after `anchorSec` (n may be 0). */
export function shiftByIntervals(anchorSec: number, interval: Interval, count: number, n: number): number {
  const steps = count * n;
  if (interval === 'day') return anchorSec + steps * DAY;
  if (interval === 'week') return anchorSec + steps * 7 * DAY;
  const anchor = new Date(anchorSec * 1000);
  const months = interval === 'year' ? steps * 12 : steps;
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(anchor.getUTCDate(), lastDay);
  const ms = Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds());
  return Math.floor(ms / 1000);
}

/** The period (anchored at `anchorSec`) that contains `nowSec`; the first period if `nowSec` is earlier. */
export function periodContaining(anchorSec: number, interval: Interval, count: number, nowSec: number): Period {
  let n = 0;
  // Jump close first (using the longest possible period, so never past nowSec) so a
  // long-lived state file does not loop once per elapsed period.
  const longest = longestSeconds(interval) * count;
  if (nowSec > anchorSec) n = Math.floor((nowSec - anchorSec) / longest);
  while (shiftByIntervals(anchorSec, interval, count, n + 1) <= nowSec) n += 1;
  return { start: shiftByIntervals(anchorSec, interval, count, n), end: shiftByIntervals(anchorSec, interval, count, n + 1) };
}

function longestSeconds(interval: Interval): number {
  return { day: DAY, week: 7 * DAY, month: 31 * DAY, year: 366 * DAY }[interval];
}

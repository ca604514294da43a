/**
 * Test clocks, pure: reading `--frozen-time` / `--to` / `--by`, and splitting an advance into the
 * steps Stripe allows (one advance reaches at most two intervals of the clock's shortest
 * subscription, or two years without one).
 */
import type Stripe from 'stripe';
import { UserError } from '../errors.js';

export type Interval = 'day' | 'week' | 'month' | 'year';

export interface ClockView {
  id: string;
  name: string | null;
  status: string;
  /** Unix seconds: the clock's "now". */
  frozen_time: number;
  deletes_after: number;
  created: number;
}

export function clockView(c: Stripe.TestHelpers.TestClock): ClockView {
  return { id: c.id, name: c.name ?? null, status: c.status, frozen_time: c.frozen_time, deletes_after: c.deletes_after, created: c.created };
}

const UNITS: Record<string, { interval: Interval | 'hour' | 'minute'; seconds?: number }> = {
  m: { interval: 'minute', seconds: 60 },
  min: { interval: 'minute', seconds: 60 },
  h: { interval: 'hour', seconds: 3600 },
  d: { interval: 'day' },
  w: { interval: 'week' },
  mo: { interval: 'month' },
  y: { interval: 'year' },
};

/** `--by 1mo|7d|2h|30m|1y|2w` from `from`, in UTC calendar arithmetic (a month after Jan 31 is Feb 28). */
export function addDuration(from: number, value: string): number {
  const m = /^(\d+)\s*(mo|min|m|h|d|w|y)$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) {
    throw new UserError(`--by '${value}' is not a duration.`, { hint: 'e.g. --by 1mo, 7d, 2h, 30m, 2w or 1y (a positive whole number and a unit).' });
  }
  const n = Number(m[1]);
  const unit = UNITS[m[2]];
  if (unit.seconds) return from + n * unit.seconds;
  return shift(from, unit.interval as Interval, n);
}

/** `n` intervals after `from` (months clamp to the month's last day, as Stripe's periods do). */
export function shift(from: number, interval: Interval, n: number): number {
  if (interval === 'day') return from + n * 86_400;
  if (interval === 'week') return from + n * 7 * 86_400;
  const d = new Date(from * 1000);
  const months = interval === 'year' ? 12 * n : n;
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + months;
  const day = Math.min(d.getUTCDate(), new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
  return Math.floor(Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000);
}

export interface ShortestInterval {
  interval: Interval;
  count: number;
}

/** The furthest one advance may reach from `from`. */
export function advanceLimit(from: number, shortest: ShortestInterval | null): number {
  return shortest ? shift(from, shortest.interval, 2 * shortest.count) : shift(from, 'year', 2);
}

/** The frozen times to advance through, each within Stripe's limit of the one before; the last is `to`. */
export function planAdvance(from: number, to: number, shortest: ShortestInterval | null): number[] {
  if (to <= from) throw new UserError(`The target ${new Date(to * 1000).toISOString()} is not after the clock's time ${new Date(from * 1000).toISOString()}; a test clock only moves forward.`);
  const steps: number[] = [];
  let at = from;
  while (at < to) {
    at = Math.min(to, advanceLimit(at, shortest));
    steps.push(at);
  }
  return steps;
}

const SECONDS: Record<Interval, number> = { day: 86_400, week: 604_800, month: 2_592_000, year: 31_536_000 };

/** The shortest billing interval among the subscriptions' first items (what Stripe's limit follows). */
export function shortestInterval(subscriptions: Stripe.Subscription[]): ShortestInterval | null {
  let best: ShortestInterval | null = null;
  for (const sub of subscriptions) {
    const recurring = sub.items.data[0]?.price.recurring;
    if (!recurring || sub.status === 'canceled' || sub.status === 'incomplete_expired') continue;
    const candidate = { interval: recurring.interval as Interval, count: recurring.interval_count ?? 1 };
    if (!best || SECONDS[candidate.interval] * candidate.count < SECONDS[best.interval] * best.count) best = candidate;
  }
  return best;
}

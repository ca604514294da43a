/**
 * The pure parts of `usage summary`: the period (flags, else the subscription's current period,
 * else the current UTC month), aligning it as Stripe's summaries require (start and end on whole
 * minutes; whole hours for hour windows; UTC midnights for day windows) with a note for every
 * rounding, and the sparkline.
 */
import { iso } from '../core/time.js';

export type Grouping = 'hour' | 'day';

export const GROUP_SECONDS: Record<Grouping, number> = { hour: 3600, day: 86_400 };

export interface Period {
  from: number;
  to: number;
  /** Where it came from, for the header line. */
  source: 'flags' | 'subscription' | 'month';
}

export interface AlignedQuery {
  grouping: Grouping;
  /** Minute-aligned period: what the total (and the cost) covers. */
  totalFrom: number;
  totalTo: number;
  /** Aligned to the grouping: what the windows cover (may be wider). */
  windowsFrom: number;
  windowsTo: number;
  notes: string[];
}

export function currentUtcMonth(nowSeconds: number): { from: number; to: number } {
  const d = new Date(nowSeconds * 1000);
  return { from: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000, to: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000 };
}

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;



/** Hour windows for up to three days, day windows beyond. */
export function defaultGrouping(from: number, to: number): Grouping {
  return to - from <= 3 * 86_400 ? 'hour' : 'day';
}

export function alignPeriod(period: Period, grouping: Grouping | undefined): AlignedQuery {
  const notes: string[] = [];
  const group = grouping ?? defaultGrouping(period.from, period.to);
  const totalFrom = floorTo(period.from, 60);
  // Both ends round down, as the invoice does for a period that starts mid-minute (so the estimate
  // covers the minutes the invoice will bill).
  const totalTo = Math.max(floorTo(period.to, 60), totalFrom + 60);
  if (totalFrom !== period.from) notes.push(`rounded the start ${iso(period.from)} down to the minute, ${iso(totalFrom)} (Stripe summarises whole minutes)`);
  if (totalTo !== period.to) notes.push(`rounded the end ${iso(period.to)} ${totalTo < period.to ? 'down' : 'up'} to the minute, ${iso(totalTo)}`);
  const step = GROUP_SECONDS[group];
  const windowsFrom = floorTo(totalFrom, step);
  const windowsTo = ceilTo(totalTo, step);
  if (windowsFrom !== totalFrom || windowsTo !== totalTo) {
    notes.push(`${group} windows need ${group === 'day' ? 'UTC midnights' : 'whole hours'}, so the windows cover ${iso(windowsFrom)} to ${iso(windowsTo)}; the total covers only ${iso(totalFrom)} to ${iso(totalTo)}`);
  }
  return { grouping: group, totalFrom, totalTo, windowsFrom, windowsTo, notes };
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character per window, scaled from the smallest to the largest value. */
export function sparkline(values: readonly number[]): string {
  if (!values.length) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((v) => (max === min ? BARS[v === 0 ? 0 : 3] : BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))])).join('');
}

// Per meter, customer and minute aggregates. We keep these instead of raw events so memory grows
// with (customers x active minutes), not with the number of events: a busy customer sending
// thousands of events a minute costs one bucket per minute.
//
// Each bucket holds the sum, the count and the "last" event (value, timestamp, arrival sequence)
// in parallel typed arrays, which V8 stores unboxed; plain objects would box every double.

import { widen } from './typed-arrays.js';

export type Formula = 'sum' | 'count' | 'last';

/** What one accepted event contributed, so a cancellation can take it back out. */
export interface Contribution {
  meterId: string;
  customerId: string;
  minute: number;
  value: number;
  timestamp: number;
  seq: number;
}

const INITIAL_CAPACITY = 16;

/**
 * One meter and customer: buckets sorted by minute in parallel typed arrays. Events mostly arrive
 * in time order, so a new minute is usually appended; lookups are a binary search (checking the
 * newest bucket first). No Map: a Map per series costs more than the buckets themselves and its
 * rehashing is what drives the garbage collector at millions of buckets.
 */
class Series {
  minutes = new Float64Array(INITIAL_CAPACITY);
  sum = new Float64Array(INITIAL_CAPACITY);
  count = new Uint32Array(INITIAL_CAPACITY);
  lastValue = new Float64Array(INITIAL_CAPACITY);
  /** Seconds into the minute of the bucket's last event. */
  lastOffset = new Uint8Array(INITIAL_CAPACITY);
  /** Arrival sequence of the bucket's last event; -1 when it was cancelled and is unknown. */
  lastSeq = new Float64Array(INITIAL_CAPACITY);
  size = 0;

  /** Index of `minute`, or -(insertion point) - 1 when absent. */
  find(minute: number): number {
    const n = this.size;
    if (n > 0 && this.minutes[n - 1] === minute) return n - 1;
    if (n === 0 || this.minutes[n - 1] < minute) return -n - 1;
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.minutes[mid];
      if (m === minute) return mid;
      if (m < minute) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  /** First index whose minute is ≥ `minute`. */
  lowerBound(minute: number): number {
    const i = this.find(minute);
    return i >= 0 ? i : -i - 1;
  }

  slotFor(minute: number): number {
    const i = this.find(minute);
    if (i >= 0) return i;
    const at = -i - 1;
    if (this.size === this.minutes.length) this.grow();
    if (at < this.size) {
      // Out-of-order minute: shift the newer buckets up by one.
      for (const a of this.columns()) a.copyWithin(at + 1, at, this.size);
    }
    this.size++;
    this.minutes[at] = minute;
    this.sum[at] = 0;
    this.count[at] = 0;
    this.lastValue[at] = 0;
    this.lastOffset[at] = 0;
    this.lastSeq[at] = -1;
    return at;
  }

  private columns(): Array<Float64Array | Uint32Array | Uint8Array> {
    return [this.minutes, this.sum, this.count, this.lastValue, this.lastOffset, this.lastSeq];
  }

  private grow(): void {
    // By half, not double: the transient copy and the unused tail both stay small.
    const cap = Math.ceil(this.minutes.length * 1.5);
    this.minutes = widen(this.minutes, cap);
    this.sum = widen(this.sum, cap);
    this.count = widen(this.count, cap);
    this.lastValue = widen(this.lastValue, cap);
    this.lastOffset = widen(this.lastOffset, cap);
    this.lastSeq = widen(this.lastSeq, cap);
  }
}

/** One aggregated window: [start, end) in Unix seconds. */
export interface WindowValue {
  start: number;
  end: number;
  value: number;
  /** Number of events in the window (so callers can tell "no events" from a zero total). */
  events: number;
}

export class AggregateStore {
  private readonly series = new Map<string, Map<string, Series>>();
  private bucketCount = 0;

  /** Buckets currently held (for memory reporting). */
  get buckets(): number {
    return this.bucketCount;
  }

  add(c: Contribution): void {
    let byCustomer = this.series.get(c.meterId);
    if (!byCustomer) this.series.set(c.meterId, (byCustomer = new Map()));
    let s = byCustomer.get(c.customerId);
    if (!s) byCustomer.set(c.customerId, (s = new Series()));
    const before = s.size;
    const slot = s.slotFor(c.minute);
    if (s.size !== before) this.bucketCount++;
    s.sum[slot] += c.value;
    s.count[slot] += 1;
    // "last" is by event timestamp; among equal timestamps the later arrival wins.
    const offset = c.timestamp - c.minute * 60;
    if (s.lastSeq[slot] < 0 || offset > s.lastOffset[slot] || (offset === s.lastOffset[slot] && c.seq > s.lastSeq[slot])) {
      s.lastValue[slot] = c.value;
      s.lastOffset[slot] = offset;
      s.lastSeq[slot] = c.seq;
    }
  }

  /**
   * Takes a cancelled event back out. Sum and count are exact. For "last" we do not keep earlier
   * raw events, so cancelling the event that is its minute's last leaves that minute without a
   * last value (the latest other minute in range then answers).
   */
  remove(c: Contribution): void {
    const s = this.series.get(c.meterId)?.get(c.customerId);
    const slot = s ? s.find(c.minute) : -1;
    if (!s || slot < 0) return;
    s.sum[slot] -= c.value;
    s.count[slot] -= 1;
    if (s.lastSeq[slot] === c.seq) s.lastSeq[slot] = -1;
  }

  /** The formula's value over [startSec, endSec) for one customer (0 when there are no events). */
  aggregate(meterId: string, formula: Formula, customerId: string, startSec: number, endSec: number): number {
    return this.windows(meterId, formula, customerId, startSec, endSec, endSec - startSec)[0]?.value ?? 0;
  }

  /**
   * Splits [startSec, endSec) into windows of `windowSec` (the last one may be shorter) and
   * aggregates each. Only windows holding at least one event are returned, oldest first.
   */
  windows(meterId: string, formula: Formula, customerId: string, startSec: number, endSec: number, windowSec: number): WindowValue[] {
    const s = this.series.get(meterId)?.get(customerId);
    if (!s || endSec <= startSec) return [];
    // Buckets are whole minutes, so an unaligned bound (a subscription period starting at 12:00:30)
    // rounds down: each minute belongs to exactly one of two adjoining ranges.
    const firstMinute = Math.floor(startSec / 60);
    const endMinute = Math.floor(endSec / 60);
    const groups = new Map<number, { sum: number; count: number; lastValue: number; lastTs: number; lastSeq: number }>();
    for (let slot = s.lowerBound(firstMinute); slot < s.size && s.minutes[slot] < endMinute; slot++) {
      if (s.count[slot] === 0) continue;
      const minute = s.minutes[slot];
      const g = Math.max(0, Math.floor((minute * 60 - startSec) / windowSec));
      let acc = groups.get(g);
      if (!acc) groups.set(g, (acc = { sum: 0, count: 0, lastValue: 0, lastTs: -Infinity, lastSeq: -1 }));
      acc.sum += s.sum[slot];
      acc.count += s.count[slot];
      const seq = s.lastSeq[slot];
      const ts = minute * 60 + s.lastOffset[slot];
      if (seq >= 0 && (ts > acc.lastTs || (ts === acc.lastTs && seq > acc.lastSeq))) {
        acc.lastValue = s.lastValue[slot];
        acc.lastTs = ts;
        acc.lastSeq = seq;
      }
    }
    return [...groups.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([g, acc]) => ({
        start: startSec + g * windowSec,
        end: Math.min(endSec, startSec + (g + 1) * windowSec),
        value: formula === 'sum' ? acc.sum : formula === 'count' ? acc.count : acc.lastSeq >= 0 ? acc.lastValue : 0,
        events: acc.count,
      }));
  }

  /** Plain-JSON image of every bucket, for --state persistence. */
  toJSON(): SerializedAggregates {
    const out: SerializedAggregates = [];
    for (const [meterId, byCustomer] of this.series) {
      for (const [customerId, s] of byCustomer) {
        const rows: number[][] = [];
        for (let i = 0; i < s.size; i++) rows.push([s.minutes[i], s.sum[i], s.count[i], s.lastValue[i], s.minutes[i] * 60 + s.lastOffset[i], s.lastSeq[i]]);
        out.push({ meterId, customerId, rows });
      }
    }
    return out;
  }

  static fromJSON(data: SerializedAggregates): AggregateStore {
    const store = new AggregateStore();
    for (const { meterId, customerId, rows } of data) {
      let byCustomer = store.series.get(meterId);
      if (!byCustomer) store.series.set(meterId, (byCustomer = new Map()));
      const s = new Series();
      byCustomer.set(customerId, s);
      for (const [minute, sum, count, lastValue, lastTs, lastSeq] of rows) {
        const slot = s.slotFor(minute);
        store.bucketCount++;
        s.sum[slot] = sum;
        s.count[slot] = count;
        s.lastValue[slot] = lastValue;
        s.lastOffset[slot] = lastTs - minute * 60;
        s.lastSeq[slot] = lastSeq;
      }
    }
    return store;
  }
}

export type SerializedAggregates = Array<{ meterId: string; customerId: string; rows: number[][] }>;

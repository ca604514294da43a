// Per meter, customer and minute aggregates. We keep these instead of raw events so memory grows
// with (customers x active minutes), not with the number of events: a busy customer sending
// thousands of events a minute costs one bucket per minute.
//
// Each bucket holds the sum, the count and the "last" event (value, timestamp, arrival sequence)
// in parallel typed arrays, which V8 stores unboxed; plain objects would box every double.

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

const INITIAL_CAPACITY = 8;

class Series {
  readonly slots = new Map<number, number>();
  sum = new Float64Array(INITIAL_CAPACITY);
  count = new Float64Array(INITIAL_CAPACITY);
  lastValue = new Float64Array(INITIAL_CAPACITY);
  lastTs = new Float64Array(INITIAL_CAPACITY);
  /** Arrival sequence of the bucket's last event; -1 when it was cancelled and is unknown. */
  lastSeq = new Float64Array(INITIAL_CAPACITY);
  size = 0;

  slotFor(minute: number): number {
    let slot = this.slots.get(minute);
    if (slot !== undefined) return slot;
    if (this.size === this.sum.length) this.grow();
    slot = this.size++;
    this.slots.set(minute, slot);
    this.lastSeq[slot] = -1;
    return slot;
  }

  private grow(): void {
    const cap = this.sum.length * 2;
    const widen = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.sum = widen(this.sum);
    this.count = widen(this.count);
    this.lastValue = widen(this.lastValue);
    this.lastTs = widen(this.lastTs);
    this.lastSeq = widen(this.lastSeq);
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
    if (s.lastSeq[slot] < 0 || c.timestamp > s.lastTs[slot] || (c.timestamp === s.lastTs[slot] && c.seq > s.lastSeq[slot])) {
      s.lastValue[slot] = c.value;
      s.lastTs[slot] = c.timestamp;
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
    const slot = s?.slots.get(c.minute);
    if (!s || slot === undefined) return;
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
    const visit = (minute: number, slot: number) => {
      if (minute < firstMinute || minute >= endMinute || s.count[slot] === 0) return;
      const g = Math.max(0, Math.floor((minute * 60 - startSec) / windowSec));
      let acc = groups.get(g);
      if (!acc) groups.set(g, (acc = { sum: 0, count: 0, lastValue: 0, lastTs: -Infinity, lastSeq: -1 }));
      acc.sum += s.sum[slot];
      acc.count += s.count[slot];
      const seq = s.lastSeq[slot];
      if (seq >= 0 && (s.lastTs[slot] > acc.lastTs || (s.lastTs[slot] === acc.lastTs && seq > acc.lastSeq))) {
        acc.lastValue = s.lastValue[slot];
        acc.lastTs = s.lastTs[slot];
        acc.lastSeq = seq;
      }
    };
    // Whichever is smaller: walk the requested minutes, or walk the customer's buckets.
    if (endMinute - firstMinute < s.size) {
      for (let m = firstMinute; m < endMinute; m++) {
        const slot = s.slots.get(m);
        if (slot !== undefined) visit(m, slot);
      }
    } else {
      for (const [minute, slot] of s.slots) visit(minute, slot);
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
        for (const [minute, slot] of s.slots) rows.push([minute, s.sum[slot], s.count[slot], s.lastValue[slot], s.lastTs[slot], s.lastSeq[slot]]);
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
        s.lastTs[slot] = lastTs;
        s.lastSeq[slot] = lastSeq;
      }
    }
    return store;
  }
}

export type SerializedAggregates = Array<{ meterId: string; customerId: string; rows: number[][] }>;

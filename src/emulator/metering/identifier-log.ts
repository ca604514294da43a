// Remembers, for 24 hours after receipt, each identifier and what its event contributed, so a
// repeat is refused and a cancellation can take the value back out.
//
// At tens of thousands of events a second this is the emulator's largest structure, so nothing in
// it is a JS object per event: records live in parallel typed arrays (one slot per identifier),
// and identifiers are kept as 64-bit hashes in an open-addressing table, so the identifier strings
// themselves die young instead of filling the old generation for a day. (Two different
// identifiers colliding on 64 bits among a day's millions is a ~1e-7 chance; SPEC.md says so.)
// Hourly generation lists let us forget a whole hour at once, and freed slots are reused.
import { widen } from './typed-arrays.js';
import type { Contribution } from './aggregate-store.js';
import { HashTable, hashIdentifier, hashState } from './hash-table.js';

export const IDENTIFIER_WINDOW_SEC = 24 * 60 * 60;
const GENERATION_SEC = 60 * 60;

export type RecordState = 'pending' | 'applied' | 'cancelled';
const STATES: RecordState[] = ['pending', 'applied', 'cancelled'];

/** A plain view of one slot (for cancellation and persistence); `hash` is the identifier's, in hex. */
export interface IdentifierRecord {
  hash: string;
  eventName: string;
  receivedAt: number;
  contribution: Contribution;
  /** pending: accepted but still inside the aggregation delay; applied: in the aggregates. */
  state: RecordState;
}

/** Interns the few distinct meter ids, customer ids and event names into small integers. */
class Interner {
  private readonly index = new Map<string, number>();
  readonly values: string[] = [];
  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

export class IdentifierLog {
  private readonly table = new HashTable();
  private slotCount = 0;
  private readonly generations = new Map<number, number[]>();
  private readonly free: number[] = [];
  private readonly strings = new Interner();
  private prunedAtGeneration = -1;
  private capacity = 0;
  private hashHiOf = new Uint32Array(0);
  private hashLoOf = new Uint32Array(0);
  /** Unix seconds fit 32 bits unsigned until 2106. */
  private receivedAt = new Uint32Array(0);
  /** Seconds into the event's minute: the timestamp is minute * 60 + offset. */
  private offset = new Uint8Array(0);
  private value = new Float64Array(0);
  private seq = new Float64Array(0);
  private minute = new Int32Array(0);
  private meter = new Int32Array(0);
  private customer = new Int32Array(0);
  private eventName = new Int32Array(0);
  private stateOf = new Uint8Array(0);

  get size(): number {
    return this.table.size;
  }

  /** The slot for `identifier` if it was received within the last 24 h (as of `nowSec`), else -1. */
  find(identifier: string, nowSec: number): number {
    this.prune(nowSec);
    hashIdentifier(identifier);
    const slot = this.table.get(hashState.hi, hashState.lo);
    return slot >= 0 && nowSec - this.receivedAt[slot] < IDENTIFIER_WINDOW_SEC ? slot : -1;
  }

  /** The slot for `identifier` however old (replaying a log at start), else -1. */
  findAnyAge(identifier: string): number {
    hashIdentifier(identifier);
    return this.table.get(hashState.hi, hashState.lo);
  }

  remember(identifier: string, eventName: string, receivedAt: number, c: Contribution, state: RecordState): number {
    hashIdentifier(identifier);
    return this.rememberHash(hashState.hi, hashState.lo, eventName, receivedAt, c, state);
  }

  private rememberHash(hi: number, lo: number, eventName: string, receivedAt: number, c: Contribution, state: RecordState): number {
    const slot = this.free.pop() ?? this.grow();
    this.hashHiOf[slot] = hi;
    this.hashLoOf[slot] = lo;
    this.receivedAt[slot] = receivedAt;
    this.offset[slot] = c.timestamp - c.minute * 60;
    this.value[slot] = c.value;
    this.seq[slot] = c.seq;
    this.minute[slot] = c.minute;
    this.meter[slot] = this.strings.id(c.meterId);
    this.customer[slot] = this.strings.id(c.customerId);
    this.eventName[slot] = this.strings.id(eventName);
    this.stateOf[slot] = STATES.indexOf(state);
    const gen = Math.floor(receivedAt / GENERATION_SEC);
    let g = this.generations.get(gen);
    if (!g) this.generations.set(gen, (g = []));
    g.push(slot);
    this.table.set(hi, lo, slot);
    return slot;
  }

  state(slot: number): RecordState {
    return STATES[this.stateOf[slot]];
  }

  setState(slot: number, state: RecordState): void {
    this.stateOf[slot] = STATES.indexOf(state);
  }

  record(slot: number): IdentifierRecord {
    return {
      hash: this.hashHiOf[slot].toString(16).padStart(8, '0') + this.hashLoOf[slot].toString(16).padStart(8, '0'),
      eventName: this.strings.values[this.eventName[slot]],
      receivedAt: this.receivedAt[slot],
      state: this.state(slot),
      contribution: {
        meterId: this.strings.values[this.meter[slot]],
        customerId: this.strings.values[this.customer[slot]],
        minute: this.minute[slot],
        value: this.value[slot],
        timestamp: this.minute[slot] * 60 + this.offset[slot],
        seq: this.seq[slot],
      },
    };
  }

  prune(nowSec: number): void {
    const current = Math.floor(nowSec / GENERATION_SEC);
    if (current === this.prunedAtGeneration) return;
    this.prunedAtGeneration = current;
    for (const [gen, slots] of this.generations) {
      if ((gen + 1) * GENERATION_SEC > nowSec - IDENTIFIER_WINDOW_SEC) continue;
      for (const slot of slots) {
        this.table.delete(this.hashHiOf[slot], this.hashLoOf[slot], slot);
        this.free.push(slot);
      }
      this.generations.delete(gen);
    }
  }

  private grow(): number {
    const slot = this.slotCount;
    if (slot === this.capacity) {
      // Grow by half (not double) to keep the transient copy small at millions of slots.
      this.capacity = Math.max(1024, Math.ceil(this.capacity * 1.5));
      this.hashHiOf = widen(this.hashHiOf, this.capacity);
      this.hashLoOf = widen(this.hashLoOf, this.capacity);
      this.receivedAt = widen(this.receivedAt, this.capacity);
      this.offset = widen(this.offset, this.capacity);
      this.value = widen(this.value, this.capacity);
      this.seq = widen(this.seq, this.capacity);
      this.minute = widen(this.minute, this.capacity);
      this.meter = widen(this.meter, this.capacity);
      this.customer = widen(this.customer, this.capacity);
      this.eventName = widen(this.eventName, this.capacity);
      this.stateOf = widen(this.stateOf, this.capacity);
    }
    this.slotCount++;
    return slot;
  }

  toJSON(): IdentifierRecord[] {
    return [...this.table.slots()].map((slot) => this.record(slot));
  }

  static fromJSON(records: IdentifierRecord[]): IdentifierLog {
    const log = new IdentifierLog();
    for (const r of records) {
      if (typeof r.hash !== 'string' || !/^[0-9a-f]{16}$/.test(r.hash)) continue;
      log.rememberHash(parseInt(r.hash.slice(0, 8), 16), parseInt(r.hash.slice(8), 16), r.eventName, r.receivedAt, r.contribution, r.state);
    }
    return log;
  }
}

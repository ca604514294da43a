// Accepts meter events, holds them for the aggregation delay, folds them into the aggregates,
// remembers identifiers for 24 h (dedupe and cancellation) and collects asynchronous validation
// problems into error reports. Pure of HTTP: the routes translate to and from the wire.
import { AggregateStore, type Contribution, type Formula, type WindowValue } from './aggregate-store.js';
import { IdentifierLog, type IdentifierRecord } from './identifier-log.js';
import { ErrorReportBook, type ErrorReport } from './error-reports.js';
import { isProblem, validateMeterEvent, type EventProblem, type MeterLike, type RawMeterEvent } from './validate-event.js';

export interface MeteringDeps {
  nowMs(): number;
  /** How long an accepted event stays invisible to summaries and previews. */
  delayMs: number;
  /** The meter owning `eventName`, whatever its status. */
  findMeter(eventName: string): MeterLike | undefined;
  customerExists(id: string): boolean;
  /** A customer's own "now" in seconds (its test clock), for the timestamp window. */
  customerNowSec?(id: string): number;
  newIdentifier(): string;
  /**
   * Records every accepted event and cancellation for --state's write-ahead log (`replay` applies
   * them again at start). One small array per event: the log must keep up with the stream.
   */
  log?(op: MeteringOp): void;
}

/** `['m.accept', identifier kept or null, eventName, receivedAtSec, meterId, customerId, timestamp, value, seq]` or `['m.cancel', identifier]`. */
export type MeteringOp = unknown[];

export type AcceptResult =
  | { ok: true; identifier: string; timestamp: number; meter: MeterLike; value: number }
  | { ok: false; problem: EventProblem }
  | { ok: false; duplicate: string };

export type CancelResult =
  | { ok: true; record: IdentifierRecord; pending: boolean }
  | { ok: false; reason: 'not_found' | 'already_cancelled' | 'wrong_event_name' };

/** An event still inside the aggregation delay; `slot` is its identifier record, or -1. */
interface Delayed {
  slot: number;
  contribution: Contribution;
  dueMs: number;
}

export class MeteringEngine {
  store = new AggregateStore();
  identifiers = new IdentifierLog();
  readonly reports = new ErrorReportBook();
  private queue: Delayed[] = [];
  private queueHead = 0;
  private seq = 0;
  /** Events accepted since start (including those still delayed). */
  accepted = 0;

  constructor(private readonly deps: MeteringDeps) {}

  /**
   * Validates and records one event. In `async` mode (the v2 stream) an invalid event is
   * dropped into the error-report book instead of being returned as a problem, and a repeated
   * identifier is dropped silently.
   */
  accept(e: RawMeterEvent, mode: 'sync' | 'async'): AcceptResult {
    const nowMs = this.deps.nowMs();
    const nowSec = Math.floor(nowMs / 1000);
    if (e.identifier !== undefined && this.identifiers.find(e.identifier, nowSec) >= 0) return { ok: false, duplicate: e.identifier };
    const identifier = e.identifier ?? this.deps.newIdentifier();
    const r = validateMeterEvent(e, { findMeter: this.deps.findMeter, customerExists: this.deps.customerExists, customerNowSec: this.deps.customerNowSec, nowSec });
    if (isProblem(r)) {
      if (mode === 'async') {
        this.reports.add({ dueMs: nowMs + this.deps.delayMs, meterId: r.meter?.id ?? null, code: r.code, message: r.message, identifier, atMs: nowMs });
      }
      return { ok: false, problem: r };
    }
    const contribution: Contribution = { meterId: r.meter.id, customerId: r.customerId, minute: Math.floor(r.timestamp / 60), value: r.value, timestamp: r.timestamp, seq: this.seq++ };
    const immediate = this.deps.delayMs <= 0;
    // A stream event sent without an identifier can never be referenced again, so only its
    // aggregate is kept.
    const slot = e.identifier !== undefined || mode === 'sync' ? this.identifiers.remember(identifier, e.event_name, nowSec, contribution, immediate ? 'applied' : 'pending') : -1;
    this.accepted++;
    this.deps.log?.(['m.accept', slot >= 0 ? identifier : null, e.event_name, nowSec, contribution.meterId, contribution.customerId, contribution.timestamp, contribution.value, contribution.seq]);
    if (immediate) this.store.add(contribution);
    else this.queue.push({ slot, contribution, dueMs: nowMs + this.deps.delayMs });
    return { ok: true, identifier, timestamp: r.timestamp, meter: r.meter, value: r.value };
  }

  /** Cancels an event received within the last 24 h, taking its value out of the aggregates. */
  cancel(eventName: string, identifier: string): CancelResult {
    const slot = this.identifiers.find(identifier, Math.floor(this.deps.nowMs() / 1000));
    if (slot < 0) return { ok: false, reason: 'not_found' };
    const record = this.identifiers.record(slot);
    if (record.eventName !== eventName) return { ok: false, reason: 'wrong_event_name' };
    if (record.state === 'cancelled') return { ok: false, reason: 'already_cancelled' };
    if (record.state === 'applied') this.store.remove(record.contribution);
    this.identifiers.setState(slot, 'cancelled');
    this.deps.log?.(['m.cancel', identifier]);
    return { ok: true, record, pending: record.state === 'pending' };
  }

  aggregate(meterId: string, formula: Formula, customerId: string, startSec: number, endSec: number): number {
    this.flush();
    return this.store.aggregate(meterId, formula, customerId, startSec, endSec);
  }

  windows(meterId: string, formula: Formula, customerId: string, startSec: number, endSec: number, windowSec: number): WindowValue[] {
    this.flush();
    return this.store.windows(meterId, formula, customerId, startSec, endSec, windowSec);
  }

  /** Folds due events into the aggregates and returns the error reports now due. */
  tick(): ErrorReport[] {
    this.flush();
    return this.reports.takeDue(this.deps.nowMs());
  }

  private flush(): void {
    if (this.queueHead === this.queue.length) return;
    const nowMs = this.deps.nowMs();
    while (this.queueHead < this.queue.length && this.queue[this.queueHead].dueMs <= nowMs) this.apply(this.queue[this.queueHead++]);
    // Compact once the consumed prefix dominates, so the queue does not grow without bound.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Applies everything still delayed (before a final save, so nothing is lost). */
  flushAll(): void {
    for (let i = this.queueHead; i < this.queue.length; i++) this.apply(this.queue[i]);
    this.queue = [];
    this.queueHead = 0;
  }

  private apply(d: Delayed): void {
    if (d.slot >= 0) {
      if (this.identifiers.state(d.slot) !== 'pending') return;
      this.identifiers.setState(d.slot, 'applied');
    }
    this.store.add(d.contribution);
  }

  /** Re-applies a logged change at start (logged events are visible at once, as after a restart). */
  replay(op: MeteringOp): void {
    if (op[0] === 'm.cancel') {
      const identifier = op[1];
      if (typeof identifier !== 'string') throw new Error('m.cancel: the identifier must be a string');
      const slot = this.identifiers.findAnyAge(identifier);
      if (slot < 0 || this.identifiers.state(slot) === 'cancelled') return;
      if (this.identifiers.state(slot) === 'applied') this.store.remove(this.identifiers.record(slot).contribution);
      this.identifiers.setState(slot, 'cancelled');
      return;
    }
    const [, identifier, eventName, receivedAt, meterId, customerId, timestamp, value, seq] = op;
    const numbers = [receivedAt, timestamp, value, seq];
    if (op[0] !== 'm.accept' || (identifier !== null && typeof identifier !== 'string') || typeof eventName !== 'string' || typeof meterId !== 'string' || typeof customerId !== 'string' || !numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      throw new Error(`not a metering change: ${JSON.stringify(op).slice(0, 200)}`);
    }
    const c: Contribution = { meterId, customerId, minute: Math.floor((timestamp as number) / 60), value: value as number, timestamp: timestamp as number, seq: seq as number };
    if (identifier !== null) this.identifiers.remember(identifier, eventName, receivedAt as number, c, 'applied');
    this.store.add(c);
    this.seq = Math.max(this.seq, c.seq + 1);
  }

  /** Events sent without an identifier that are still delayed: they exist nowhere else. */
  pendingAnonymous(): Contribution[] {
    const out: Contribution[] = [];
    for (let i = this.queueHead; i < this.queue.length; i++) if (this.queue[i].slot < 0) out.push(this.queue[i].contribution);
    return out;
  }

  get pendingCount(): number {
    return this.queue.length - this.queueHead;
  }
}

export function isDuplicate(r: AcceptResult): r is { ok: false; duplicate: string } {
  return !r.ok && 'duplicate' in r;
}

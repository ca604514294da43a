// Accepts meter events, holds them for the aggregation delay, folds them into the aggregates,
// remembers identifiers for 24 h (dedupe and cancellation) and collects asynchronous validation
// problems into error reports. Pure of HTTP: the routes translate to and from the wire.
import { AggregateStore, type Formula, type WindowValue } from './aggregate-store.js';
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
  newIdentifier(): string;
}

export type AcceptResult =
  | { ok: true; identifier: string; timestamp: number; meter: MeterLike; value: number }
  | { ok: false; problem: EventProblem }
  | { ok: false; duplicate: IdentifierRecord };

export type CancelResult =
  | { ok: true; record: IdentifierRecord; pending: boolean }
  | { ok: false; reason: 'not_found' | 'already_cancelled' | 'wrong_event_name' };

export class MeteringEngine {
  store = new AggregateStore();
  identifiers = new IdentifierLog();
  readonly reports = new ErrorReportBook();
  private queue: IdentifierRecord[] = [];
  private queueHead = 0;
  private queueDue: number[] = [];
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
    const identifier = e.identifier ?? this.deps.newIdentifier();
    if (e.identifier !== undefined) {
      const seen = this.identifiers.find(e.identifier, nowSec);
      if (seen) return { ok: false, duplicate: seen };
    }
    const r = validateMeterEvent(e, { findMeter: this.deps.findMeter, customerExists: this.deps.customerExists, nowSec });
    if (isProblem(r)) {
      if (mode === 'async') {
        this.reports.add({ dueMs: nowMs + this.deps.delayMs, meterId: r.meter?.id ?? null, code: r.code, message: r.message, identifier, atMs: nowMs });
      }
      return { ok: false, problem: r };
    }
    const record: IdentifierRecord = {
      identifier,
      eventName: e.event_name,
      receivedAt: nowSec,
      state: 'pending',
      contribution: { meterId: r.meter.id, customerId: r.customerId, minute: Math.floor(r.timestamp / 60), value: r.value, timestamp: r.timestamp, seq: this.seq++ },
    };
    // A stream event sent without an identifier can never be referenced again, so only its
    // aggregate is kept.
    if (e.identifier !== undefined || mode === 'sync') this.identifiers.remember(record);
    this.accepted++;
    if (this.deps.delayMs <= 0) this.apply(record);
    else {
      this.queue.push(record);
      this.queueDue.push(nowMs + this.deps.delayMs);
    }
    return { ok: true, identifier, timestamp: r.timestamp, meter: r.meter, value: r.value };
  }

  /** Cancels an event received within the last 24 h, taking its value out of the aggregates. */
  cancel(eventName: string, identifier: string): CancelResult {
    const record = this.identifiers.find(identifier, Math.floor(this.deps.nowMs() / 1000));
    if (!record) return { ok: false, reason: 'not_found' };
    if (record.eventName !== eventName) return { ok: false, reason: 'wrong_event_name' };
    if (record.state === 'cancelled') return { ok: false, reason: 'already_cancelled' };
    const pending = record.state === 'pending';
    if (record.state === 'applied') this.store.remove(record.contribution);
    record.state = 'cancelled';
    return { ok: true, record, pending };
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
    while (this.queueHead < this.queue.length && this.queueDue[this.queueHead] <= nowMs) {
      const record = this.queue[this.queueHead++];
      if (record.state === 'pending') this.apply(record);
    }
    // Compact once the consumed prefix dominates, so the queue does not grow without bound.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueDue = this.queueDue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Flushes everything still delayed (used before saving state, so nothing is lost). */
  flushAll(): void {
    for (let i = this.queueHead; i < this.queue.length; i++) if (this.queue[i].state === 'pending') this.apply(this.queue[i]);
    this.queue = [];
    this.queueDue = [];
    this.queueHead = 0;
  }

  /** Applies a record loaded from --state that was still delayed when saved. */
  applyRestored(record: IdentifierRecord): void {
    this.apply(record);
  }

  private apply(record: IdentifierRecord): void {
    record.state = 'applied';
    this.store.add(record.contribution);
  }

  get pendingCount(): number {
    return this.queue.length - this.queueHead;
  }
}

export function isDuplicate(r: AcceptResult): r is { ok: false; duplicate: IdentifierRecord } {
  return !r.ok && 'duplicate' in r;
}

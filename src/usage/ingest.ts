/**
 * The ingestion pipeline, without terminal or file-format concerns: records in, batches of valid,
 * not-yet-delivered events out to `send`, several in flight, acknowledged events into the journal.
 * The command owns the source, the rejects file, the progress bar and the report; this module
 * only counts (its `stats` object is live, for the progress bar).
 */
import type { ParseResult, UsageEvent } from './event.js';
import { EventIdentities, derivedIdentifier } from './identity.js';
import type { Journal } from './journal.js';
import type { SourceRecord } from './readers.js';
import { checkWindow } from './time.js';
import { isoSeconds } from '../core/time.js';

export interface IngestStats {
  /** Records read (blank lines aside), good or bad. */
  read: number;
  /** Valid events to deliver in this run (not already delivered). */
  valid: number;
  sent: number;
  /** Skipped: the journal says an earlier run delivered them. */
  alreadySent: number;
  /** Delivered before with another value: reported, not sent. */
  changed: number;
  /** Lines repeating an earlier line's identifier: reported, not sent. */
  duplicates: number;
  rejected: number;
  /** Valid events not delivered (failed batches, or left when the run stopped). */
  failed: number;
  /** Events resent after a request whose outcome was unknown (set by the command). */
  resent: number;
  /** Line of the last record read. */
  line: number;
  /** The last line, when it had no newline: held back, not sent. */
  incompleteLine?: number;
}

export type ProblemKind = 'rejected' | 'duplicate' | 'changed';

export interface IngestOptions {
  /** Records one by one, or (cheaper: one async step per chunk, not per line) in arrays. */
  records: AsyncIterable<SourceRecord | readonly SourceRecord[]>;
  parse(record: Record<string, unknown>, line: number): ParseResult;
  /**
   * A customer reference that is not a cus_ id (an email or external id) → its cus_ id, or why
   * not. Called once per line; the command caches by reference. Absent: references are kept as written.
   */
  resolveCustomer?(reference: string): Promise<{ id: string } | { reason: string }>;
  nowSeconds(): number;
  /** Absent in a dry run. */
  send?: (events: UsageEvent[]) => Promise<void>;
  journal?: Pick<Journal, 'delivered' | 'record' | 'flush'>;
  onProblem(kind: ProblemKind, line: number, reason: string, raw: string): void | Promise<void>;
  /**
   * Several files in one run (`files.ts`): before a batch is sent, asks which of its events another
   * file of the run already took the identifier of (why, per event; undefined: free). Those are
   * reported as duplicates and not sent: Stripe would keep only one of two events with one identifier.
   */
  claim?(events: readonly UsageEvent[]): Promise<readonly (string | undefined)[]>;
  concurrency: number;
  batchSize?: number;
  signal?: AbortSignal;
}

export interface IngestResult {
  stats: IngestStats;
  /** The error that stopped the run (a batch that could not be delivered), if any. */
  error?: unknown;
  /** True when the run stopped before the end of the source. */
  stopped: boolean;
}

export function emptyStats(): IngestStats {
  return { read: 0, valid: 0, sent: 0, alreadySent: 0, changed: 0, duplicates: 0, rejected: 0, failed: 0, resent: 0, line: 0 };
}

const CUSTOMER_ID = /^cus_[A-Za-z0-9]+$/;

function changedReason(event: UsageEvent, previousCheck: number): string {
  const old = event.derived ? derivedIdentifier(event.keyHi, event.keyLo, previousCheck) : event.identifier;
  return `changed since an earlier run delivered it: the event of ${event.customer} on ${event.eventName} at ${isoSeconds(event.timestamp)}`
    + `${event.derived ? '' : ` (identifier '${event.identifier}')`} was sent with another value; not sent again. To correct the usage, either cancel the delivered event `
    + `(\`alpaca-billing usage cancel --meter ${event.eventName} --identifier ${old}\`, within 24 hours of its delivery) and send the new value with \`alpaca-billing usage send\`, `
    + 'or send the difference (negative to reduce) with `alpaca-billing usage send --value`.';
}

export async function ingest(options: IngestOptions, stats: IngestStats = emptyStats()): Promise<IngestResult> {
  const batchSize = options.batchSize ?? 100;
  const identities = new EventIdentities();
  /** Batches sent and not yet answered; who waits for one of them to end (woken all at once). */
  let inflight = 0;
  let waiting: (() => void)[] = [];
  const batchEnded = () => new Promise<void>((wake) => waiting.push(wake));
  let batch: UsageEvent[] = [];
  /** With claims, events wait here to be claimed ten batches at a time (one message to the run, not ten), with their lines as read. */
  let unclaimed: UsageEvent[] = [];
  let raws: string[] = [];
  const claimSize = batchSize * 10;
  /** cus_ ids already seen: a set look-up costs less than the pattern, once per event. Bounded. */
  const plainIds = new Set<string>();
  const isPlainId = (customer: string) => {
    if (plainIds.has(customer)) return true;
    if (!CUSTOMER_ID.test(customer)) return false;
    if (plainIds.size >= 100_000) plainIds.clear();
    plainIds.add(customer);
    return true;
  };
  let error: unknown;
  let stopped = false;

  const dispatch = async (events: UsageEvent[]) => {
    if (!options.send || !events.length) return;
    // A counter and a wake-up, not Promise.race over the batches in flight: each race added a reaction to every one of them.
    while (inflight >= options.concurrency) await batchEnded();
    if (error !== undefined) {
      stats.failed += events.length;
      return;
    }
    inflight++;
    void options.send(events).then(
      () => {
        stats.sent += events.length;
        try {
          options.journal?.record(events);
        } catch (err) {
          // Delivered but not journaled (a full disk): the run stops; a re-run resends them under the same identifiers.
          error ??= err;
        }
      },
      (err: unknown) => {
        stats.failed += events.length;
        error ??= err;
      },
    ).finally(() => {
      inflight--;
      const woken = waiting;
      waiting = [];
      for (const wake of woken) wake();
    });
  };

  const problem = async (kind: ProblemKind, line: number, reason: string, raw: string) => {
    if (kind === 'rejected') stats.rejected++;
    else if (kind === 'duplicate') stats.duplicates++;
    else stats.changed++;
    await options.onProblem(kind, line, reason, raw);
  };

  /** The batch without the events another file of the run holds the identifier of. */
  const claimed = async (events: UsageEvent[], lines: string[]): Promise<UsageEvent[]> => {
    if (!options.claim || !events.length) return events;
    const taken = await options.claim(events);
    const kept: UsageEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const reason = taken[i];
      if (reason === undefined) kept.push(events[i]);
      else {
        stats.valid--;
        await problem('duplicate', events[i].line, reason, lines[i]);
      }
    }
    return kept;
  };
  /** Claims what waits, and sends what the run leaves to this source in batches. */
  const release = async () => {
    const kept = await claimed(unclaimed, raws);
    unclaimed = [];
    raws = [];
    for (let i = 0; i < kept.length; i += batchSize) await dispatch(kept.slice(i, i + batchSize));
  };

  reading: for await (const item of options.records) {
    const records: readonly SourceRecord[] = Array.isArray(item) ? item : [item as SourceRecord];
    // Once per chunk and batch sent, not per event (a clock read per event showed in profiles).
    let now = options.nowSeconds();
    for (const rec of records) {
      if (error !== undefined || options.signal?.aborted) { stopped = true; break reading; }
      if (rec.incomplete) {
        stats.incompleteLine = rec.line;
        continue;
      }
      stats.read++;
      stats.line = rec.line;
      const parsed: ParseResult = rec.record ? options.parse(rec.record, rec.line) : { ok: false, reason: rec.error ?? 'unreadable record' };
      if (!parsed.ok) {
        await problem('rejected', rec.line, parsed.reason, rec.raw);
        continue;
      }
      const event = parsed.event;
      if (options.resolveCustomer && !isPlainId(event.customer)) {
        let found: { id: string } | { reason: string };
        try {
          found = await options.resolveCustomer(event.customer);
        } catch (err) {
          error ??= err; // Stripe itself failed: stop here, what was delivered is journaled
          stopped = true;
          break reading;
        }
        if ('reason' in found) {
          await problem('rejected', rec.line, found.reason, rec.raw);
          continue;
        }
        event.customer = found.id;
      }
      const firstLine = identities.assign(event);
      if (firstLine !== undefined) {
        await problem('duplicate', rec.line, `duplicate: identifier '${event.identifier}' was already used on line ${firstLine}; not sent`, rec.raw);
        continue;
      }
      const previous = options.journal?.delivered(event.keyHi, event.keyLo);
      if (previous === event.check) {
        stats.alreadySent++;
        continue;
      }
      if (previous !== undefined) {
        await problem('changed', rec.line, changedReason(event, previous), rec.raw);
        continue;
      }
      // After the journal: a re-run days later still skips old delivered lines instead of rejecting them.
      const outside = checkWindow(event.timestamp, now);
      if (outside) {
        await problem('rejected', rec.line, outside, rec.raw);
        continue;
      }
      stats.valid++;
      if (options.claim) {
        unclaimed.push(event);
        raws.push(rec.raw);
        if (unclaimed.length >= claimSize) {
          await release();
          now = options.nowSeconds();
        }
        continue;
      }
      batch.push(event);
      if (batch.length >= batchSize) {
        const full = batch;
        batch = [];
        await dispatch(full);
        now = options.nowSeconds();
      }
    }
  }
  if (!stopped) {
    await release();
    await dispatch(batch);
  } else if (options.send) stats.failed += batch.length + unclaimed.length;
  batch = [];
  while (inflight > 0) await batchEnded();
  try {
    await options.journal?.flush();
  } catch (err) {
    error ??= err; // what was delivered is in Stripe; what the journal lost is resent by a re-run under the same identifiers
  }
  return { stats, error, stopped };
}

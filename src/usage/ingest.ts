/**
 * The ingestion pipeline, without terminal or file-format concerns: records in, batches of valid,
 * not-yet-delivered events out to `send`, several in flight, acknowledged ranges into the journal.
 * The command owns the source, the rejects file, the progress bar and the report; this module
 * only counts (its `stats` object is live, for the progress bar).
 */
import type { ParseResult, UsageEvent } from './event.js';
import type { Journal } from './journal.js';
import { ResumeFilter, rangesOf } from './ranges.js';
import type { SourceRecord } from './readers.js';
import { checkWindow } from './time.js';

export interface IngestStats {
  /** Records read (blank lines aside), good or bad. */
  read: number;
  /** Valid events to deliver in this run (not already delivered). */
  valid: number;
  sent: number;
  /** Skipped: the journal says an earlier run delivered them. */
  alreadySent: number;
  /** Delivered lines that have changed since: sent again as new events. */
  changed: number;
  duplicates: number;
  rejected: number;
  /** Valid events not delivered (failed batches, or left when the run stopped). */
  failed: number;
  /** Line of the last record read. */
  line: number;
}

export interface IngestOptions {
  records: AsyncIterable<SourceRecord>;
  parse(record: Record<string, unknown>, line: number): ParseResult;
  nowSeconds(): number;
  /** Absent in a dry run. */
  send?: (events: UsageEvent[]) => Promise<void>;
  journal?: Pick<Journal, 'previous' | 'record' | 'flush'>;
  onReject(line: number, reason: string, raw: string): void | Promise<void>;
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
  return { read: 0, valid: 0, sent: 0, alreadySent: 0, changed: 0, duplicates: 0, rejected: 0, failed: 0, line: 0 };
}

export async function ingest(options: IngestOptions, stats: IngestStats = emptyStats()): Promise<IngestResult> {
  const batchSize = options.batchSize ?? 100;
  const filter = new ResumeFilter(options.journal?.previous ?? []);
  const inflight = new Set<Promise<void>>();
  let batch: UsageEvent[] = [];
  let error: unknown;
  let stopped = false;

  const dispatch = async (events: UsageEvent[]) => {
    if (!options.send) return;
    while (inflight.size >= options.concurrency) await Promise.race(inflight);
    if (error !== undefined) {
      stats.failed += events.length;
      return;
    }
    const p: Promise<void> = options.send(events).then(
      () => {
        options.journal?.record(rangesOf(events));
        stats.sent += events.length;
      },
      (err: unknown) => {
        stats.failed += events.length;
        error ??= err;
      },
    ).finally(() => inflight.delete(p));
    inflight.add(p);
  };

  const accept = async (event: UsageEvent) => {
    const outside = checkWindow(event.timestamp, options.nowSeconds());
    if (outside) {
      stats.rejected++;
      await options.onReject(event.line, outside, event.raw ?? '');
      return;
    }
    stats.valid++;
    batch.push(event);
    if (batch.length >= batchSize) {
      const full = batch;
      batch = [];
      await dispatch(full);
    }
  };

  for await (const rec of options.records) {
    if (error !== undefined || options.signal?.aborted) { stopped = true; break; }
    stats.read++;
    stats.line = rec.line;
    const parsed: ParseResult = rec.record ? options.parse(rec.record, rec.line) : { ok: false, reason: rec.error ?? 'unreadable record' };
    if (!parsed.ok) {
      stats.rejected++;
      await options.onReject(rec.line, parsed.reason, rec.raw);
      continue;
    }
    parsed.event.raw = rec.raw;
    for (const event of filter.push(parsed.event)) await accept(event);
    stats.alreadySent = filter.skipped;
  }
  if (!stopped) for (const event of filter.end()) await accept(event);
  stats.alreadySent = filter.skipped;
  stats.changed = filter.changed;
  if (!stopped && batch.length) await dispatch(batch);
  else if (stopped && options.send) stats.failed += batch.length;
  batch = [];
  while (inflight.size) await Promise.race(inflight);
  await options.journal?.flush();
  return { stats, error, stopped };
}

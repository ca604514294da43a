/**
 * One source through the pipeline, as `usage ingest` of one file and each worker of a run of several
 * files do it: the stream sender, the parser and the customer resolver around `ingest()`. The caller
 * owns the journal, the rejects file, the progress display and the report.
 */
import type { CommandContext } from './context.js';
import type { StripeClient } from '../stripe/client.js';
import type { RateLimiter } from '../stripe/rate-limiter.js';
import { parseUsageRecord } from '../usage/event.js';
import { ingest, type IngestOptions, type IngestResult, type IngestStats } from '../usage/ingest.js';
import type { MeterCatalog } from '../usage/meters.js';
import { readRecordBatches, type UsageFormat } from '../usage/readers.js';
import { StreamSender } from '../usage/stream-sender.js';

export interface SourceSetup {
  stripe?: StripeClient;
  catalog: MeterCatalog;
  resolveCustomer?: IngestOptions['resolveCustomer'];
  limiter: RateLimiter;
  meter?: string;
  concurrency?: number;
  maxAttempts?: number;
  dryRun: boolean;
}

export interface Source {
  input: AsyncIterable<Buffer | string>;
  format: UsageFormat;
  /** How the user named it, for a bad CSV header. */
  name: string;
  journal: IngestOptions['journal'];
  onProblem: IngestOptions['onProblem'];
  claim?: IngestOptions['claim'];
  signal: AbortSignal;
}

export async function ingestSource(ctx: CommandContext, setup: SourceSetup, source: Source, stats: IngestStats): Promise<IngestResult> {
  const sender = setup.stripe && !setup.dryRun
    ? new StreamSender({
      stripe: setup.stripe,
      limiter: setup.limiter,
      meterFor: (name) => setup.catalog.byEvent(name),
      maxAttempts: setup.maxAttempts,
      connections: setup.concurrency ?? 8,
      signal: ctx.signal,
      onRetry: ({ attempt, reason, delayMs }) => ctx.out.debug(`retry ${attempt} in ${delayMs} ms: ${reason}`),
    })
    : undefined;
  try {
    return await ingest({
      records: readRecordBatches(source.input, source.format, source.name),
      parse: (record, line) => parseUsageRecord(record, { line, defaultMeter: setup.meter, resolveMeter: setup.catalog.resolve }),
      resolveCustomer: setup.resolveCustomer,
      nowSeconds: () => Math.floor(Date.now() / 1000),
      send: sender ? (events) => sender.send(events) : undefined,
      journal: source.journal,
      onProblem: source.onProblem,
      claim: source.claim,
      concurrency: setup.concurrency ?? 8,
      signal: source.signal,
    }, stats);
  } finally {
    sender?.close();
    stats.resent = sender?.resentUnknown ?? 0;
  }
}

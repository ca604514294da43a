/**
 * One source through the pipeline, as `usage ingest` of one file and each worker of a run of several
 * files do it: the stream sender, the parser and the customer resolver around `ingest()`. The caller
 * owns the journal, the rejects file, the progress display and the report.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import type { CommandContext } from './context.js';
import { UserError } from '../errors.js';
import type { StripeClient } from '../stripe/client.js';
import type { RateLimiter } from '../stripe/rate-limiter.js';
import { parseUsageRecord } from '../usage/event.js';
import { ingest, type IngestOptions, type IngestResult, type IngestStats } from '../usage/ingest.js';
import { refuseVersion1Journals } from '../usage/journal.js';
import type { MeterCatalog } from '../usage/meters.js';
import { readRecordBatches, type UsageFormat } from '../usage/readers.js';
import { StreamSender } from '../usage/stream-sender.js';

/** The journal directory's name beside the input file (or in the working directory for stdin). */
export const STATE_DIR = '.alpaca-billing';

/** A path as the user would write it from the working directory (as it is when outside it). */
export function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel || path;
}

/** The journal directories are folders (or not there yet) without journals of the first version; else exit 3. */
export async function checkJournalDirs(cwd: string, dirs: readonly string[]): Promise<void> {
  for (const dir of new Set(dirs)) {
    // A stray file of that name would otherwise fail deep inside, as if it were a bug.
    if (!(await stat(dir).then((st) => st.isDirectory(), () => true))) {
      throw new UserError(`${shownPath(cwd, dir)} is a file, not a folder: usage ingest keeps its journal and rejected lines in that folder.`, { hint: 'Move or remove that file, or name another folder with --journal-dir.' });
    }
  }
  await refuseVersion1Journals([...new Set(dirs)]);
}

/** `usage ingest`'s flags. */
export interface UsageIngestOptions {
  format?: UsageFormat;
  meter?: string;
  maxRps?: number;
  concurrency?: number;
  dryRun?: boolean;
  rejects?: string;
  sourceName?: string;
  journalDir?: string;
  maxAttempts?: number;
  workers?: number;
}

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
  // One context for every line (its line number set per call), not an object per event.
  const context = { line: 0, defaultMeter: setup.meter, resolveMeter: setup.catalog.resolve };
  try {
    return await ingest({
      records: readRecordBatches(source.input, source.format, source.name),
      parse: (record, line) => {
        context.line = line;
        return parseUsageRecord(record, context);
      },
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

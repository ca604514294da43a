/**
 * A worker process of `usage ingest` with several files (`usage-ingest-files.ts` starts it: the same
 * CLI, same flags, with WORKER_ENV set and an IPC channel). It ingests the files the run hands it, one
 * at a time, exactly as `usage ingest FILE` would, except that the run owns the journal (the worker
 * reads it, and sends the records of acknowledged events to the run to write) and the rate limit
 * (the worker gets its share), and that every batch's identifiers are claimed from the run first.
 */
import type { CommandResult } from './command-result.js';
import type { CommandContext } from './context.js';
import { ingestSource, type SourceSetup } from './usage-ingest-source.js';
import { loadMeterCatalog } from './usage-setup.js';
import { customerResolver } from '../customers/resolve.js';
import { UserError } from '../errors.js';
import { RateLimiter } from '../stripe/rate-limiter.js';
import { claimedReason, type FileJob, type FileOutcome, type FromWorker, type ToWorker } from '../usage/files.js';
import { emptyStats, type ProblemKind } from '../usage/ingest.js';
import { Journal, journalRecords } from '../usage/journal.js';
import { fileChunks } from '../usage/readers.js';
import { RejectsWriter } from '../usage/rejects.js';

/** Set in a worker's environment by the run that started it. */
export const WORKER_ENV = 'ALPACA_BILLING_INGEST_WORKER';
const PROGRESS_MS = 200;
/** Problems shown on the run's terminal per file (changed lines; every problem in a dry run). */
const SHOWN = { changed: 5, dryRun: 20 };

export interface WorkerOptions {
  meter?: string;
  concurrency?: number;
  maxAttempts?: number;
  dryRun?: boolean;
}

export function isIngestWorker(env: NodeJS.ProcessEnv): boolean {
  return env[WORKER_ENV] === '1' && typeof process.send === 'function';
}

export async function runIngestWorker(ctx: CommandContext, options: WorkerOptions): Promise<CommandResult> {
  const post = (m: FromWorker) => process.send!(m);
  // The run is gone (killed): stop at once. Batches Stripe acknowledged but the run did not journal
  // are resent by the next run with the same identifiers, which Stripe counts once within 24 hours.
  process.on('disconnect', () => process.exit(0));
  const dryRun = Boolean(options.dryRun);
  let setup: SourceSetup;
  try {
    const { catalog, stripe } = await loadMeterCatalog(ctx, { offline: dryRun });
    setup = {
      stripe,
      catalog,
      resolveCustomer: stripe ? customerResolver(stripe) : undefined,
      limiter: new RateLimiter(0),
      meter: options.meter,
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
      dryRun,
    };
  } catch (err) {
    post({ type: 'failed', message: (err as Error).message, hint: err instanceof UserError ? err.hint : undefined, exitCode: err instanceof UserError ? err.exitCode : undefined });
    return await new Promise<never>(() => {});
  }
  const stopper = new AbortController();
  const signal = AbortSignal.any([ctx.interruptible(), stopper.signal]);
  const claims = new Map<number, (taken: Int32Array) => void>();
  let claimId = 0;
  const journals = new Map<string, Promise<Journal>>();
  const journalOf = (dir: string) => {
    if (!journals.has(dir)) journals.set(dir, Journal.open(dir, { nowSeconds: Math.floor(Date.now() / 1000), readOnly: true, onNotice: () => undefined }));
    return journals.get(dir)!;
  };

  const runFile = async (job: FileJob): Promise<FileOutcome> => {
    const started = performance.now();
    const stats = emptyStats();
    setup.limiter.rps = job.rps;
    const journal = await journalOf(job.journalDir);
    const rejects = new RejectsWriter(job.rejectsPath);
    // The size when the run began: a file still being written is read to the same point by every run.
    let bytes = 0;
    const input = fileChunks(job.path, { limit: job.size, onBytes: (n) => { bytes += n; } });
    // Journal records go to the run with the next claim, or with the progress, whichever comes first:
    // a message per batch is the largest cost of a worker beyond ingest itself.
    let acknowledged: Buffer[] = [];
    const takeJournal = () => {
      if (!acknowledged.length) return undefined;
      const records = acknowledged.length === 1 ? acknowledged[0] : Buffer.concat(acknowledged);
      acknowledged = [];
      return records;
    };
    const sendJournal = () => {
      const records = takeJournal();
      if (records) post({ type: 'journal', index: job.index, records });
    };
    const progress = setInterval(() => {
      sendJournal();
      post({ type: 'progress', index: job.index, stats, bytes });
    }, PROGRESS_MS);
    const shown: Record<string, number> = {};
    const onProblem = async (kind: ProblemKind, line: number, reason: string, raw: string) => {
      const limit = dryRun ? SHOWN.dryRun : kind === 'changed' ? SHOWN.changed : 0;
      if ((shown[kind] = (shown[kind] ?? 0) + 1) <= limit) post({ type: 'problem', index: job.index, kind, line, reason });
      if (!dryRun) await rejects.write(kind, line, reason, raw);
    };
    try {
      const result = await ingestSource(ctx, setup, {
        input,
        format: job.format,
        name: job.shown,
        journal: {
          delivered: (hi, lo) => journal.delivered(hi, lo),
          record: (events) => { acknowledged.push(journalRecords(events)); },
          flush: async () => undefined,
        },
        onProblem,
        claim: async (events) => {
          const keys = new Uint32Array(events.length * 2);
          events.forEach((e, i) => { keys[2 * i] = e.keyHi; keys[2 * i + 1] = e.keyLo; });
          const id = claimId++;
          const taken = await new Promise<Int32Array>((done) => { claims.set(id, done); post({ type: 'claim', id, index: job.index, keys, journal: takeJournal() }); });
          return Array.from(taken, (holder) => (holder < 0 ? undefined : claimedReason(job.names[holder])));
        },
        signal,
      }, stats);
      return { stats, stopped: result.stopped, error: result.error === undefined ? undefined : (result.error as Error)?.message ?? String(result.error), rejectsWritten: rejects.written, elapsedMs: performance.now() - started };
    } catch (err) {
      // A file the pipeline cannot read (a CSV without its header): that file fails, the others go on.
      return { stats, stopped: true, error: (err as Error).message, rejectsWritten: rejects.written, elapsedMs: performance.now() - started };
    } finally {
      clearInterval(progress);
      sendJournal();
      await rejects.close();
      await input.return(undefined); // closes the file if the pipeline stopped before its end
    }
  };

  process.on('message', (m: ToWorker) => {
    if (m.type === 'claimed') {
      claims.get(m.id)?.(m.taken);
      claims.delete(m.id);
    } else if (m.type === 'rate') setup.limiter.rps = m.rps;
    else if (m.type === 'stop') stopper.abort();
    else if (m.type === 'file') void runFile(m).then((outcome) => post({ type: 'done', index: m.index, outcome }));
  });
  post({ type: 'ready' });
  // The run ends the worker by closing the channel (above).
  return await new Promise<never>(() => {});
}

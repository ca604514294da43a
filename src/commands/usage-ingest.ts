import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { hash } from 'node:crypto';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { ExitCode, UserError, toStripeApiError } from '../errors.js';
import { parseUsageRecord } from '../usage/event.js';
import { emptyStats, ingest } from '../usage/ingest.js';
import { Journal } from '../usage/journal.js';
import { startProgress } from '../usage/progress.js';
import { formatFromName, readRecords, type UsageFormat } from '../usage/readers.js';
import { defaultMaxRps, RateLimiter } from '../usage/rate-limiter.js';
import { buildReport, renderReport } from '../usage/report.js';
import { loadMeterCatalog, requireMeter } from '../usage/setup.js';
import { StreamSender } from '../usage/stream-sender.js';

export interface UsageIngestOptions {
  format?: UsageFormat;
  meter?: string;
  maxRps?: number;
  concurrency?: number;
  dryRun?: boolean;
  rejects?: string;
  sourceName?: string;
  maxAttempts?: number;
}

/** State (journals, rejects) lives in `.alpaca-billing/` of the working directory. */
export const STATE_DIR = '.alpaca-billing';

/** `usage ingest <file|->`: the v2 stream, exactly once across retries, crashes and re-runs. */
export async function usageIngestCommand(ctx: CommandContext, options: UsageIngestOptions, file: string): Promise<number> {
  const fromStdin = file === '-';
  const path = fromStdin ? undefined : resolve(ctx.cwd, file);
  let size: number | undefined;
  if (path) {
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new UserError(`${file} is not a file.`);
      size = st.size;
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`, { hint: 'Give a usage file (NDJSON or CSV), or - to read standard input.' });
    }
  }
  const format = options.format ?? (fromStdin ? 'ndjson' : formatFromName(file));
  const sourceKey = options.sourceName ?? (fromStdin ? 'stdin' : basename(file));
  const dryRun = Boolean(options.dryRun);

  const { catalog, stripe } = await loadMeterCatalog(ctx, { offline: dryRun });
  if (options.meter) requireMeter(catalog, options.meter);

  const stateDir = join(ctx.cwd, STATE_DIR);
  // A stray file of that name would otherwise fail deep inside, as if it were a bug.
  if (!(await stat(stateDir).then((st) => st.isDirectory(), () => true))) {
    throw new UserError(`${STATE_DIR} is a file, not a folder: usage ingest keeps its journal and rejected lines in the folder ${STATE_DIR}/.`, { hint: 'Move or remove that file, or run the command from another folder.' });
  }
  const rejectsPath = options.rejects ? resolve(ctx.cwd, options.rejects) : join(stateDir, 'rejects', `${sourceKey.replace(/[^A-Za-z0-9._-]+/g, '_')}.rejects.ndjson`);
  await rm(rejectsPath, { force: true }); // the rejects file describes the latest run only
  let rejects: WriteStream | undefined;
  const onReject = async (line: number, reason: string, raw: string) => {
    if (!rejects) {
      await mkdir(dirname(rejectsPath), { recursive: true });
      rejects = createWriteStream(rejectsPath);
    }
    if (!rejects.write(JSON.stringify({ line, reason, text: raw }) + '\n')) await once(rejects, 'drain');
  };

  const journal = dryRun ? undefined : await Journal.open(stateDir, path && !options.sourceName ? `${sourceKey}#${await firstLineHash(path)}` : sourceKey);
  const mode = ctx.mode();
  const sender = stripe && !dryRun
    ? new StreamSender({
      stripe,
      limiter: new RateLimiter(options.maxRps ?? defaultMaxRps(mode)),
      meterFor: (name) => catalog.byEvent(name),
      maxAttempts: options.maxAttempts,
      signal: ctx.signal,
      onRetry: ({ attempt, reason, delayMs }) => ctx.out.debug(`retry ${attempt} in ${delayMs} ms: ${reason}`),
    })
    : undefined;

  const input: NodeJS.ReadableStream = fromStdin ? ctx.stdin : createReadStream(path!);
  let bytes = 0;
  input.on('data', (chunk: Buffer | string) => { bytes += chunk.length; });
  const stats = emptyStats();
  const started = performance.now();
  const progress = await startProgress(ctx.out, { total: size, bytes: () => bytes, stats, startedMs: started });
  let result;
  try {
    result = await ingest({
      records: readRecords(input, format, file),
      parse: (record, line) => parseUsageRecord(record, { line, sourceKey, defaultMeter: options.meter, resolveMeter: catalog.resolve }),
      nowSeconds: () => Math.floor(Date.now() / 1000),
      send: sender ? (events) => sender.send(events) : undefined,
      journal,
      onReject,
      concurrency: options.concurrency ?? 8,
      signal: ctx.interruptible(),
    }, stats);
  } finally {
    progress.stop();
    await journal?.close();
    const r = rejects as WriteStream | undefined;
    if (r) await new Promise((done) => r.end(done));
    (input as { destroy?: () => void }).destroy?.();
  }
  stats.duplicates = sender?.resentUnknown ?? 0;
  const interrupted = ctx.signal.aborted && result.stopped;
  const errorText = result.error !== undefined ? describeError(result.error) : interrupted ? 'interrupted' : undefined;
  const report = buildReport({
    source: fromStdin ? 'stdin' : file,
    dryRun,
    stats,
    elapsedMs: performance.now() - started,
    rejectsFile: stats.rejected ? relative(ctx.cwd, rejectsPath) || rejectsPath : undefined,
    stopped: result.stopped,
    error: errorText,
  });
  if (ctx.out.json) ctx.out.data(report);
  else for (const line of renderReport(report)) ctx.out.line(line);
  if (stats.sent && !ctx.out.json) {
    ctx.out.info('note: Stripe checks streamed events asynchronously; an event for an unknown customer is dropped and reported in a v1.billing.meter.error_report_triggered event (see `alpaca-billing events tail`).');
  }
  if (stats.rejected && !ctx.out.json) ctx.out.warn(`${stats.rejected} line${stats.rejected === 1 ? '' : 's'} rejected; reasons and line numbers are in ${report.rejects_file}.`);
  // Ctrl-C is the user's decision (what was sent is journaled; the same command resumes), not a failure.
  return report.ok ? ExitCode.ok : interrupted && result.error === undefined ? ExitCode.cancelled : ExitCode.error;
}

function describeError(err: unknown): string {
  const e = toStripeApiError(err) as Error;
  return e?.message ?? String(err);
}

/**
 * Files are journaled under their name plus a hash of their first line: two files called
 * usage.ndjson in different folders keep separate journals, while the same file moved, or grown
 * by appending, keeps its own.
 */
async function firstLineHash(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    return hash('sha256', nl < 0 ? text : text.slice(0, nl), 'hex').slice(0, 12);
  } finally {
    await handle.close();
  }
}

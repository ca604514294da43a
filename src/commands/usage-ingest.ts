import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { ExitCode, UserError } from '../errors.js';
import type { Output } from '../output/output.js';
import { customerResolver } from '../customers/resolve.js';
import { checkJournalDirs, ingestSource, shownPath, STATE_DIR, type UsageIngestOptions } from '../cli/usage-ingest-source.js';
import { ingestFiles } from '../cli/usage-ingest-files.js';
import { isIngestWorker, runIngestWorker } from '../cli/usage-ingest-worker.js';
import { emptyStats, type ProblemKind } from '../usage/ingest.js';
import { Journal } from '../usage/journal.js';
import { startProgress } from '../usage/progress.js';
import { fileChunks, formatFromName } from '../usage/readers.js';
import { defaultRps, RateLimiter } from '../stripe/rate-limiter.js';
import { checkRejectsPath, RejectsWriter } from '../usage/rejects.js';
import { buildReport, renderReport } from '../usage/report.js';
import { loadMeterCatalog, requireMeter } from '../cli/usage-setup.js';

const DRY_RUN_SHOWN = 20;
const CHANGED_SHOWN = 5;

/** `usage ingest <file|->`: the v2 stream, exactly once across retries, crashes, re-runs and edits. Several files: `ingestFiles`. */
export async function usageIngestCommand(ctx: CommandContext, options: UsageIngestOptions, ...files: string[]): Promise<CommandResult> {
  if (isIngestWorker(ctx.env)) return await runIngestWorker(ctx, options);
  const file = files[0];
  // Several files, a directory, or a pattern the shell left alone (`'logs/*.ndjson'`).
  const several = files.length > 1 || (file !== '-' && (await stat(resolve(ctx.cwd, file)).then((st) => st.isDirectory(), () => /[*?]/.test(file))));
  if (several) return await ingestFiles(ctx, options, files);
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
  const source = options.sourceName ?? (fromStdin ? 'stdin' : basename(file));
  const dryRun = Boolean(options.dryRun);
  const shown = (p: string) => shownPath(ctx.cwd, p);

  const journalDir = options.journalDir ? resolve(ctx.cwd, options.journalDir) : join(path ? dirname(path) : ctx.cwd, STATE_DIR);
  await checkJournalDirs(ctx.cwd, [journalDir, join(ctx.cwd, STATE_DIR)]);
  const rejectsPath = options.rejects ? resolve(ctx.cwd, options.rejects) : join(journalDir, 'rejects', `${source.replace(/[^A-Za-z0-9._-]+/g, '_')}.rejects.ndjson`);
  await checkRejectsPath(rejectsPath, options.rejects ?? shown(rejectsPath), path);

  const { catalog, stripe } = await loadMeterCatalog(ctx, { offline: dryRun });
  if (options.meter) requireMeter(catalog, options.meter);

  const journal = await Journal.open(journalDir, { nowSeconds: Math.floor(Date.now() / 1000), readOnly: dryRun, onNotice: (m) => ctx.out.warn(m) });
  const rejects = new RejectsWriter(rejectsPath);
  let bytes = 0;
  const chunks = path ? fileChunks(path, { onBytes: (n) => { bytes += n; } }) : undefined;
  if (!chunks) ctx.stdin.on('data', (chunk: Buffer | string) => { bytes += chunk.length; });
  const input: AsyncIterable<Buffer | string> = chunks ?? ctx.stdin;
  const stats = emptyStats();
  const started = performance.now();
  let result;
  try {
    if (fromStdin && !options.journalDir) ctx.out.info(`journal: ${shown(journal.path)} (stdin uses the working directory's; pass --journal-dir to share another)`);
    let shownInDryRun = 0;
    let shownChanged = 0;
    const onProblem = async (kind: ProblemKind, line: number, reason: string, raw: string) => {
      // A changed line needs the user's action (the reason says which command): show the first few.
      if (kind === 'changed' && !dryRun && !ctx.settings.json && shownChanged++ < CHANGED_SHOWN) ctx.out.warn(`${fromStdin ? 'stdin' : file}:${line}: ${reason}`);
      if (!dryRun) return rejects.write(kind, line, reason, raw);
      if (shownInDryRun++ < DRY_RUN_SHOWN) ctx.out.warn(`${fromStdin ? 'stdin' : file}:${line}: ${kind === 'rejected' ? '' : `${kind}: `}${reason}`);
    };
    const progress = await startProgress(ctx.out, { total: size, bytes: () => bytes, stats, startedMs: started });
    const setup = {
      stripe,
      catalog,
      resolveCustomer: stripe ? customerResolver(stripe) : undefined,
      limiter: new RateLimiter(options.maxRps ?? defaultRps(ctx.mode(), 'meterEventStream')),
      meter: options.meter,
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
      dryRun,
    };
    try {
      result = await ingestSource(ctx, setup, {
        input,
        format,
        name: file,
        journal: dryRun ? { delivered: (hi, lo) => journal.delivered(hi, lo), record: () => undefined, flush: async () => undefined } : journal,
        onProblem,
        // Ctrl-C lets the batches in flight finish and be journaled, then stops.
        signal: ctx.interruptible(),
      }, stats);
    } finally {
      progress.stop();
    }
  } finally {
    try {
      await journal.close();
    } catch (err) {
      // The journal could not be written: the run's error, in its report (the same error if the run
      // already stopped on it). Without a result, the pipeline threw, and its error goes on.
      if (result) result.error ??= err;
    }
    await rejects.close();
    if (chunks) await chunks.return(undefined); // closes the file if the pipeline stopped before its end
    else (ctx.stdin as { destroy?: () => void }).destroy?.();
  }
  const interrupted = ctx.signal.aborted && result.stopped;
  const errorText = result.error !== undefined ? describeError(result.error) : interrupted ? 'interrupted' : undefined;
  const report = buildReport({
    source: fromStdin ? 'stdin' : file,
    journal: shown(journal.path),
    dryRun,
    stats,
    elapsedMs: performance.now() - started,
    rejectsFile: rejects.written ? shown(rejectsPath) : undefined,
    stopped: result.stopped,
    error: errorText,
    incompleteIsError: fromStdin,
  });
  const problems = stats.rejected + stats.changed + stats.duplicates;
  const render = (out: Output) => {
    for (const line of renderReport(report, fromStdin)) out.line(line);
    if (stats.sent) out.info('note: Stripe checks streamed events asynchronously; an event for an unknown customer is dropped and reported in a v1.billing.meter.error_report_triggered event (see `alpaca-billing events tail`).');
    if (problems && report.rejects_file) out.warn(`${problems} line${problems === 1 ? '' : 's'} not sent (rejected, changed or duplicate); reasons and line numbers are in ${report.rejects_file}.`);
  };
  // Ctrl-C is the user's decision (what was sent is journaled; the same command resumes), not a failure.
  return { data: report, render, exitCode: report.ok ? ExitCode.ok : interrupted && result.error === undefined ? ExitCode.cancelled : ExitCode.error };
}

function describeError(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}

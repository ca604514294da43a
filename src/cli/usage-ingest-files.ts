/**
 * `usage ingest` of several files (or directories): the run. It checks every input, opens and locks
 * each journal involved, and hands the files to worker processes (`usage-ingest-worker.ts`, the same
 * CLI) a file at a time, at most `--workers` at once. It is the one writer of the journals (workers
 * send the records of what Stripe acknowledged), the keeper of the identifiers the files claim
 * (`ClaimTable`), the owner of the rate limit (each busy worker gets an equal share) and of the one
 * progress bar; the report adds the files up. See src/usage/README.md, "Several files".
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CommandResult } from './command-result.js';
import type { CommandContext } from './context.js';
import { checkJournalDirs, shownPath, STATE_DIR, type UsageIngestOptions } from './usage-ingest-source.js';
import { loadMeterCatalog, requireMeter } from './usage-setup.js';
import { WORKER_ENV } from './usage-ingest-worker.js';
import { installedBin } from '../demo/self-command.js';
import { ExitCode, UserError } from '../errors.js';
import type { Output } from '../output/output.js';
import { defaultRps } from '../stripe/rate-limiter.js';
import { ClaimTable, expandInputs, sourceNames, type FileOutcome, type FromWorker, type InputFile, type ToWorker } from '../usage/files.js';
import { emptyStats, type IngestStats } from '../usage/ingest.js';
import { Journal } from '../usage/journal.js';
import { startProgress } from '../usage/progress.js';
import { formatFromName } from '../usage/readers.js';
import { checkRejectsPath } from '../usage/rejects.js';
import { buildReport, renderFilesReport, totalsOf, type FilesReport } from '../usage/report.js';

export async function ingestFiles(ctx: CommandContext, options: UsageIngestOptions, args: string[]): Promise<CommandResult> {
  if (options.rejects) throw new UserError('--rejects names one file: with several inputs, each file\'s rejected lines go to <journal dir>/rejects/<file>.rejects.ndjson.', { hint: 'Leave out --rejects, or ingest one file.' });
  if (options.sourceName) throw new UserError('--source-name names one source: with several inputs, each file is named by its own name.', { hint: 'Leave out --source-name, or ingest one file.' });
  const files = await expandInputs(ctx.cwd, args);
  const dryRun = Boolean(options.dryRun);
  const shown = (p: string) => shownPath(ctx.cwd, p);
  const journalDirs = files.map((f) => (options.journalDir ? resolve(ctx.cwd, options.journalDir) : join(dirname(f.path), STATE_DIR)));
  await checkJournalDirs(ctx.cwd, journalDirs);
  const names = sourceNames(files);
  const rejectsPaths = files.map((f, i) => join(journalDirs[i], 'rejects', `${names[i]}.rejects.ndjson`));
  for (const [i, f] of files.entries()) await checkRejectsPath(rejectsPaths[i], shown(rejectsPaths[i]), f.path);
  // Stripe's answer (a bad key, an unknown --meter) once, here, before any worker starts.
  const { catalog } = await loadMeterCatalog(ctx, { offline: dryRun });
  if (options.meter) requireMeter(catalog, options.meter);
  const bin = installedBin();
  if (!bin) throw new Error('usage ingest of several files starts worker processes of the built CLI; run bin/alpaca-billing.cjs');

  const journals = new Map<string, Journal>();
  try {
    for (const dir of new Set(journalDirs)) journals.set(dir, await Journal.open(dir, { nowSeconds: Math.floor(Date.now() / 1000), readOnly: dryRun, lookups: false, onNotice: (m) => ctx.out.warn(m) }));
    const started = performance.now();
    const run = await runWorkers(ctx, {
      files,
      bin,
      workers: Math.max(1, Math.min(options.workers ?? availableParallelism(), files.length)),
      rps: options.maxRps ?? defaultRps(ctx.mode(), 'meterEventStream'),
      dryRun,
      job: (index) => ({
        type: 'file',
        index,
        path: files[index].path,
        shown: files[index].shown,
        size: files[index].size,
        format: options.format ?? formatFromName(files[index].path),
        journalDir: journalDirs[index],
        rejectsPath: rejectsPaths[index],
        names: files.map((f) => f.shown),
        rps: 0,
      }),
      onJournal: (index, records) => journals.get(journalDirs[index])!.append(records),
    });
    // A journal that could not be written fails the run like a worker that failed (its error says what to do).
    const flushed = await Promise.allSettled([...journals.values()].map((j) => j.flush()));
    const journalFailure = flushed.find((f) => f.status === 'rejected')?.reason as unknown;
    const reports = files.map((f, i) => {
      const outcome = run.outcomes[i] ?? { stats: emptyStats(), stopped: true, error: run.failure?.message ?? 'not started: the run was stopped', rejectsWritten: false, elapsedMs: 0 };
      return buildReport({
        source: f.shown,
        journal: shown(journals.get(journalDirs[i])!.path),
        dryRun,
        stats: outcome.stats,
        elapsedMs: outcome.elapsedMs,
        rejectsFile: outcome.rejectsWritten ? shown(rejectsPaths[i]) : undefined,
        stopped: outcome.stopped,
        error: outcome.error,
        incompleteIsError: false,
      });
    });
    const seconds = (performance.now() - started) / 1000;
    const totals = totalsOf(reports);
    const delivered = dryRun ? reports.reduce((n, r) => n + r.read - r.rejected - r.already_sent - r.changed - r.duplicates, 0) : totals.sent;
    const report: FilesReport = {
      ok: reports.every((r) => r.ok),
      dry_run: dryRun,
      workers: run.workers,
      files: reports,
      totals,
      elapsed_seconds: Math.round(seconds * 100) / 100,
      events_per_second: seconds > 0 ? Math.round(delivered / seconds) : delivered,
    };
    if (run.failure) throw run.failure;
    if (journalFailure) throw journalFailure;
    const interrupted = ctx.signal.aborted;
    const render = (out: Output) => {
      for (const line of renderFilesReport(report)) out.line(line);
      const problems = totals.rejected + totals.changed + totals.duplicates;
      if (problems && !dryRun) out.warn(`${problems} line${problems === 1 ? '' : 's'} not sent (rejected, changed or duplicate); reasons and line numbers are in each file's rejects file above.`);
    };
    return { data: report, render, exitCode: report.ok ? ExitCode.ok : interrupted && reports.every((r) => !r.error || r.error === 'not started: the run was stopped') ? ExitCode.cancelled : ExitCode.error };
  } finally {
    // Every journal closed and unlocked; a failure to write one has been thrown above.
    await Promise.allSettled([...journals.values()].map((j) => j.close()));
  }
}

interface RunSpec {
  files: InputFile[];
  bin: string;
  workers: number;
  /** The run's requests per second (0: no limit), split equally between the files in progress. */
  rps: number;
  dryRun: boolean;
  job(index: number): Extract<ToWorker, { type: 'file' }>;
  onJournal(index: number, records: Uint8Array): void;
}

interface RunResult {
  outcomes: (FileOutcome | undefined)[];
  workers: number;
  /** A worker could not start (a bad key, no Stripe): the run stops. */
  failure?: UserError;
}

/** Starts the workers, hands out the files, answers claims, writes journal records, shows progress. */
async function runWorkers(ctx: CommandContext, spec: RunSpec): Promise<RunResult> {
  const signal = ctx.interruptible();
  const claims = new ClaimTable();
  const outcomes: (FileOutcome | undefined)[] = spec.files.map(() => undefined);
  const live: IngestStats[] = spec.files.map(() => emptyStats());
  const bytes: number[] = spec.files.map(() => 0);
  const sum = emptyStats();
  let next = 0;
  let failure: UserError | undefined;
  const busy = new Map<ChildProcess, number>();
  const started = performance.now();
  const progress = await startProgress(ctx.out, { total: spec.files.reduce((n, f) => n + f.size, 0), bytes: () => bytes.reduce((a, b) => a + b, 0), stats: sum, startedMs: started });
  const totalUp = () => {
    for (const key of Object.keys(sum) as (keyof IngestStats)[]) if (typeof sum[key] === 'number') (sum[key] as number) = live.reduce((n, s) => n + ((s[key] as number | undefined) ?? 0), 0);
  };
  const share = () => (spec.rps > 0 ? spec.rps / Math.max(1, busy.size) : 0);
  const reshare = () => {
    for (const child of busy.keys()) if (child.connected) child.send({ type: 'rate', rps: share() } satisfies ToWorker);
  };
  const giveWork = (child: ChildProcess) => {
    busy.delete(child);
    if (next >= spec.files.length || signal.aborted || failure) {
      if (child.connected) child.disconnect();
      reshare();
      return;
    }
    const index = next++;
    busy.set(child, index);
    child.send({ ...spec.job(index), rps: share() } satisfies ToWorker);
    reshare();
  };
  const stopAll = () => {
    for (const child of busy.keys()) if (child.connected) child.send({ type: 'stop' } satisfies ToWorker);
  };
  /** Writes a worker's acknowledged records; a journal that cannot be written stops the run at once. */
  const journal = (index: number, records: Uint8Array) => {
    try {
      spec.onJournal(index, records);
    } catch (err) {
      // Journal.append throws only the journal's own error (a UserError saying what to do).
      if (!failure) stopAll();
      failure ??= err as UserError;
    }
  };
  signal.addEventListener('abort', stopAll, { once: true });

  const start = () => new Promise<void>((done) => {
    const argv = process.argv.slice(2);
    const child = fork(spec.bin, argv, {
      cwd: ctx.cwd,
      env: { ...ctx.env, [WORKER_ENV]: '1' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    child.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'ready': return giveWork(child);
        case 'claim':
          if (m.journal) journal(m.index, m.journal);
          return void child.send({ type: 'claimed', id: m.id, taken: claims.claim(m.index, m.keys) } satisfies ToWorker);
        case 'journal': return journal(m.index, m.records);
        case 'progress':
          live[m.index] = m.stats;
          bytes[m.index] = m.bytes;
          return totalUp();
        case 'problem': return (ctx.settings.json && !spec.dryRun) || ctx.out.warn(`${spec.files[m.index].shown}:${m.line}: ${m.kind === 'rejected' ? '' : `${m.kind}: `}${m.reason}`);
        case 'done':
          outcomes[m.index] = m.outcome;
          live[m.index] = m.outcome.stats;
          bytes[m.index] = spec.files[m.index].size;
          totalUp();
          return giveWork(child);
        case 'failed':
          failure ??= new UserError(m.message, { hint: m.hint, exitCode: m.exitCode });
          stopAll();
          return child.connected && child.disconnect();
      }
    });
    child.on('exit', (code, sig) => {
      const index = busy.get(child);
      busy.delete(child);
      // A worker that died mid-file: what it acknowledged is journaled; the rest is resent by the next run.
      // (Ctrl-C reaches the workers too: one that ended by it before it could stop gracefully is just stopped.)
      if (index !== undefined && !outcomes[index]) {
        const error = signal.aborted ? undefined : `its worker process ended (${sig ?? `exit code ${code}`}); run the same command again to resume`;
        outcomes[index] = { stats: { ...live[index], failed: live[index].valid - live[index].sent }, stopped: true, error, rejectsWritten: false, elapsedMs: performance.now() - started };
      }
      reshare();
      done();
    });
  });
  try {
    await Promise.all(Array.from({ length: spec.workers }, start));
  } finally {
    progress.stop();
  }
  return { outcomes, workers: spec.workers, failure };
}

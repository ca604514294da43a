/** The ingest report: one value for both the human lines and `--json`. */
import type { IngestStats } from './ingest.js';

export interface IngestReport {
  ok: boolean;
  source: string;
  /** The journal file (relative to the working directory when inside it). */
  journal: string;
  dry_run: boolean;
  read: number;
  sent: number;
  already_sent: number;
  changed: number;
  duplicates: number;
  rejected: number;
  failed: number;
  resent: number;
  elapsed_seconds: number;
  events_per_second: number;
  rejects_file?: string;
  incomplete_line?: number;
  stopped_at_line?: number;
  error?: string;
}

export interface ReportInput {
  source: string;
  journal: string;
  dryRun: boolean;
  stats: IngestStats;
  elapsedMs: number;
  rejectsFile?: string;
  stopped: boolean;
  error?: string;
  /** stdin: an unterminated last line means the stream was cut, a failure. A file may still be growing. */
  incompleteIsError: boolean;
}

export function buildReport(input: ReportInput): IngestReport {
  const { stats } = input;
  const seconds = input.elapsedMs / 1000;
  const delivered = input.dryRun ? stats.valid : stats.sent;
  const cut = input.incompleteIsError && stats.incompleteLine !== undefined;
  return {
    ok: stats.failed === 0 && !input.stopped && input.error === undefined && !cut,
    source: input.source,
    journal: input.journal,
    dry_run: input.dryRun,
    read: stats.read,
    sent: input.dryRun ? 0 : stats.sent,
    already_sent: stats.alreadySent,
    changed: stats.changed,
    duplicates: stats.duplicates,
    rejected: stats.rejected,
    failed: stats.failed,
    resent: stats.resent,
    elapsed_seconds: Math.round(seconds * 100) / 100,
    events_per_second: seconds > 0 ? Math.round(delivered / seconds) : delivered,
    ...(input.rejectsFile ? { rejects_file: input.rejectsFile } : {}),
    ...(stats.incompleteLine !== undefined ? { incomplete_line: stats.incompleteLine } : {}),
    ...(input.stopped ? { stopped_at_line: stats.line } : {}),
    ...(input.error ? { error: input.error } : {}),
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export function renderReport(r: IngestReport, incompleteIsError: boolean): string[] {
  const see = r.rejects_file ? `; see ${r.rejects_file}` : '';
  const lines = [
    r.dry_run ? `dry run of ${r.source}: nothing sent` : `ingested ${r.source}`,
    `  journal       ${r.journal}`,
    `  read          ${n(r.read)}`,
    r.dry_run ? `  valid         ${n(r.read - r.rejected - r.already_sent - r.changed - r.duplicates)}` : `  sent          ${n(r.sent)}`,
    `  already sent  ${n(r.already_sent)}${r.already_sent ? '  (skipped: the journal shows an earlier run delivered them)' : ''}`,
    `  changed       ${n(r.changed)}${r.changed ? `  (delivered before with another value; not sent${see})` : ''}`,
    `  duplicates    ${n(r.duplicates)}${r.duplicates ? `  (repeat an earlier line's identifier; not sent${see})` : ''}`,
    `  rejected      ${n(r.rejected)}${r.rejected ? `  (${r.rejects_file ? `see ${r.rejects_file}` : 'dry run: listed above'})` : ''}`,
  ];
  if (r.resent) lines.push(`  resent        ${n(r.resent)}  (after an unanswered request; Stripe counts each once)`);
  if (r.failed) lines.push(`  not delivered ${n(r.failed)}`);
  lines.push(`  elapsed       ${r.elapsed_seconds.toFixed(2)} s, ${n(r.events_per_second)} events/s`);
  if (r.incomplete_line !== undefined) {
    lines.push(incompleteIsError
      ? `line ${n(r.incomplete_line)} was cut off (no newline before the input ended): not sent; send the rest again to deliver it`
      : `line ${n(r.incomplete_line)} has no newline yet: held back, not sent (if the file is complete, end it with a newline and run again)`);
  }
  if (r.stopped_at_line !== undefined) lines.push(`stopped at line ${n(r.stopped_at_line)}${r.error ? `: ${r.error}` : ''}; run the same command again to resume`);
  return lines;
}

/** `usage ingest` of several files: each file's report, and their sums. */
export interface FilesReport {
  ok: boolean;
  dry_run: boolean;
  /** Worker processes the run used. */
  workers: number;
  files: IngestReport[];
  totals: { read: number; sent: number; already_sent: number; changed: number; duplicates: number; rejected: number; failed: number; resent: number };
  elapsed_seconds: number;
  events_per_second: number;
}

export function renderFilesReport(r: FilesReport): string[] {
  const columns = ['read', r.dry_run ? 'valid' : 'sent', 'already sent', 'changed', 'duplicates', 'rejected', 'not delivered'] as const;
  const row = (x: FilesReport['totals']) => [x.read, r.dry_run ? x.read - x.rejected - x.already_sent - x.changed - x.duplicates : x.sent, x.already_sent, x.changed, x.duplicates, x.rejected, x.failed].map(n);
  const rows = [['file', ...columns], ...r.files.map((f) => [f.source, ...row(f)]), ['total', ...row(r.totals)]];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((cells) => cells[c].length)));
  const lines = [
    `${r.dry_run ? 'dry run of' : 'ingested'} ${n(r.files.length)} files (${r.workers} worker process${r.workers === 1 ? '' : 'es'})${r.dry_run ? ': nothing sent' : ''}`,
    ...rows.map((cells) => `  ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}`),
  ];
  if (r.totals.resent) lines.push(`  resent ${n(r.totals.resent)} (after an unanswered request; Stripe counts each once)`);
  for (const journal of new Set(r.files.map((f) => f.journal))) lines.push(`  journal ${journal}`);
  lines.push(`  elapsed ${r.elapsed_seconds.toFixed(2)} s, ${n(r.events_per_second)} events/s`);
  for (const f of r.files) {
    if (f.rejects_file) lines.push(`${f.source}: lines not sent are in ${f.rejects_file}`);
    if (f.incomplete_line !== undefined) lines.push(`${f.source}: line ${n(f.incomplete_line)} has no newline yet: held back, not sent`);
    if (f.stopped_at_line !== undefined || f.error) lines.push(`${f.source}: stopped${f.stopped_at_line ? ` at line ${n(f.stopped_at_line)}` : ''}${f.error ? `: ${f.error}` : ''}; run the same command again to resume`);
  }
  return lines;
}

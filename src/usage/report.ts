/** The ingest report: one value for both the human lines and `--json`. */
import type { IngestStats } from './ingest.js';

export interface IngestReport {
  ok: boolean;
  source: string;
  dry_run: boolean;
  read: number;
  sent: number;
  already_sent: number;
  duplicates: number;
  rejected: number;
  failed: number;
  changed: number;
  elapsed_seconds: number;
  events_per_second: number;
  rejects_file?: string;
  stopped_at_line?: number;
  error?: string;
}

export function buildReport(input: { source: string; dryRun: boolean; stats: IngestStats; elapsedMs: number; rejectsFile?: string; stopped: boolean; error?: string }): IngestReport {
  const { stats } = input;
  const seconds = input.elapsedMs / 1000;
  const delivered = input.dryRun ? stats.valid : stats.sent;
  return {
    ok: stats.failed === 0 && !input.stopped && input.error === undefined,
    source: input.source,
    dry_run: input.dryRun,
    read: stats.read,
    sent: input.dryRun ? 0 : stats.sent,
    already_sent: stats.alreadySent,
    duplicates: stats.duplicates,
    rejected: stats.rejected,
    failed: stats.failed,
    changed: stats.changed,
    elapsed_seconds: Math.round(seconds * 100) / 100,
    events_per_second: seconds > 0 ? Math.round(delivered / seconds) : delivered,
    ...(input.rejectsFile ? { rejects_file: input.rejectsFile } : {}),
    ...(input.stopped ? { stopped_at_line: stats.line } : {}),
    ...(input.error ? { error: input.error } : {}),
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export function renderReport(r: IngestReport): string[] {
  const lines = [
    r.dry_run ? `dry run of ${r.source}: nothing sent` : `ingested ${r.source}`,
    `  read          ${n(r.read)}`,
    r.dry_run ? `  valid         ${n(r.read - r.rejected - r.already_sent)}` : `  sent          ${n(r.sent)}`,
    `  already sent  ${n(r.already_sent)}${r.already_sent ? '  (skipped: the journal shows an earlier run delivered them)' : ''}`,
    `  duplicates    ${n(r.duplicates)}${r.duplicates ? '  (resent after an unanswered request; Stripe counts each once)' : ''}`,
    `  rejected      ${n(r.rejected)}${r.rejects_file ? `  (see ${r.rejects_file})` : ''}`,
  ];
  if (r.failed) lines.push(`  not delivered ${n(r.failed)}`);
  if (r.changed) lines.push(`  changed       ${n(r.changed)}  (lines delivered before have changed; sent as new events)`);
  lines.push(`  elapsed       ${r.elapsed_seconds.toFixed(2)} s, ${n(r.events_per_second)} events/s`);
  if (r.stopped_at_line !== undefined) lines.push(`stopped at line ${n(r.stopped_at_line)}${r.error ? `: ${r.error}` : ''}; run the same command again to resume`);
  return lines;
}

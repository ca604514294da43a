/**
 * Several usage files in one `usage ingest` (README.md, "Several files, several machines"): the
 * inputs, the table in which the files of a run claim their events' identifiers, and the messages
 * between the run and its worker processes. The processes themselves are the CLI's
 * (`cli/usage-ingest-files.ts`, `cli/usage-ingest-worker.ts`).
 *
 * Each file is its own source, exactly as if it were ingested alone: its events' identifiers come
 * from their content and their rank among the file's events at the same place, and the journal beside
 * it skips what was delivered before. Files run in parallel, so a file's events cannot wait for an
 * earlier file's ranks: two files with an event at the same place and rank (the same customer, meter
 * and second) would send one identifier twice, and Stripe would keep one. The run therefore claims
 * every identifier before sending it: the second file's event is reported as a duplicate, never
 * silently lost, and a copy of a file in the same run is sent once.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError, type ExitCodeValue } from '../errors.js';
import type { IngestStats, ProblemKind } from './ingest.js';
import { KeyTable } from './key-table.js';
import type { IngestReport } from './report.js';

/** What a directory given to `usage ingest` contributes: its usage files, in name order. */
const USAGE_FILE = /\.(ndjson|jsonl|csv)$/i;

export interface InputFile {
  path: string;
  /** How the user named it (or the directory plus its name). */
  shown: string;
  size: number;
}

/** The files of `usage ingest a b dir/`: directories give their usage files (not recursively). */
export async function expandInputs(cwd: string, args: readonly string[]): Promise<InputFile[]> {
  if (args.includes('-')) throw new UserError('usage ingest: - (standard input) cannot be combined with other inputs.', { hint: 'Ingest standard input on its own: `usage ingest -`.' });
  const files: InputFile[] = [];
  const seen = new Map<string, string>();
  const add = async (path: string, shown: string) => {
    const st = await stat(path);
    const id = `${st.dev}:${st.ino}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new UserError(`usage ingest: ${shown} is the same file as ${earlier}.`, { hint: 'Name each file once.' });
    seen.set(id, shown);
    files.push({ path, shown, size: st.size });
  };
  for (const arg of args) {
    const path = resolve(cwd, arg);
    // A pattern the shell left alone (quoted, or a shell without globbing): `*` and `?` in the file name.
    if (/[*?]/.test(basename(arg)) && !(await stat(path).catch(() => undefined))) {
      const pattern = new RegExp(`^${basename(arg).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      const names = (await readdir(dirname(path), { withFileTypes: true }).catch(() => [])).filter((e) => e.isFile() && pattern.test(e.name)).map((e) => e.name).sort();
      if (!names.length) throw new UserError(`No file matches ${arg}.`, { hint: 'Give usage files (NDJSON or CSV) or directories holding them.' });
      for (const name of names) await add(join(dirname(path), name), join(dirname(arg), name));
      continue;
    }
    const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new UserError(`Cannot read ${arg}: ${err.code === 'ENOENT' ? 'no such file' : err.message}.`, { hint: 'Give usage files (NDJSON or CSV) or directories holding them.' });
    });
    if (st.isDirectory()) {
      const names = (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile() && USAGE_FILE.test(e.name)).map((e) => e.name).sort();
      if (!names.length) throw new UserError(`${arg} holds no usage files (*.ndjson, *.jsonl, *.csv).`);
      for (const name of names) await add(join(path, name), join(arg, name));
    } else if (st.isFile()) await add(path, arg);
    else throw new UserError(`${arg} is not a file.`);
  }
  return files;
}

/** A name per file for its rejects file: its own name, or its path when two files share a name. */
export function sourceNames(files: readonly InputFile[]): string[] {
  const count = new Map<string, number>();
  for (const f of files) count.set(basename(f.path), (count.get(basename(f.path)) ?? 0) + 1);
  return files.map((f) => (count.get(basename(f.path))! > 1 ? f.shown : basename(f.path)).replace(/[^A-Za-z0-9._-]+/g, '_'));
}

/**
 * The identifiers the files of one run send, and which file took each first. Memory: a `KeyTable`
 * entry per event sent in the run (about 21 bytes), in the run's own process.
 */
export class ClaimTable {
  private readonly owners = new KeyTable();

  /** For each key (hi, lo pairs), -1 when `file` may send it (now or before), else the file that holds it. */
  claim(file: number, keys: Uint32Array): Int32Array {
    const taken = new Int32Array(keys.length / 2);
    for (let i = 0; i < taken.length; i++) {
      const previous = this.owners.get(keys[2 * i], keys[2 * i + 1]);
      if (previous === undefined) this.owners.set(keys[2 * i], keys[2 * i + 1], file);
      taken[i] = previous === undefined || previous === file ? -1 : previous;
    }
    return taken;
  }
}

/** Why an event is not sent when another file of the run holds its identifier. */
export function claimedReason(holder: string): string {
  return `duplicate: ${holder}, another file of this run, has an event with the same identifier (the same customer, meter and second, `
    + 'or the same `identifier` field); Stripe keeps only one event per identifier, so this one is not sent. If both are real usage, '
    + 'give the events their own `identifier`s, or ingest the files as one stream (`cat a b | alpaca-billing usage ingest - --journal-dir DIR`).';
}

// ---- Messages between the run and its workers (Node's IPC, advanced serialization: typed arrays pass as they are) ----

export interface FileJob {
  type: 'file';
  index: number;
  path: string;
  shown: string;
  /** Bytes to read: the size when the run started, so a file still growing is read to the same point by every run. */
  size: number;
  format: 'ndjson' | 'csv';
  journalDir: string;
  rejectsPath: string;
  /** Every file's shown name, by index (for the reason of a claimed event). */
  names: string[];
  /** This worker's share of the run's requests per second (0: no limit). */
  rps: number;
}

export type ToWorker =
  | FileJob
  | { type: 'claimed'; id: number; taken: Int32Array }
  | { type: 'rate'; rps: number }
  | { type: 'stop' };

export interface FileOutcome {
  stats: IngestStats;
  stopped: boolean;
  error?: string;
  rejectsWritten: boolean;
  elapsedMs: number;
}

export type FromWorker =
  | { type: 'ready' }
  /** `journal`: records of acknowledged events not yet sent, riding along (one message instead of two per batch). */
  | { type: 'claim'; id: number; index: number; keys: Uint32Array; journal?: Uint8Array }
  | { type: 'journal'; index: number; records: Uint8Array }
  | { type: 'progress'; index: number; stats: IngestStats; bytes: number }
  | { type: 'problem'; index: number; kind: ProblemKind; line: number; reason: string }
  | { type: 'done'; index: number; outcome: FileOutcome }
  | { type: 'failed'; message: string; exitCode?: ExitCodeValue; hint?: string };

/** The sums a run of several files reports beside each file's own report. */
export interface FilesTotals {
  read: number;
  sent: number;
  already_sent: number;
  changed: number;
  duplicates: number;
  rejected: number;
  failed: number;
  resent: number;
}

export function totalsOf(reports: readonly IngestReport[]): FilesTotals {
  const t: FilesTotals = { read: 0, sent: 0, already_sent: 0, changed: 0, duplicates: 0, rejected: 0, failed: 0, resent: 0 };
  for (const r of reports) for (const k of Object.keys(t) as (keyof FilesTotals)[]) t[k] += r[k];
  return t;
}

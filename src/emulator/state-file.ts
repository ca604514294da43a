import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-write.js';
import { checkSavedMetering } from './metering/saved-metering.js';
import type { ChangeBatch, StateDocument } from './store.js';

/** Raised when --state names a file that is not emulator state: never silently discarded. */
export class StateFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
    hint = 'Fix it, point --state at another file, or delete it to start empty.',
  ) {
    super(`State file ${file} is not usable: ${detail}. ${hint}`);
    this.name = 'StateFileError';
  }
}

/** The write-ahead log beside the snapshot. */
export const logFileOf = (file: string): string => `${file}.wal`;

const MAX_LISTED = 10;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the state file; undefined when it does not exist yet (a fresh emulator creates it). */
export async function readStateFile(file: string): Promise<StateDocument | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(file, `invalid JSON (${(err as Error).message})`);
  }
  const d = doc as Partial<StateDocument> | null;
  if (!d || typeof d !== 'object' || d.format !== 'alpaca-billing-emulator-state') {
    throw new StateFileError(file, "missing \"format\": \"alpaca-billing-emulator-state\"");
  }
  if (d.version !== 1) throw new StateFileError(file, `unsupported version ${String(d.version)}`);
  if (!d.collections || typeof d.collections !== 'object' || Object.values(d.collections).some((c) => !Array.isArray(c))) {
    throw new StateFileError(file, '"collections" must map names to arrays');
  }
  if (!d.slices || typeof d.slices !== 'object') throw new StateFileError(file, '"slices" must be an object');
  if (typeof d.random !== 'number') throw new StateFileError(file, '"random" must be a number');
  if (d.walSeq !== undefined && typeof d.walSeq !== 'number') throw new StateFileError(file, '"walSeq" must be a number');
  const problems = [...checkRecords(d.collections as Record<string, unknown[]>, 'collections'), ...checkSlices(d.slices as Record<string, unknown>, 'slices')];
  if (problems.length) throw new StateFileError(file, listProblems(problems));
  return d as StateDocument;
}

/** A log record from line `line` of the log. */
export interface LoggedBatch {
  line: number;
  batch: ChangeBatch;
}

/**
 * Reads the write-ahead log. An unreadable last record is a write cut short by a crash (it was
 * never acknowledged) and is dropped; an unreadable record before the last is damage, refused.
 */
export async function readLogFile(file: string): Promise<{ batches: LoggedBatch[]; tornLine?: number }> {
  const logFile = logFileOf(file);
  const text = await readText(logFile);
  if (!text) return { batches: [] };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const batches: LoggedBatch[] = [];
  for (let i = 0; i < lines.length; i++) {
    const last = i === lines.length - 1;
    let batch: unknown;
    try {
      batch = JSON.parse(lines[i]);
    } catch (err) {
      if (last) return { batches, tornLine: i + 1 };
      throw new StateFileError(logFile, `line ${i + 1} is not a log record (${(err as Error).message})`, `It is ${file}'s write-ahead log; move both files away to start empty.`);
    }
    const problems = checkBatch(batch);
    if (problems.length) {
      if (last && !isObject(batch)) return { batches, tornLine: i + 1 };
      throw new StateFileError(logFile, `line ${i + 1}: ${listProblems(problems)}`, `It is ${file}'s write-ahead log; move both files away to start empty.`);
    }
    batches.push({ line: i + 1, batch: batch as ChangeBatch });
  }
  return { batches };
}

/** Writes the state so that a crash never leaves half a file. */
export async function writeStateFile(file: string, text: string): Promise<void> {
  await writeFileAtomic(file, text);
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(file, (err as Error).message);
  }
}

function listProblems(problems: string[]): string {
  const shown = problems.slice(0, MAX_LISTED).join('; ');
  return problems.length > MAX_LISTED ? `${shown}; and ${problems.length - MAX_LISTED} more` : shown;
}

/** Every stored object is a JSON object with a string id, unique in its collection. */
function checkRecords(collections: Record<string, unknown[]>, path: string): string[] {
  const problems: string[] = [];
  for (const [name, items] of Object.entries(collections)) {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const at = `${path}.${name}[${i}]`;
      if (!isObject(item)) problems.push(`${at}: must be an object, got ${JSON.stringify(item)}`);
      else if (typeof item.id !== 'string' || item.id === '') problems.push(`${at}.id: must be a non-empty string, got ${JSON.stringify(item.id)}`);
      else if (seen.has(item.id)) problems.push(`${at}.id: ${item.id} appears twice`);
      else seen.add(item.id);
    });
  }
  return problems;
}

/** Slices are free-form; those with a known shape are checked. */
function checkSlices(slices: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(slices)) {
    if (name === 'metering') problems.push(...checkSavedMetering(value, `${path}.metering`, MAX_LISTED + 1));
    else if (!isObject(value)) problems.push(`${path}.${name}: must be an object, got ${JSON.stringify(value)}`);
  }
  return problems;
}

function checkBatch(b: unknown): string[] {
  if (!isObject(b)) return ['must be a JSON object'];
  const problems: string[] = [];
  if (typeof b.seq !== 'number') problems.push('"seq" must be a number');
  if (typeof b.random !== 'number') problems.push('"random" must be a number');
  if (b.put !== undefined) {
    if (!isObject(b.put) || Object.values(b.put).some((c) => !Array.isArray(c))) problems.push('"put" must map collection names to arrays');
    else problems.push(...checkRecords(b.put as Record<string, unknown[]>, 'put'));
  }
  if (b.del !== undefined && (!isObject(b.del) || Object.values(b.del).some((c) => !Array.isArray(c) || c.some((id) => typeof id !== 'string')))) {
    problems.push('"del" must map collection names to arrays of ids');
  }
  if (b.slices !== undefined) {
    if (!isObject(b.slices)) problems.push('"slices" must be an object');
    else problems.push(...checkSlices(b.slices, 'slices'));
  }
  if (b.ops !== undefined && (!Array.isArray(b.ops) || b.ops.some((op) => !Array.isArray(op) || typeof op[0] !== 'string'))) {
    problems.push('"ops" must be an array of [kind, ...] arrays');
  }
  return problems;
}

import { readFile, rename, writeFile } from 'node:fs/promises';
import type { StateDocument } from './store.js';

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

/** Reads the state file; undefined when it does not exist yet (a fresh emulator creates it). */
export async function readStateFile(file: string): Promise<StateDocument | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(file, (err as Error).message);
  }
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
  return d as StateDocument;
}

/** Writes to a temporary file beside the target, then renames it over: a crash never leaves half a file. */
export async function writeStateFile(file: string, doc: StateDocument): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(doc), 'utf8');
  await rename(tmp, file);
}

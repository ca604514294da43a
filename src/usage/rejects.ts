/**
 * The rejects file: NDJSON, one `{line, kind, reason, text}` per line that was rejected, repeated
 * an identifier (duplicate) or changed since delivery. It is only ever created when a run has
 * something to put in it, never in a dry run, and it may replace only a rejects file of ours: the
 * input itself or any other file is refused before anything is sent.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import type { ProblemKind } from './ingest.js';

/** True when the text's first line is one of our records (or the file is empty). */
export function looksLikeRejects(head: string): boolean {
  const first = head.split('\n', 1)[0].trim();
  if (first === '') return head.trim() === '';
  try {
    const value = JSON.parse(first) as { line?: unknown; reason?: unknown };
    return typeof value.line === 'number' && typeof value.reason === 'string';
  } catch {
    return false;
  }
}

/** Refuses a rejects path that is the input or a file we did not write. `shown` is how the user named it. */
export async function checkRejectsPath(path: string, shown: string, input: string | undefined): Promise<void> {
  const target = await stat(path).catch(() => undefined);
  if (!target) return;
  const source = input ? await stat(input) : undefined;
  if (source && source.dev === target.dev && source.ino === target.ino) {
    throw new UserError(`--rejects: ${shown} is the input file; the rejects go to a file of their own.`, { hint: 'Pass another path, e.g. --rejects rejects.ndjson.' });
  }
  let head = '';
  if (target.isFile()) {
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  }
  if (!target.isFile() || !looksLikeRejects(head)) {
    throw new UserError(`--rejects: ${shown} exists and is not a rejects file written by alpaca-billing; refusing to overwrite it.`, {
      hint: 'Pass a new path, or an earlier rejects file of alpaca-billing (it is replaced when the run has lines to report).',
    });
  }
}

/** Opens the file on the first line to report, replacing an earlier rejects file of ours. */
export class RejectsWriter {
  private stream: WriteStream | undefined;

  constructor(readonly path: string) {}

  get written(): boolean {
    return this.stream !== undefined;
  }

  async write(kind: ProblemKind, line: number, reason: string, text: string): Promise<void> {
    if (!this.stream) {
      await mkdir(dirname(this.path), { recursive: true });
      this.stream = createWriteStream(this.path);
    }
    if (!this.stream.write(JSON.stringify({ line, kind, reason, text }) + '\n')) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    const s = this.stream;
    if (s) await new Promise((done) => s.end(done));
  }
}

/**
 * The delivery journal, `<dir>/usage-journal`: what Stripe acknowledged, one 16-byte record per
 * event (its 64-bit key, the 32-bit check of its content, its timestamp), after a 16-byte header.
 * Loaded into a `KeyTable` (key → check), so a re-run can tell a delivered event (same key, same
 * check) from a changed one (same key, other check) and a new one (unknown key).
 *
 * - Append-only, group-committed: acknowledged events are written at once and `fdatasync`ed at
 *   most every GROUP_COMMIT_MS (a sync per batch showed in profiles). A SIGKILL can at worst tear
 *   the last record, cut off on the next open; events acknowledged but not yet written (after a
 *   crash of the machine: not yet synced) are resent with the same identifiers, which Stripe
 *   deduplicates within 24 hours.
 * - Records of events older than Stripe's 35-day window (plus a day) are dropped on load, and the
 *   file rewritten when they are most of it: such events would be refused anyway, so the journal
 *   holds at most about five weeks of usage.
 * - One run at a time: `<dir>/usage-journal.lock` (see lock.ts).
 */
import { writeSync } from 'node:fs';
import { mkdir, open, readdir, rename, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import type { UsageEvent } from './event.js';
import { KeyTable } from './key-table.js';
import { acquireLock } from './lock.js';
import { WINDOW_PAST_SECONDS } from './time.js';

export const JOURNAL_FILE = 'usage-journal';
const HEADER = Buffer.from('alpaca-usage-j2\n', 'latin1');
const RECORD = 16;
const KEEP_SECONDS = WINDOW_PAST_SECONDS + 86_400;
const CHUNK = RECORD * 65_536;
/** The shortest time between two syncs of the journal, unless a flush is awaited. */
const GROUP_COMMIT_MS = 20;

export interface JournalOpenOptions {
  nowSeconds: number;
  onNotice(message: string): void;
  /** A dry run: read what exists, take no lock, write nothing. */
  readOnly?: boolean;
  /** False: only written to, never asked `delivered` (the run of several files, whose workers read the journal themselves). */
  lookups?: boolean;
}

interface Loaded {
  table: KeyTable;
  /** Bytes of whole records (header included). */
  intact: number;
  stale: number;
  /** Records within the window. */
  live: number;
}

/** Reads the journal in chunks (it can hold millions of records) into a table, skipping stale records. */
async function load(handle: FileHandle, path: string, oldest: number, lookups = true): Promise<Loaded> {
  const table = new KeyTable();
  const { size } = await handle.stat();
  if (size === 0) return { table, intact: 0, stale: 0, live: 0 };
  const head = Buffer.alloc(HEADER.length);
  await handle.read(head, 0, HEADER.length, 0);
  if (!head.equals(HEADER)) {
    throw new UserError(`${path} is not a usage journal of this version of alpaca-billing.`, { hint: 'Move it away, or pass --journal-dir to use another directory.' });
  }
  const intact = HEADER.length + Math.floor((size - HEADER.length) / RECORD) * RECORD;
  const buf = Buffer.alloc(CHUNK);
  let stale = 0;
  let live = 0;
  for (let pos = HEADER.length; pos < intact; pos += CHUNK) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, intact - pos), pos);
    for (let at = 0; at + RECORD <= bytesRead; at += RECORD) {
      if (buf.readUInt32LE(at + 12) < oldest) stale++;
      else {
        live++;
        if (lookups) table.set(buf.readUInt32LE(at), buf.readUInt32LE(at + 4), buf.readUInt32LE(at + 8));
      }
    }
  }
  return { table, intact, stale, live };
}

/** Rewrites the journal with only the records still within the window (under the lock). */
async function compact(path: string, oldest: number): Promise<void> {
  const from = await open(path, 'r');
  const tmp = `${path}.compact`;
  const to = await open(tmp, 'w');
  try {
    await to.write(HEADER);
    const { size } = await from.stat();
    const buf = Buffer.alloc(CHUNK);
    for (let pos = HEADER.length; pos + RECORD <= size; pos += CHUNK) {
      const { bytesRead } = await from.read(buf, 0, CHUNK, pos);
      const kept: Buffer[] = [];
      for (let at = 0; at + RECORD <= bytesRead; at += RECORD) if (buf.readUInt32LE(at + 12) >= oldest) kept.push(buf.subarray(at, at + RECORD));
      if (kept.length) await to.write(Buffer.concat(kept));
    }
    await to.datasync();
  } finally {
    await from.close();
    await to.close();
  }
  await rename(tmp, path);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The journal's records of acknowledged events: 16 bytes each (key, check, timestamp), little-endian. */
export function journalRecords(events: readonly UsageEvent[]): Buffer {
  const words = new Uint32Array(events.length * 4);
  for (let i = 0, at = 0; i < events.length; i++, at += 4) {
    const e = events[i];
    words[at] = e.keyHi;
    words[at + 1] = e.keyLo;
    words[at + 2] = e.check;
    words[at + 3] = Math.max(0, e.timestamp);
  }
  const buf = Buffer.from(words.buffer);
  return LITTLE_ENDIAN ? buf : buf.swap32();
}

export class Journal {
  private syncing: Promise<void> | undefined;
  private failure: UserError | undefined;
  /** Written since the last sync; when that sync began; the timer of the next. */
  private unsynced = false;
  private lastSync = 0;
  private syncTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly path: string,
    private readonly table: KeyTable,
    private readonly handle?: FileHandle,
    private readonly release?: () => Promise<void>,
  ) {}

  static async open(dir: string, options: JournalOpenOptions): Promise<Journal> {
    const path = join(dir, JOURNAL_FILE);
    const oldest = options.nowSeconds - KEEP_SECONDS;
    if (options.readOnly) {
      const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (!handle) return new Journal(path, new KeyTable());
      try {
        return new Journal(path, (await load(handle, path, oldest, options.lookups)).table);
      } finally {
        await handle.close();
      }
    }
    const release = await mkdir(dir, { recursive: true })
      .then(() => acquireLock(`${path}.lock`, path, options.onNotice))
      .catch((err: NodeJS.ErrnoException) => {
        if (!['EACCES', 'EPERM', 'EROFS', 'ENOTDIR'].includes(err.code ?? '')) throw err;
        throw new UserError(`Cannot keep the usage journal in ${dir}: ${err.message}.`, { hint: 'The journal sits beside the input file by default; pass --journal-dir with a writable directory.' });
      });
    try {
      let handle = await open(path, 'a+');
      const loaded = await load(handle, path, oldest, options.lookups);
      const { size } = await handle.stat();
      if (size === 0) await handle.write(HEADER);
      else if (loaded.intact < size) await truncate(path, loaded.intact); // a record torn by a kill
      if (loaded.stale > 10_000 && loaded.stale > loaded.live) {
        await handle.close();
        await compact(path, oldest);
        handle = await open(path, 'a');
      }
      return new Journal(path, loaded.table, handle, release);
    } catch (err) {
      await release();
      throw err;
    }
  }

  /** The content check recorded for a delivered event's key, or undefined if it was never delivered. */
  delivered(keyHi: number, keyLo: number): number | undefined {
    return this.table.get(keyHi, keyLo);
  }

  /**
   * Records acknowledged events; durable once a following `flush()` resolves. Throws if the journal
   * cannot be written (a full disk), so that the run stops instead of sending more unrecorded.
   */
  record(events: readonly UsageEvent[]): void {
    this.append(journalRecords(events));
  }

  /** Records already encoded by `journalRecords` (a worker's, in a run of several files); throws as `record` (its UserError). */
  append(records: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (!this.handle || !records.length) return;
    // Written at once, synchronously (a few µs into the page cache, where a kill cannot undo it;
    // an asynchronous write per batch cost more in thread-pool round trips); synced in groups.
    try {
      for (let done = 0; done < records.length;) done += writeSync(this.handle.fd, records, done);
      this.unsynced = true;
    } catch (err) {
      this.failure = journalFailure(this.path, err);
      throw this.failure;
    }
    this.kick();
  }

  /** Resolves once everything recorded is synced to disk; throws if the journal could not be written. */
  async flush(): Promise<void> {
    for (;;) {
      this.kick(true);
      if (!this.syncing) break;
      await this.syncing;
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle?.close();
      await this.release?.();
    }
  }

  /** Syncs what was written, now if `now` or if the last sync is GROUP_COMMIT_MS old, else on a timer. */
  private kick(now = false): void {
    if (this.syncing || this.failure || !this.unsynced) return;
    const wait = this.lastSync + GROUP_COMMIT_MS - Date.now();
    if (now || wait <= 0) {
      clearTimeout(this.syncTimer);
      this.syncTimer = undefined;
      this.lastSync = Date.now();
      this.unsynced = false;
      this.syncing = this.handle!.datasync().catch((err: Error) => {
        this.failure = journalFailure(this.path, err);
      }).finally(() => {
        this.syncing = undefined;
        this.kick();
      });
    } else {
      this.syncTimer ??= setTimeout(() => {
        this.syncTimer = undefined;
        this.kick();
      }, wait).unref();
    }
  }
}

/** A journal that cannot be written (a full disk): said as such, with what to do, not as a bug. */
function journalFailure(path: string, err: unknown): UserError {
  return new UserError(`Cannot write the usage journal ${path}: ${(err as Error).message}`, {
    exitCode: ExitCode.error,
    cause: err,
    hint: 'Free space there (or pass --journal-dir elsewhere) and run the same command again: events sent but not journaled are sent again under the same identifiers, and Stripe counts them once within 24 hours.',
  });
}

/**
 * Journals of the previous version (`<state dir>/journal/*.log`) knew lines by position, and their identifiers differ from
 * today's: re-sending a file they cover would count its events twice. Refuse until they are retired.
 */
export async function refuseVersion1Journals(stateDirs: string[]): Promise<void> {
  for (const dir of new Set(stateDirs)) {
    const old = join(dir, 'journal');
    const files = await readdir(old).catch(() => [] as string[]);
    if (files.some((f) => f.endsWith('.log'))) {
      throw new UserError(`${old} holds journals of an earlier alpaca-billing, which identified events by line; files they cover would be sent again under new identifiers.`, {
        hint: `Delete ${old} once no file it covers will be ingested again (the new journal is ${join(dir, JOURNAL_FILE)}).`,
      });
    }
  }
}

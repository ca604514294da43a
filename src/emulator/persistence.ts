import { open, type FileHandle } from 'node:fs/promises';
import type { EmulatorCore } from './core.js';
import { logFileOf, writeStateFile } from './state-file.js';

/**
 * The log is folded into the snapshot once it outgrows both this and twice the last snapshot: a
 * snapshot of a day's meter identifiers costs about a microsecond per event to write, so rewriting
 * it rarely keeps the stream's cost down, and replaying 64 MB at start takes about a second.
 */
const COMPACT_MIN_BYTES = 64 * 1024 * 1024;
const COMPACT_SNAPSHOT_FACTOR = 2;

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * --state durability: a snapshot file plus a write-ahead log beside it (`<file>.wal`). Every change
 * is appended to the log and flushed (fdatasync) before the response that made it is sent; one
 * write and one flush serve every request that arrived while the previous one was on its way
 * (group commit). The log is compacted into the snapshot (temporary file + rename) when it grows,
 * after a failed write, and on close.
 */
export class Persistence {
  private waiters: Waiter[] = [];
  private running: Promise<void> | undefined;
  private kickScheduled = false;
  private logBytes = 0;
  private snapshotBytes = 0;
  private needSnapshot = false;
  private closed = false;

  private constructor(
    private readonly core: EmulatorCore,
    private readonly file: string,
    private readonly log: FileHandle,
    private seq: number,
  ) {}

  /**
   * Opens the log and writes a fresh snapshot at once (folding in whatever was replayed), so an
   * unwritable path fails now rather than at the first change.
   */
  static async open(core: EmulatorCore, file: string, seq: number): Promise<Persistence> {
    const log = await open(logFileOf(file), 'a');
    const p = new Persistence(core, file, log, seq);
    core.persistWith(p.durable);
    try {
      await p.compact();
    } catch (err) {
      await log.close();
      throw err;
    }
    // Changes made outside any request (webhook delivery results) are written soon too.
    core.onDirty(() => {
      if (p.kickScheduled || p.closed) return;
      p.kickScheduled = true;
      setImmediate(() => {
        p.kickScheduled = false;
        p.kick();
      });
    });
    return p;
  }

  /** Settles once every change made before the call is on disk; undefined when there is none. */
  readonly durable = (): Promise<void> | undefined => {
    if (!this.running && !this.core.hasChanges) {
      // Nothing changed since the last commit: forget what read-only requests touched.
      this.core.takeChanges(this.seq);
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  };

  private kick(): void {
    if (this.running) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
      // A request may have queued between the loop's last check and this line.
      if (this.waiters.length > 0 && !this.closed) this.kick();
    });
  }

  /** One commit at a time; requests arriving meanwhile wait for (and share) the next one. */
  private async run(): Promise<void> {
    while (!this.closed && (this.waiters.length > 0 || this.core.hasChanges)) {
      const waiters = this.waiters;
      this.waiters = [];
      try {
        if (this.needSnapshot || this.logBytes > Math.max(COMPACT_MIN_BYTES, COMPACT_SNAPSHOT_FACTOR * this.snapshotBytes)) await this.compact();
        else await this.append();
        for (const w of waiters) w.resolve();
      } catch (err) {
        // A failed append may have left half a record: the next commit rewrites the snapshot.
        this.needSnapshot = true;
        this.core.options.log(`emulator: could not save state to ${this.file}: ${(err as Error).message}`);
        for (const w of waiters) w.reject(err as Error);
      }
    }
  }

  private async append(): Promise<void> {
    const record = this.core.takeChanges(this.seq + 1);
    if (record === undefined) return;
    this.seq++;
    const line = record + '\n';
    await this.log.write(line);
    await this.log.datasync();
    this.logBytes += Buffer.byteLength(line);
  }

  /** Snapshot of this very moment (taken in the same tick as the changes), then an empty log. */
  private async compact(): Promise<void> {
    if (this.core.takeChanges(this.seq + 1) !== undefined) this.seq++;
    const text = JSON.stringify(this.core.snapshotState(this.seq));
    this.needSnapshot = true;
    await writeStateFile(this.file, text);
    await this.log.truncate(0);
    this.needSnapshot = false;
    this.logBytes = 0;
    this.snapshotBytes = Buffer.byteLength(text);
  }

  /** Final compaction on close; rejects if it fails, so `close()` reports lost state. */
  async flush(): Promise<void> {
    if (this.running) await this.running;
    this.closed = true;
    try {
      await this.compact();
    } finally {
      await this.log.close();
    }
  }
}

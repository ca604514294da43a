import { resourceMissing } from './http/errors.js';

/**
 * One resource type's objects, in insertion order (oldest first). Values must be JSON-serialisable:
 * they are persisted with --state. Every mutation marks the store dirty so it gets saved.
 *
 * With --state, every object handed out (get, require, values, all) or written is remembered as
 * "touched": handlers mutate stored objects in place and then call markDirty without saying which
 * object changed, so the write-ahead log re-serialises the touched ones (see Store.takeChanges).
 */
export class Collection<T extends { id: string }> {
  private readonly items = new Map<string, T>();
  /** @internal ids handed out or written since the last commit (only while tracking). */
  readonly touched = new Set<string>();
  /** @internal ids deleted since the last commit (only while tracking). */
  readonly deleted = new Set<string>();

  constructor(
    readonly name: string,
    private readonly store: Store,
    initial: T[] = [],
  ) {
    for (const item of initial) this.items.set(item.id, item);
  }

  get size(): number {
    return this.items.size;
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  get(id: string): T | undefined {
    const item = this.items.get(id);
    if (item && this.store.tracking) this.touched.add(id);
    return item;
  }

  /** The object, or a 404 `resource_missing` (a 400 naming `param` when given). */
  require(id: string, resourceName: string, param?: string): T {
    const item = this.get(id);
    if (!item) throw resourceMissing(resourceName, id, param);
    return item;
  }

  insert(item: T): T {
    if (this.items.has(item.id)) throw new Error(`${this.name}: duplicate id ${item.id}`);
    this.items.set(item.id, item);
    if (this.store.tracking) {
      this.touched.add(item.id);
      this.deleted.delete(item.id);
    }
    this.store.markDirty();
    return item;
  }

  /** Shallow-merges `patch` into the stored object (in place) and returns it. */
  update(id: string, patch: Partial<T>): T {
    const item = this.get(id);
    if (!item) throw new Error(`${this.name}: no ${id} to update`);
    Object.assign(item, patch);
    this.store.markDirty();
    return item;
  }

  delete(id: string): boolean {
    const deleted = this.items.delete(id);
    if (deleted) {
      if (this.store.tracking) {
        this.touched.delete(id);
        this.deleted.add(id);
      }
      this.store.markDirty();
    }
    return deleted;
  }

  /** Every object, oldest first. */
  all(): T[] {
    if (this.store.tracking) for (const id of this.items.keys()) this.touched.add(id);
    return [...this.items.values()];
  }

  values(): IterableIterator<T> {
    return this.store.tracking ? this.trackedValues() : this.items.values();
  }

  /** Touches only what the caller actually reaches (recordEvent stops at the first recent event). */
  private *trackedValues(): IterableIterator<T> {
    for (const item of this.items.values()) {
      this.touched.add(item.id);
      yield item;
    }
  }

  /**
   * Every object without marking it touched, for scans that change few or none (the billing
   * cycle looks at every invoice on each request). Re-fetch with `get` before changing one, or
   * the write-ahead log will not carry the change.
   */
  scan(): IterableIterator<T> {
    return this.items.values();
  }

  /** @internal the current object, without touching it (serialisation). */
  peek(id: string): T | undefined {
    return this.items.get(id);
  }

  toJSON(): T[] {
    return [...this.items.values()];
  }
}

export interface StateDocument {
  format: 'alpaca-billing-emulator-state';
  version: 1;
  savedAt: string;
  random: number;
  /** The last write-ahead log batch this snapshot contains (batches up to it are skipped on replay). */
  walSeq?: number;
  collections: Record<string, unknown[]>;
  slices: Record<string, unknown>;
}

/** One write-ahead log record: what changed since the previous one, as final values. */
export interface ChangeBatch {
  seq: number;
  random: number;
  /** collection → objects written whole (inserted or possibly changed). */
  put?: Record<string, unknown[]>;
  /** collection → ids deleted. */
  del?: Record<string, string[]>;
  /** slice → its whole new value. */
  slices?: Record<string, unknown>;
  /** Changes logged by their owner (e.g. each accepted meter event), as `[kind, ...fields]`. */
  ops?: unknown[][];
}

/** All persisted state: named collections and free-form slices. */
export class Store {
  private readonly collections = new Map<string, Collection<any>>();
  private readonly slices = new Map<string, unknown>();
  /** Slices whose owner logs its own changes (via `log`), never written whole into a batch. */
  private readonly selfLogged = new Set<string>();
  private readonly touchedSlices = new Set<string>();
  private ops: unknown[][] = [];
  private changed = false;
  private loaded: StateDocument | undefined;
  private dirtyListener: () => void = () => {};
  /** True with --state: remember what each change touched, for the write-ahead log. */
  tracking = false;

  readonly markDirty = (): void => {
    this.changed = true;
    this.dirtyListener();
  };

  onDirty(listener: () => void): void {
    this.dirtyListener = listener;
  }

  load(doc: StateDocument): void {
    this.loaded = doc;
  }

  collection<T extends { id: string }>(name: string): Collection<T> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Collection<T>(name, this, (this.loaded?.collections[name] as T[] | undefined) ?? []);
      this.collections.set(name, c);
    }
    return c;
  }

  /** `selfLogged`: the owner records its changes with `log` (a slice too big to rewrite per change). */
  slice<T>(name: string, init: () => T, selfLogged = false): T {
    if (!this.slices.has(name)) {
      const saved = this.loaded?.slices[name];
      this.slices.set(name, saved !== undefined ? saved : init());
      if (selfLogged) this.selfLogged.add(name);
    }
    if (this.tracking && !this.selfLogged.has(name)) this.touchedSlices.add(name);
    return this.slices.get(name) as T;
  }

  /** Records one owner-defined change for the write-ahead log (only while tracking). */
  log(op: unknown[]): void {
    if (this.tracking) this.ops.push(op);
    this.markDirty();
  }

  get hasChanges(): boolean {
    return this.changed;
  }

  /**
   * The changes since the last call, as one serialised log record (undefined when nothing
   * changed), and resets the tracking. Synchronous, so the record is exactly the state of this
   * moment: everything touched is written with its current value.
   */
  takeChanges(seq: number, random: number): string | undefined {
    const changed = this.changed;
    this.changed = false;
    const batch: ChangeBatch = { seq, random };
    for (const [name, c] of this.collections) {
      if (c.touched.size === 0 && c.deleted.size === 0) continue;
      if (changed) {
        const put: unknown[] = [];
        for (const id of c.touched) {
          const item = c.peek(id);
          if (item) put.push(item);
        }
        if (put.length) (batch.put ??= {})[name] = put;
        if (c.deleted.size) (batch.del ??= {})[name] = [...c.deleted];
      }
      c.touched.clear();
      c.deleted.clear();
    }
    if (changed && this.touchedSlices.size) {
      batch.slices = {};
      for (const name of this.touchedSlices) batch.slices[name] = this.slices.get(name);
    }
    this.touchedSlices.clear();
    if (this.ops.length) batch.ops = this.ops;
    this.ops = [];
    return changed ? JSON.stringify(batch) : undefined;
  }

  snapshot(random: number, walSeq: number): StateDocument {
    const collections: Record<string, unknown[]> = { ...(this.loaded?.collections ?? {}) };
    for (const [name, c] of this.collections) collections[name] = c.toJSON();
    const slices: Record<string, unknown> = { ...(this.loaded?.slices ?? {}) };
    for (const [name, s] of this.slices) slices[name] = s;
    return { format: 'alpaca-billing-emulator-state', version: 1, savedAt: new Date().toISOString(), random, walSeq, collections, slices };
  }
}

/**
 * Replays one log record onto a loaded snapshot document (before the store is built from it).
 * `index` caches id → position per collection across records. Owner ops are returned for the
 * owners to apply once they exist.
 */
export function applyBatch(doc: StateDocument, batch: ChangeBatch, index: Map<string, Map<string, number>>): unknown[][] {
  const positions = (name: string): Map<string, number> => {
    let m = index.get(name);
    if (!m) {
      m = new Map();
      const list = (doc.collections[name] ??= []);
      list.forEach((item, i) => m!.set((item as { id: string }).id, i));
      index.set(name, m);
    }
    return m;
  };
  for (const [name, items] of Object.entries(batch.put ?? {})) {
    const list = (doc.collections[name] ??= []);
    const at = positions(name);
    for (const item of items) {
      const id = (item as { id: string }).id;
      const i = at.get(id);
      if (i === undefined) {
        at.set(id, list.length);
        list.push(item);
      } else list[i] = item;
    }
  }
  for (const [name, ids] of Object.entries(batch.del ?? {})) {
    const gone = new Set(ids);
    doc.collections[name] = (doc.collections[name] ?? []).filter((item) => !gone.has((item as { id: string }).id));
    index.delete(name);
  }
  Object.assign(doc.slices, batch.slices ?? {});
  doc.random = batch.random;
  doc.walSeq = batch.seq;
  return batch.ops ?? [];
}

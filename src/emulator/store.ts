import { resourceMissing } from './http/errors.js';

/**
 * One resource type's objects, in insertion order (oldest first). Values must be JSON-serialisable:
 * they are persisted with --state. Every mutation marks the store dirty so it gets saved.
 */
export class Collection<T extends { id: string }> {
  private readonly items = new Map<string, T>();

  constructor(
    readonly name: string,
    private readonly markDirty: () => void,
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
    return this.items.get(id);
  }

  /** The object, or a 404 `resource_missing` (a 400 naming `param` when given). */
  require(id: string, resourceName: string, param?: string): T {
    const item = this.items.get(id);
    if (!item) throw resourceMissing(resourceName, id, param);
    return item;
  }

  insert(item: T): T {
    if (this.items.has(item.id)) throw new Error(`${this.name}: duplicate id ${item.id}`);
    this.items.set(item.id, item);
    this.markDirty();
    return item;
  }

  /** Shallow-merges `patch` into the stored object (in place) and returns it. */
  update(id: string, patch: Partial<T>): T {
    const item = this.items.get(id);
    if (!item) throw new Error(`${this.name}: no ${id} to update`);
    Object.assign(item, patch);
    this.markDirty();
    return item;
  }

  delete(id: string): boolean {
    const deleted = this.items.delete(id);
    if (deleted) this.markDirty();
    return deleted;
  }

  /** Every object, oldest first. */
  all(): T[] {
    return [...this.items.values()];
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  toJSON(): T[] {
    return this.all();
  }
}

export interface StateDocument {
  format: 'alpaca-billing-emulator-state';
  version: 1;
  savedAt: string;
  random: number;
  collections: Record<string, unknown[]>;
  slices: Record<string, unknown>;
}

/** All persisted state: named collections and free-form slices. */
export class Store {
  private readonly collections = new Map<string, Collection<any>>();
  private readonly slices = new Map<string, unknown>();
  private loaded: StateDocument | undefined;
  private dirtyListener: () => void = () => {};

  readonly markDirty = (): void => this.dirtyListener();

  onDirty(listener: () => void): void {
    this.dirtyListener = listener;
  }

  load(doc: StateDocument): void {
    this.loaded = doc;
  }

  collection<T extends { id: string }>(name: string): Collection<T> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Collection<T>(name, this.markDirty, (this.loaded?.collections[name] as T[] | undefined) ?? []);
      this.collections.set(name, c);
    }
    return c;
  }

  slice<T>(name: string, init: () => T): T {
    if (!this.slices.has(name)) {
      const saved = this.loaded?.slices[name];
      this.slices.set(name, saved !== undefined ? saved : init());
    }
    return this.slices.get(name) as T;
  }

  snapshot(random: number): StateDocument {
    const collections: Record<string, unknown[]> = { ...(this.loaded?.collections ?? {}) };
    for (const [name, c] of this.collections) collections[name] = c.all();
    const slices: Record<string, unknown> = { ...(this.loaded?.slices ?? {}) };
    for (const [name, s] of this.slices) slices[name] = s;
    return { format: 'alpaca-billing-emulator-state', version: 1, savedAt: new Date().toISOString(), random, collections, slices };
  }
}

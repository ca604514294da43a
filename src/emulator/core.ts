import { Random, deriveSeed } from './random.js';
import { Store, type Collection, type StateDocument } from './store.js';
import type { EventListener, Expander, ResolvedOptions, SessionAuthenticator, UsageSource } from './types.js';

/** The fixed account every key of the emulator belongs to (profiles can pin it). */
export const EMULATOR_ACCOUNT_ID = 'acct_emulator00000001';

const ZERO_USAGE: UsageSource = { aggregate: () => 0 };

/**
 * The emulator's shared state and hooks, handed to every handler as `req.core`. It knows nothing of
 * HTTP: route modules build resources on it, and the metering/events parts plug in via hooks.
 */
export class EmulatorCore {
  readonly options: ResolvedOptions;
  private readonly store = new Store();
  private readonly random: Random;
  /** Separate stream so fault decisions never shift the id sequence. */
  readonly faultRandom: Random;
  private readonly listeners: EventListener[] = [];
  private readonly expanders = new Map<string, Expander>();
  private readonly closers: Array<() => void | Promise<void>> = [];
  private usageSource: UsageSource = ZERO_USAGE;
  private sessionAuth: SessionAuthenticator | undefined;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.random = new Random(options.seed);
    this.faultRandom = new Random(deriveSeed(options.seed, 0x5eed));
  }

  /** Unix seconds from the (possibly injected) clock. */
  now(): number {
    return Math.floor(this.options.clock() / 1000);
  }

  nowMs(): number {
    return this.options.clock();
  }

  /** A Stripe-like id: `prefix` + 24 base62 characters (pass the prefix with its underscore, e.g. 'cus_'). */
  id(prefix: string): string {
    this.store.markDirty();
    return prefix + this.random.base62(24);
  }

  collection<T extends { id: string }>(name: string): Collection<T> {
    return this.store.collection<T>(name);
  }

  /** Other persisted state (mutate the returned value, then call markDirty). */
  slice<T>(name: string, init: () => T): T {
    return this.store.slice(name, init);
  }

  markDirty(): void {
    this.store.markDirty();
  }

  /** Announces a change; every create, update and delete calls this (E2 turns it into events and webhooks). */
  emit(type: string, object: object, previousAttributes?: object): void {
    if (this.listeners.length === 0) return;
    // Listeners get a snapshot: the stored object keeps changing after the event.
    const snapshot = structuredClone(object) as Record<string, any>;
    const previous = previousAttributes ? (structuredClone(previousAttributes) as Record<string, any>) : undefined;
    for (const listener of this.listeners) listener(type, snapshot, previous);
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  get usage(): UsageSource {
    return this.usageSource;
  }

  setUsageSource(source: UsageSource): void {
    this.usageSource = source;
  }

  /** Makes `expand[]=field` work on objects whose `object` is `objectType`. */
  registerExpander(objectType: string, field: string, expander: Expander): void {
    this.expanders.set(`${objectType}.${field}`, expander);
  }

  expander(objectType: string, field: string): Expander | undefined {
    return this.expanders.get(`${objectType}.${field}`);
  }

  setSessionAuthenticator(auth: SessionAuthenticator): void {
    this.sessionAuth = auth;
  }

  get sessionAuthenticator(): SessionAuthenticator | undefined {
    return this.sessionAuth;
  }

  /** Runs on close (stop timers, flush work) before state is saved. */
  onClose(fn: () => void | Promise<void>): void {
    this.closers.push(fn);
  }

  /** @internal */
  async runClosers(): Promise<void> {
    for (const fn of this.closers) await fn();
  }

  /** @internal */
  loadState(doc: StateDocument): void {
    this.store.load(doc);
    this.random.restore(doc.random);
  }

  /** @internal */
  snapshotState(): StateDocument {
    return this.store.snapshot(this.random.snapshot);
  }

  /** @internal */
  onDirty(listener: () => void): void {
    this.store.onDirty(listener);
  }
}

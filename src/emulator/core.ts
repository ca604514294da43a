import type { CollectionName } from './collection-names.js';
import { Random, deriveSeed } from './random.js';
import { Store, type Collection, type StateDocument } from './store.js';
import type { EventListener, Expander, ResolvedOptions, SessionAuthenticator, UsageSource } from './types.js';

/** The fixed account every key of the emulator belongs to (profiles can pin it). */
export const EMULATOR_ACCOUNT_ID = 'acct_emulator00000001';

/** The request an event names (`event.request`): null fields when nothing but time caused it. */
export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}

const NO_REQUEST: RequestInfo = { id: null, idempotency_key: null };

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
  private readonly retrievers = new Map<string, (id: string) => object | undefined>();
  private readonly closers: Array<() => void | Promise<void>> = [];
  private usageSource: UsageSource = ZERO_USAGE;
  private sessionAuth: SessionAuthenticator | undefined;
  private readonly replayers = new Map<string, (op: unknown[]) => void>();
  private durability: (() => Promise<void> | undefined) | undefined;
  private activeRequest: RequestInfo = NO_REQUEST;

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

  collection<T extends { id: string }>(name: CollectionName): Collection<T> {
    return this.store.collection<T>(name);
  }

  /**
   * Other persisted state (mutate the returned value, then call markDirty). `selfLogged` slices
   * are too big to rewrite on every change: their owner records each change with `log` and
   * replays it through `onReplay`.
   */
  slice<T>(name: string, init: () => T, selfLogged = false): T {
    return this.store.slice(name, init, selfLogged);
  }

  /** Records one change of a self-logged slice (`[kind, ...fields]`) for --state's write-ahead log. */
  log(op: unknown[]): void {
    this.store.log(op);
  }

  /** How to re-apply a logged change of `kind` at start (registered from a route module's setup). */
  onReplay(kind: string, apply: (op: unknown[]) => void): void {
    this.replayers.set(kind, apply);
  }

  /** @internal */
  replay(ops: unknown[][]): void {
    for (const op of ops) {
      const apply = this.replayers.get(op[0] as string);
      if (!apply) throw new Error(`no replayer for logged change ${JSON.stringify(op[0])}`);
      apply(op);
    }
  }

  /**
   * With --state: a promise that settles once every change made so far is on disk (undefined when
   * there is nothing to wait for). The server awaits it before answering.
   */
  durable(): Promise<void> | undefined {
    return this.durability?.();
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

  /** The request whose handler is running now (its events name it). */
  get currentRequest(): RequestInfo {
    return this.activeRequest;
  }

  /**
   * Runs `fn` as the work of `request` (null: of no request, as the billing cycle's steps are even
   * when a request's read brings them up to date). Handlers run synchronously up to their first
   * await, which is where every route emits; timers they start run outside any request.
   */
  withRequest<T>(request: RequestInfo | null, fn: () => T): T {
    const previous = this.activeRequest;
    this.activeRequest = request ?? NO_REQUEST;
    try {
      return fn();
    } finally {
      this.activeRequest = previous;
    }
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

  /**
   * Computes a field that expansion fills in (one Stripe sends only on request, such as a price's
   * `tiers`) on objects whose `object` is `objectType`; `field` may be a nested path (`a.b`).
   * Fields holding an id need no expander: the retriever of the object it names is used.
   */
  registerExpander(objectType: string, field: string, expander: Expander): void {
    this.expanders.set(`${objectType}.${field}`, expander);
  }

  expander(objectType: string, field: string): Expander | undefined {
    return this.expanders.get(`${objectType}.${field}`);
  }

  /** Finds an object of this `object` type by id, as GET would render it: what `expand[]` turns an id into. */
  registerRetriever(objectType: string, retrieve: (id: string) => object | undefined): void {
    this.retrievers.set(objectType, retrieve);
  }

  retriever(objectType: string): ((id: string) => object | undefined) | undefined {
    return this.retrievers.get(objectType);
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
  snapshotState(walSeq = 0): StateDocument {
    return this.store.snapshot(this.random.snapshot, walSeq);
  }

  /** @internal the changes since the last call, as one write-ahead log record. */
  takeChanges(seq: number): string | undefined {
    return this.store.takeChanges(seq, this.random.snapshot);
  }

  /** @internal */
  get hasChanges(): boolean {
    return this.store.hasChanges;
  }

  /** @internal switches on change tracking and routes `durable()` to the persistence layer. */
  persistWith(durable: () => Promise<void> | undefined): void {
    this.store.tracking = true;
    this.durability = durable;
  }

  /** @internal */
  onDirty(listener: () => void): void {
    this.store.onDirty(listener);
  }
}

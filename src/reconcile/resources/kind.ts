/**
 * The seam every resource type plugs into: how to read its objects, how to diff them against the
 * file, and which apply steps a change turns into. Adding a type (webhook endpoints) means one
 * module implementing `ResourceKind`, one line in `CatalogObjects` and one in the registry.
 */
import type { z } from 'zod/mini';
import type { StripeClient } from '../../stripe/client.js';
import { found } from '../../stripe/found.js';
import type { MigrationOutcome } from '../migrate.js';
import type { PricingFile } from '../../config/pricing-schema.js';
import { MANAGED_BY_KEY, type AccountState, type Action, type CatalogObjects, type Change, type ChangeOf, type DiffInput, type PayloadOf, type ResourceType, type Write } from '../types.js';

/** Calls Stripe through the rate limiter and retry policy, counting every request. */
export type Caller = <T>(fn: () => Promise<T>) => Promise<T>;

export interface ReadContext {
  client: StripeClient;
  call: Caller;
}

/** Apply runs phases in this order; steps within a phase run concurrently. */
export const Phase = { meters: 0, products: 1, prices: 2, defaultPrices: 3, migrations: 4, archives: 5 } as const;
export type PhaseValue = (typeof Phase)[keyof typeof Phase];
export const PHASE_NAMES = ['meters', 'products', 'prices', 'default prices', 'subscription migrations', 'archives'] as const;

export interface ApplyContext {
  client: StripeClient;
  call: Caller;
  /** Test mode lists subscriptions on test clocks too (subscription migrations). */
  mode: 'test' | 'live';
  /** Records what a subscription migration step did (the result lists it). */
  recordMigration(migration: AppliedMigration): void;
  /**
   * For creates: stable per plan step and account state planned from, so a retry never duplicates
   * (a re-run after a kill plans again and finds what the first run created). Updates and archives
   * are naturally idempotent and go without one: a derived key would make Stripe replay an old
   * response (doing nothing) if the same update were needed again within 24 h.
   */
  idempotencyKey(change: Change, step: string, params: unknown): string;
  /** The Stripe id of an object by type and key: known before apply, or created earlier in it. */
  resolve(type: ResourceType, key: string): string;
  /** Records an id created during apply (later steps resolve it; the result lists it). */
  record(type: ResourceType, key: string, id: string): void;
  /**
   * Hands over a secret Stripe shows only once (a webhook signing secret). It never enters the
   * plan, the result or a log: the command decides where it goes.
   */
  reveal(secret: RevealedSecret): Promise<void>;
}

export interface AppliedMigration {
  /** The price's lookup key (the replacement's) and the old and new price ids. */
  key: string;
  from: string;
  to: string;
  at: 'period-end' | 'now';
  migrated: MigrationOutcome[];
  already_migrated: MigrationOutcome[];
  skipped: MigrationOutcome[];
  failed: MigrationOutcome[];
}

export interface RevealedSecret {
  type: ResourceType;
  key: string;
  id: string;
  url?: string;
  secret: string;
}

export interface Step {
  phase: PhaseValue;
  /** e.g. `create`, `set default price`, `archive old`. */
  name: string;
  /** The objects and fields it writes (see Write): checked at planning time for a single writer per field. */
  writes: Write[];
  run(ctx: ApplyContext): Promise<void>;
}

/** The object a change is about, as a Write names it: the existing one (by id), else the one it creates. */
export const objectOf = (change: Change): string => (change.id ? `${change.type}:${change.id}` : newObjectOf(change));
/** The object a create (or a replacement) makes. */
export const newObjectOf = (change: Change): string => `${change.type}:new ${change.key}`;

/** What `pull` asks of a kind: the account, and whether archived objects are wanted. */
export interface PullInput {
  state: AccountState;
  /** Include archived products and prices. */
  all: boolean;
}

/** A kind's share of the pulled pricing.yaml. */
export interface PulledPart {
  /** Its sections, in the file's own shape (not the normalised model). */
  file: Partial<Omit<PricingFile, 'version'>>;
  /** Meters (by id) its entries name: pulled with them, even when inactive. */
  meters?: string[];
  /** What could not be expressed and was left out, for the user. */
  skipped: string[];
  /** Objects without managed_by (`apply --adopt` takes them over). */
  unmanaged: number;
}

export interface ResourceKind<K extends ResourceType = ResourceType> {
  type: K;
  read(ctx: ReadContext): Promise<CatalogObjects[K]>;
  /** Pure: every change for this type, noops included. */
  diff(input: DiffInput): Change[];
  /** The apply steps of one of this type's changes (none for noops and unmanaged objects). */
  steps(change: ChangeOf<K>): Step[];
  /**
   * The payload each action's changes carry, as a schema: `apply plan.json` checks a saved plan's
   * payloads against it, field by field, before any step runs. An action missing here carries none.
   */
  payloads: Partial<Record<Action, z.ZodMiniType<PayloadOf[K]>>>;
  /** Its objects as pricing.yaml entries (absent for prices, which products pull with themselves). */
  pull?(input: PullInput): PulledPart;
}

/** Every object of a list endpoint, 100 per page: the call count grows with pages, not objects. */
export async function listAll<T extends { id: string }>(
  ctx: ReadContext,
  page: (params: { limit: number; starting_after?: string }) => Promise<{ data: T[]; has_more: boolean }>,
): Promise<T[]> {
  const all: T[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const res = await ctx.call(() => page({ limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }));
    all.push(...res.data);
    if (!res.has_more || res.data.length === 0) return all;
    startingAfter = res.data[res.data.length - 1].id;
  }
}

/** Request options for every call: retries are ours (throttled and counted), not the SDK's. */
export const NO_SDK_RETRIES = { maxNetworkRetries: 0 } as const;

type Created = { id: string; lastResponse?: { headers?: Record<string, string> } };

/**
 * A create under the step's idempotency key. Stripe answers a repeated key with the first response,
 * even when that object has been deleted since (a webhook endpoint removed by --prune, a product
 * deleted by hand, then declared again within 24 h): such a replay is checked with `retrieve`, and
 * the object is then created for real under a key of its own (still idempotent if that call is retried).
 */
export async function createOnce<T extends Created>(
  ctx: ApplyContext,
  change: Change,
  params: unknown,
  create: (idempotencyKey: string) => Promise<T>,
  retrieve: (id: string) => Promise<unknown>,
): Promise<T> {
  const created = await ctx.call(() => create(ctx.idempotencyKey(change, 'create', params)));
  if (created.lastResponse?.headers?.['idempotent-replayed'] !== 'true') return created;
  if ((await found(ctx.call(() => retrieve(created.id)))) !== undefined) return created;
  return ctx.call(() => create(ctx.idempotencyKey(change, `create again after ${created.id} was deleted`, params)));
}

/** A pulled object's metadata, without ours (managed_by): undefined when nothing is left. */
export function ownMetadata(metadata: Record<string, string> | null | undefined): Record<string, string> | undefined {
  const out = Object.fromEntries(Object.entries(metadata ?? {}).filter(([k]) => k !== MANAGED_BY_KEY));
  return Object.keys(out).length ? out : undefined;
}

export const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Field-level diff of two metadata maps, as `metadata.<key>` entries. */
export function diffMetadata(before: Record<string, string>, after: Record<string, string>): { field: string; before?: string; after?: string }[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => before[k] !== after[k]).map((k) => ({ field: `metadata.${k}`, before: before[k], after: after[k] }));
}

/** The update parameter that turns `before` into `after` ('' deletes a key). */
export function metadataUpdate(before: Record<string, string>, after: Record<string, string>): Record<string, string> {
  const update: Record<string, string> = { ...after };
  for (const k of Object.keys(before)) if (!(k in after)) update[k] = '';
  return update;
}

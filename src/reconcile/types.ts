/**
 * The plan's vocabulary. A plan is a JSON-serialisable value: `plan -o plan.json` saves it and
 * `apply plan.json` executes exactly it, so nothing here may hold functions or SDK objects.
 */
import type Stripe from 'stripe';
import type { PricingConfig } from '../config/model.js';
import type { AlertPayload } from './resources/alerts.js';
import type { MeterPayload } from './resources/meters.js';
import type { PricePayload } from './resources/prices.js';
import type { ProductPayload } from './resources/products.js';
import type { WebhookPayload } from './resources/webhooks.js';

export type Action = 'create' | 'update' | 'replace' | 'archive' | 'noop';

/**
 * The Stripe objects read for each resource type. A new resource type (e.g. webhook endpoints)
 * adds its list here and a `ResourceKind` in resources/index.ts.
 */
export interface CatalogObjects {
  meter: Stripe.Billing.Meter[];
  product: Stripe.Product[];
  price: Stripe.Price[];
  webhook_endpoint: Stripe.WebhookEndpoint[];
  /** Optional so states built by hand (tests) need not list it; readAccountState always sets it. */
  alert?: Stripe.Billing.Alert[];
}
export type ResourceType = keyof CatalogObjects;

export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

/** What apply sends for a change, by resource type (each kind defines its own). */
export interface PayloadOf {
  meter: MeterPayload;
  product: ProductPayload;
  price: PricePayload;
  webhook_endpoint: WebhookPayload;
  alert: AlertPayload;
}

/** A change of one resource type, with that type's payload. */
export type ChangeOf<K extends ResourceType> = ChangeFields & {
  type: K;
  /** What apply sends, specific to the resource type; references other objects by key. */
  payload?: PayloadOf[K];
};

/** A change of any resource type: `type` tells which payload it carries. */
export type Change = { [K in ResourceType]: ChangeOf<K> }[ResourceType];

export interface ChangeFields {
  action: Action;
  /** The identity in Stripe: a meter's event_name, a product's id, a price's lookup_key, an alert's or endpoint's local key. */
  key: string;
  /** The Stripe id of the existing object (absent for creates). */
  id?: string;
  fields: FieldChange[];
  /** Set when the change cannot be applied as planned; apply refuses the whole plan. */
  blocked?: string;
  /** Human notes: why an archive happens, what to do about a blocked change. */
  notes?: string[];
  /** Active (non-canceled) subscriptions using the price, for price replaces and archives. */
  activeSubscriptions?: number;
  /** What the change means in money for the subscriptions on the price (price replaces and archives). */
  impact?: ChangeImpact;
  /** --migrate-subscriptions: apply moves the price's subscriptions onto `to` (a lookup key) before archiving it. */
  migrate?: { at: 'period-end' | 'now'; to: string; allowInUse?: boolean };
  /** The object exists without `metadata.managed_by` and --adopt was not given: left alone. */
  unmanaged?: boolean;
  /** This change takes over an unmanaged object (--adopt). */
  adopt?: boolean;
}

export interface ImpactSubscription {
  id: string;
  customer: string;
  current_period_end: number;
  /** The usage (metered) or quantity (licensed) priced. */
  quantity: number;
  /** Minor units under the old price, and under the new one (null: no new price to compare). */
  before: number;
  after: number | null;
  /** basis last_period: the closed period priced, and the invoice its figures come from (null: none, read from the meter). */
  period_start?: number;
  period_end?: number;
  invoice?: string | null;
}

/** The current period's usage so far (or the last closed period's), priced under the old price and the new one, summed. */
export interface ChangeImpact {
  basis: 'current_period' | 'last_period';
  currency: string;
  subscriptions: ImpactSubscription[];
  /** Minor units. */
  before: number;
  after: number | null;
  delta: number | null;
  notes?: string[];
}

export interface PlanOptions {
  prune?: boolean;
  adopt?: boolean;
  allowArchiveInUse?: boolean;
  /** Move the subscriptions on a replaced price onto its replacement (then archive it). */
  migrateSubscriptions?: 'period-end' | 'now';
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  archive: number;
  noop: number;
  unmanaged: number;
  blocked: number;
}

/**
 * What one apply step writes: an object and some of its fields. `object` is `<type>:<id>` for an
 * object that exists and `<type>:new <key>` for one the plan creates; `*` stands for every field
 * of a new object. In a plan, each field of an object has exactly one writer.
 */
export interface Write {
  object: string;
  fields: string[];
}

/** One apply step as data: the change it belongs to, when it runs, and what it writes. */
export interface PlannedStep {
  type: ResourceType;
  key: string;
  phase: string;
  name: string;
  writes: Write[];
}

export interface Plan {
  changes: Change[];
  summary: PlanSummary;
  /** The steps apply runs, phase by phase (none for noops, unmanaged and blocked changes). */
  steps: PlannedStep[];
}

export interface AccountInfo {
  id: string;
  name?: string;
  mode: 'test' | 'live';
  apiBase: string;
}

export interface AccountState {
  account: AccountInfo;
  objects: CatalogObjects;
  /** Active subscription counts by price id, for the prices a plan would replace or archive. */
  activeSubscriptions: Record<string, number>;
  /** Customer ids that alerts to be created name and the account does not have (checked only for those). */
  missingCustomers?: string[];
}

/** What a kind's differ gets: the file, the account, and what other kinds' objects map to. */
export interface DiffInput {
  desired: PricingConfig;
  state: AccountState;
  options: PlanOptions;
}

export const MANAGED_BY_KEY = 'managed_by';
export const MANAGED_BY_VALUE = 'alpaca-billing';

export function isManaged(metadata: Record<string, string> | null | undefined): boolean {
  return metadata?.[MANAGED_BY_KEY] === MANAGED_BY_VALUE;
}

/**
 * Plans against a live account: read, diff, then count the subscriptions of the prices the plan
 * would take out of service (only those: one list per such price) and diff again with the counts.
 * With `impact`, those subscriptions' usage is then read and priced onto the plan (impact.ts).
 * Customers named by alerts to be created are looked up the same way (one retrieve each), so an
 * unknown one blocks the plan instead of failing half-way through apply.
 */
import { createHash } from 'node:crypto';
import type { PricingConfig } from '../config/model.js';
import type { StripeClient } from '../stripe/client.js';
import { computePlan, plannedSteps } from './plan.js';
import { resourceTypes } from './resources/index.js';
import { withImpact } from './impact.js';
import { readImpactUsage, type ImpactPeriod } from './read-impact.js';
import { listLiveSubscriptions } from './live-subscriptions.js';
import { fingerprintState, readAccountState } from './read-state.js';
import type { Caller } from './resources/kind.js';
import { pricesLeavingService } from './resources/prices.js';
import { alertCustomers, findMissingCustomers } from './resources/alerts.js';
import type { AccountInfo, AccountState, Plan, PlanOptions } from './types.js';

/** What `plan -o plan.json` writes and `apply plan.json` reads. */
export interface SavedPlan {
  format: 'alpaca-billing-plan';
  version: 1;
  created_at: string;
  account: AccountInfo;
  /** Digest of the catalog the plan was made from. */
  fingerprint: string;
  options: PlanOptions;
  plan: Plan;
  /**
   * `sha256:` digest of everything above, so a plan edited after review is refused. It catches
   * edits, not forgery: anyone who can write the file can recompute it.
   */
  digest: string;
}

export interface MadePlan {
  state: AccountState;
  plan: Plan;
  fingerprint: string;
}

export interface MakePlanInput {
  client: StripeClient;
  call: Caller;
  mode: 'test' | 'live';
  apiBase: string;
  desired: PricingConfig;
  options: PlanOptions;
  /** Price the affected subscriptions' usage under the old and new prices (one call per subscription). */
  impact?: boolean;
  /** Which period impact prices (default current). */
  impactPeriod?: ImpactPeriod;
  onImpactProgress?: (done: number, total: number) => void;
}

export async function makePlan(input: MakePlanInput): Promise<MadePlan> {
  const { client, call, desired, options } = input;
  let state = await readAccountState({ client, call, mode: input.mode, apiBase: input.apiBase });
  let plan = computePlan(desired, state, options);
  const alertCustomerIds = alertCustomers(plan.changes);
  if (alertCustomerIds.length) {
    state = { ...state, missingCustomers: await findMissingCustomers({ client, call }, alertCustomerIds) };
    plan = computePlan(desired, state, options);
  }
  const leaving = pricesLeavingService(plan.changes);
  if (leaving.length) {
    const live = await listLiveSubscriptions({ client, call, mode: input.mode }, leaving);
    state = { ...state, activeSubscriptions: Object.fromEntries(Object.entries(live).map(([price, subs]) => [price, subs.length])) };
    plan = computePlan(desired, state, options);
    if (input.impact) plan = withImpact(plan, state.objects.price, await readImpactUsage({ client, call, period: input.impactPeriod, onProgress: input.onImpactProgress }, live), desired);
  }
  return { state, plan, fingerprint: fingerprintState(state) };
}

export function toSavedPlan(made: MadePlan, options: PlanOptions, now = new Date()): SavedPlan {
  const body = { format: 'alpaca-billing-plan' as const, version: 1 as const, created_at: now.toISOString(), account: made.state.account, fingerprint: made.fingerprint, options, plan: made.plan };
  return { ...body, digest: digestSavedPlan(body) };
}

/** JSON with keys sorted at every level: the same value always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The digest of a saved plan's payload (every field but `digest`), independent of formatting and key order. */
export function digestSavedPlan(saved: Omit<SavedPlan, 'digest'> & { digest?: unknown }): string {
  const { digest: _ignored, ...body } = saved;
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}

/** Parses a saved plan, or says what is wrong with it (the caller turns that into a UserError). */
export function parseSavedPlan(text: string): SavedPlan | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `it is not JSON (${(err as Error).message})`;
  }
  const v = value as Partial<SavedPlan>;
  if (v?.format !== 'alpaca-billing-plan' || v.version !== 1) return 'it is not a plan saved by `alpaca-billing plan -o` (format/version missing)';
  if (!v.plan || !Array.isArray(v.plan.changes) || typeof v.fingerprint !== 'string' || !v.account?.id) return 'it is incomplete (plan, fingerprint or account missing)';
  if (typeof v.digest !== 'string') return 'it has no digest, so edits made after review cannot be detected';
  // The digest catches edits, not a digest recomputed after one: the steps must still follow from the
  // changes, as planning made them (a broken payload makes the kind's steps fail or differ).
  const types = new Set<string>(resourceTypes());
  const bad = v.plan.changes.find((c) => !types.has(c?.type) || typeof c.key !== 'string' || !Array.isArray(c.fields));
  if (bad) return `a change is not one plan makes (${JSON.stringify(bad).slice(0, 120)})`;
  if (v.plan.steps !== undefined) {
    let steps: unknown;
    try {
      steps = plannedSteps(v.plan.changes);
    } catch (err) {
      return `a change's payload is damaged (${(err as Error).message})`;
    }
    if (canonicalJson(steps) !== canonicalJson(v.plan.steps)) return 'its steps do not follow from its changes (it was edited, and its digest recomputed)';
  }
  return v as SavedPlan;
}

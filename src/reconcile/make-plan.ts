/**
 * Plans against a live account: read, diff, then count the subscriptions of the prices the plan
 * would take out of service (only those: one list per such price) and diff again with the counts.
 * With `impact`, those subscriptions' usage is then read and priced onto the plan (impact.ts).
 * Customers named by alerts to be created are looked up the same way (one retrieve each), so an
 * unknown one blocks the plan instead of failing half-way through apply.
 */
import type { PricingConfig } from '../config/model.js';
import type { StripeClient } from '../stripe/client.js';
import { computePlan } from './plan.js';
import { withImpact } from './impact.js';
import { readImpactUsage, type ImpactPeriod } from './read-impact.js';
import { listLiveSubscriptions } from './live-subscriptions.js';
import { fingerprintState, readAccountState } from './read-state.js';
import type { Caller } from './resources/kind.js';
import { pricesLeavingService } from './resources/prices.js';
import { alertCustomers, findMissingCustomers } from './resources/alerts.js';
import type { AccountState, Plan, PlanOptions } from './types.js';

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

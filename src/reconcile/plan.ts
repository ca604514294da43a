/**
 * The pure core of `plan`: the file against the account, one differ per resource type. No I/O, and
 * the inputs are never mutated (the differs build new values), so the same state can be planned twice.
 */
import type { PricingConfig } from '../config/model.js';
import { kindOf, resourceTypes } from './resources/index.js';
import type { AccountState, Change, Plan, PlanOptions, PlanSummary } from './types.js';

export function computePlan(desired: PricingConfig, actual: AccountState, options: PlanOptions = {}): Plan {
  const changes: Change[] = [];
  for (const type of resourceTypes()) changes.push(...kindOf(type).diff({ desired, state: actual, options }));
  return { changes, summary: summarize(changes) };
}

export function summarize(changes: Change[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, replace: 0, archive: 0, noop: 0, unmanaged: 0, blocked: 0 };
  for (const c of changes) {
    if (c.unmanaged) summary.unmanaged++;
    else summary[c.action]++;
    if (c.blocked) summary.blocked++;
  }
  return summary;
}

/** Changes that would do something (what `--detailed-exitcode` and "no changes" are about). */
export function pendingChanges(plan: Plan): Change[] {
  return plan.changes.filter((c) => c.action !== 'noop');
}

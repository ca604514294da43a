/**
 * The pure core of `plan`: the file against the account, one differ per resource type. No I/O, and
 * the inputs are never mutated (the differs build new values), so the same state can be planned twice.
 */
import type { PricingConfig } from '../config/model.js';
import { PHASE_NAMES } from './resources/kind.js';
import { kindOf, resourceTypes } from './resources/index.js';
import type { AccountState, Change, Plan, PlanOptions, PlannedStep, PlanSummary } from './types.js';

export function computePlan(desired: PricingConfig, actual: AccountState, options: PlanOptions = {}): Plan {
  const changes: Change[] = [];
  for (const type of resourceTypes()) changes.push(...kindOf(type).diff({ desired, state: actual, options }));
  const steps = plannedSteps(changes);
  const conflict = findConflict(steps);
  // Two writers of one field race within a phase, or the later undoes the earlier: a bug of ours.
  if (conflict) throw new Error(`the plan writes ${conflict.field} of ${conflict.object} twice (${conflict.by.join(' and ')}); refusing it`);
  return { changes, summary: summarize(changes), steps };
}

/** The steps apply will run for these changes, as data (apply runs them from the same kinds). */
export function plannedSteps(changes: Change[]): PlannedStep[] {
  const steps: PlannedStep[] = [];
  for (const change of changes) {
    if (change.unmanaged || change.blocked || change.action === 'noop') continue;
    for (const step of kindOf(change.type).steps(change)) {
      steps.push({ type: change.type, key: change.key, phase: PHASE_NAMES[step.phase], name: step.name, writes: step.writes });
    }
  }
  return steps;
}

/** The first field of an object that two steps write (`*`, a new object's every field, meets any field). */
export function findConflict(steps: PlannedStep[]): { object: string; field: string; by: string[] } | undefined {
  const writers = new Map<string, Map<string, string>>();
  for (const step of steps) {
    const by = `${step.type} ${step.key}: ${step.name}`;
    for (const write of step.writes) {
      const fields = writers.get(write.object) ?? new Map<string, string>();
      writers.set(write.object, fields);
      for (const field of write.fields) {
        const other = fields.get(field) ?? (field === '*' ? fields.values().next().value : fields.get('*'));
        if (other !== undefined && other !== by) return { object: write.object, field, by: [other, by] };
        fields.set(field, by);
      }
    }
  }
  return undefined;
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

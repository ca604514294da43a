/**
 * The saved plan: what `plan -o plan.json` writes and `apply plan.json` reads. The digest catches an
 * edit made after review; it cannot catch an edit whose digest was recomputed, so the file is also
 * checked field by field (this file's schema for the plan, each kind's for its payloads) and its
 * steps must follow from its changes. A damaged plan is refused before any step runs.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod/mini';
import { describeValue, issueToProblems, valueAt } from '../config/schema-issues.js';
import type { PathSegment } from '../config/yaml-source.js';
import type { MadePlan } from './make-plan.js';
import { plannedSteps } from './plan.js';
import { kindOf } from './resources/index.js';
import type { AccountInfo, Action, ChangeFields, ChangeImpact, Plan, PlanOptions, PlannedStep, PlanSummary, ResourceType } from './types.js';

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

// The schema of everything but the payloads (each kind owns its payloads' schemas: ResourceKind.payloads).
// The types in types.ts stay the ones the code reads; the assertions below fail to compile when they and
// these schemas drift apart.
const count = z.int().check(z.minimum(0));
const resourceType = z.enum(['meter', 'product', 'price', 'webhook_endpoint', 'alert']);
const action = z.enum(['create', 'update', 'replace', 'archive', 'noop']);

const impactSubscription = z.strictObject({
  id: z.string(),
  customer: z.string(),
  current_period_end: z.number(),
  quantity: z.number(),
  before: z.number(),
  after: z.nullable(z.number()),
  period_start: z.optional(z.number()),
  period_end: z.optional(z.number()),
  invoice: z.optional(z.nullable(z.string())),
});
const changeImpact = z.strictObject({
  basis: z.enum(['current_period', 'last_period']),
  currency: z.string(),
  subscriptions: z.array(impactSubscription),
  before: z.number(),
  after: z.nullable(z.number()),
  delta: z.nullable(z.number()),
  notes: z.optional(z.array(z.string())),
});
const changeFields = {
  action,
  key: z.string().check(z.minLength(1)),
  id: z.optional(z.string().check(z.minLength(1))),
  fields: z.array(z.strictObject({ field: z.string(), before: z.optional(z.unknown()), after: z.optional(z.unknown()) })),
  blocked: z.optional(z.string()),
  notes: z.optional(z.array(z.string())),
  activeSubscriptions: z.optional(count),
  impact: z.optional(changeImpact),
  migrate: z.optional(z.strictObject({ at: z.enum(['period-end', 'now']), to: z.string().check(z.minLength(1)), allowInUse: z.optional(z.boolean()) })),
  unmanaged: z.optional(z.boolean()),
  adopt: z.optional(z.boolean()),
};
/** A change with its payload unchecked here: checkPayloads does that with the schema of its kind and action. */
const change = z.strictObject({ ...changeFields, type: resourceType, payload: z.optional(z.unknown()) });
const plannedStep = z.strictObject({
  type: resourceType,
  key: z.string(),
  phase: z.string(),
  name: z.string(),
  writes: z.array(z.strictObject({ object: z.string(), fields: z.array(z.string()) })),
});
const summary = z.strictObject({ create: count, update: count, replace: count, archive: count, noop: count, unmanaged: count, blocked: count });
const planOptions = z.strictObject({
  prune: z.optional(z.boolean()),
  adopt: z.optional(z.boolean()),
  allowArchiveInUse: z.optional(z.boolean()),
  migrateSubscriptions: z.optional(z.enum(['period-end', 'now'])),
});
const accountInfo = z.strictObject({ id: z.string().check(z.minLength(1)), name: z.optional(z.string()), mode: z.enum(['test', 'live']), apiBase: z.string() });
const savedPlan = z.strictObject({
  format: z.literal('alpaca-billing-plan'),
  version: z.literal(1),
  created_at: z.string(),
  account: accountInfo,
  fingerprint: z.string(),
  options: planOptions,
  // Plans saved before steps were part of the plan have none: apply derives them from the changes.
  plan: z.strictObject({ changes: z.array(change), summary, steps: z.optional(z.array(plannedStep)) }),
  digest: z.string(),
});

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
/** Compiles only while each schema and its type in types.ts describe the same values. */
export type SavedPlanSchemaMatchesTypes = [
  Assert<Equal<z.infer<typeof resourceType>, ResourceType>>,
  Assert<Equal<z.infer<typeof action>, Action>>,
  Assert<Equal<z.infer<z.ZodMiniObject<typeof changeFields>>, ChangeFields>>,
  Assert<Equal<z.infer<typeof changeImpact>, ChangeImpact>>,
  Assert<Equal<z.infer<typeof plannedStep>, PlannedStep>>,
  Assert<Equal<z.infer<typeof summary>, PlanSummary>>,
  Assert<Equal<z.infer<typeof planOptions>, PlanOptions>>,
  Assert<Equal<z.infer<typeof accountInfo>, AccountInfo>>,
];

/** The most problems one refusal lists (a plan broken everywhere would otherwise fill the screen). */
const MAX_PROBLEMS = 5;

/** `plan.changes[3] (price pro_monthly, create)`: where the change is, and which one it says it is. */
function changeLabel(root: unknown, index: number): string {
  const c = valueAt(root, ['plan', 'changes', index]) as Record<string, unknown> | undefined;
  const named = typeof c?.type === 'string' && typeof c.key === 'string';
  return `plan.changes[${index}]${named ? ` (${c.type} ${c.key}, ${String(c.action)})` : ''}`;
}

/** The field path after the change or step it is in, e.g. `payload.create.recurring.interval`. */
function pathText(path: PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** One line per problem: the change or step (named), then the field path and what is wrong. */
function describeIssues(issues: z.core.$ZodIssue[], root: unknown, prefix: PathSegment[] = []): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const at = [...prefix, ...(issue.path as PathSegment[])];
    for (const problem of issueToProblems({ ...issue, path: at } as z.core.$ZodIssue, root, () => [])) {
      const path = problem.path;
      const got = issue.code === 'custom' ? `, got ${describeValue(valueAt(root, path))}` : '';
      const where = path[0] === 'plan' && path[1] === 'changes' && typeof path[2] === 'number'
        ? `${changeLabel(root, path[2])}: ${pathText(path.slice(3))}`
        : path[0] === 'plan' && path[1] === 'steps' && typeof path[2] === 'number'
          ? `plan.steps[${path[2]}]: ${pathText(path.slice(3))}`
          : pathText(path);
      lines.push(`${where}: ${problem.message}${got}`);
    }
  }
  return lines;
}

/** Each change's payload against its kind's schema for its action (required where the change has steps). */
function checkPayloads(saved: z.infer<typeof savedPlan>, root: unknown): string[] {
  const lines: string[] = [];
  saved.plan.changes.forEach((c, i) => {
    const schema = kindOf(c.type).payloads[c.action];
    const runs = !c.unmanaged && !c.blocked && c.action !== 'noop';
    const at: PathSegment[] = ['plan', 'changes', i, 'payload'];
    if (!schema) {
      if (c.payload !== undefined) lines.push(`${changeLabel(root, i)}: payload: a ${c.action} of a ${c.type} carries none`);
    } else if (c.payload === undefined) {
      if (runs) lines.push(`${changeLabel(root, i)}: payload: missing`);
    } else {
      const parsed = schema.safeParse(c.payload);
      if (!parsed.success) lines.push(...describeIssues(parsed.error.issues, root, at));
    }
  });
  return lines;
}

/** Parses a saved plan, or says what is wrong with it (the caller turns that into a UserError). */
export function parseSavedPlan(text: string): SavedPlan | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `it is not JSON (${(err as Error).message})`;
  }
  const v = value as Partial<SavedPlan> | null;
  if (v?.format !== 'alpaca-billing-plan' || v.version !== 1) return 'it is not a plan saved by `alpaca-billing plan -o` (format/version missing)';
  if (typeof v.digest !== 'string') return 'it has no digest, so edits made after review cannot be detected';
  const parsed = savedPlan.safeParse(value);
  const problems = parsed.success ? checkPayloads(parsed.data, value) : describeIssues(parsed.error.issues, value);
  if (problems.length) {
    const more = problems.length > MAX_PROBLEMS ? `; and ${problems.length - MAX_PROBLEMS} more` : '';
    return `it was edited, or damaged, where plan never writes such values: ${problems.slice(0, MAX_PROBLEMS).join('; ')}${more}`;
  }
  const saved = value as SavedPlan;
  // Every field is well-formed; the steps must still be the ones the changes make.
  if (saved.plan.steps !== undefined && canonicalJson(plannedSteps(saved.plan.changes)) !== canonicalJson(saved.plan.steps)) {
    return 'its steps do not follow from its changes (it was edited, and its digest recomputed)';
  }
  return saved;
}

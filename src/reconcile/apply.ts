/**
 * Executes a plan: phase by phase in dependency order (meters, products, prices, default prices,
 * archives), the steps of a phase concurrently, every call through the caller (rate limit, retry).
 * It never touches the terminal: progress goes to a callback the command turns into a spinner.
 */
import { createHash } from 'node:crypto';
import type { StripeClient } from '../stripe/client.js';
import { PHASE_NAMES, type AppliedMigration, type ApplyContext, type Caller, type RevealedSecret, type Step } from './resources/kind.js';
import { kindOf } from './resources/index.js';
import type { Change, Plan, ResourceType } from './types.js';

export interface ApplyProgress {
  done: number;
  total: number;
  phase: string;
  change: Change;
  step: string;
}

export interface ApplyOptions {
  client: StripeClient;
  call: Caller;
  /**
   * The fingerprint of the account state the plan was made from. It is part of every idempotency
   * key: a retry of the same apply replays, but the same create planned again later (the account
   * has changed since) is a new request, not a replay of a response about an object since deleted.
   */
  fingerprint: string;
  /** Default test. */
  mode?: 'test' | 'live';
  onProgress?: (progress: ApplyProgress) => void;
  /** Receives secrets Stripe shows once (default: dropped; they never reach the result). */
  onSecret?: (secret: RevealedSecret) => void | Promise<void>;
  /** Stops between phases (steps already sent finish). */
  signal?: AbortSignal;
}

export interface CreatedObject {
  type: ResourceType;
  key: string;
  id: string;
}

export interface ApplyResult {
  created: CreatedObject[];
  steps: number;
  /** What each --migrate-subscriptions step did. */
  migrations: AppliedMigration[];
}

/** Thrown when a step fails: what was done before the failure, and the failure itself as `cause`. */
export class ApplyFailedError extends Error {
  constructor(readonly result: ApplyResult, readonly change: Change, readonly step: string, cause: unknown) {
    super(`apply stopped at ${change.type} ${change.key} (${step}): ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'ApplyFailedError';
  }
}

/** An idempotency key derived from what the step does and the state it was planned from: the same step of the same plan always sends the same key. */
export function deriveIdempotencyKey(fingerprint: string, change: Change, step: string, params: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify([fingerprint, change.type, change.key, change.action, change.id ?? null, step, params])).digest('hex');
  return `alpaca-billing-${digest.slice(0, 48)}`;
}

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const blocked = plan.changes.filter((c) => c.blocked);
  if (blocked.length) throw new Error(`the plan has ${blocked.length} blocked change(s); apply must not be called with them`);
  const ids = new Map<string, string>();
  for (const c of plan.changes) if (c.id) ids.set(`${c.type}:${c.key}`, c.id);
  const result: ApplyResult = { created: [], steps: 0, migrations: [] };
  const ctx: ApplyContext = {
    client: options.client,
    call: options.call,
    mode: options.mode ?? 'test',
    recordMigration: (migration) => {
      result.migrations.push(migration);
    },
    idempotencyKey: (change, step, params) => deriveIdempotencyKey(options.fingerprint, change, step, params),
    resolve: (type, key) => {
      const id = ids.get(`${type}:${key}`);
      if (!id) throw new Error(`no ${type} '${key}' in the account or created by this apply`);
      return id;
    },
    record: (type, key, id) => {
      ids.set(`${type}:${key}`, id);
      result.created.push({ type, key, id });
    },
    reveal: async (secret) => {
      await options.onSecret?.(secret);
    },
  };

  const steps: { change: Change; step: Step }[] = [];
  for (const change of plan.changes) {
    if (change.unmanaged || change.action === 'noop') continue;
    for (const step of kindOf(change.type).steps(change)) steps.push({ change, step });
  }
  const total = steps.length;
  let done = 0;
  for (let phase = 0; phase < PHASE_NAMES.length; phase++) {
    const batch = steps.filter((s) => s.step.phase === phase);
    if (!batch.length) continue;
    if (options.signal?.aborted) throw new ApplyFailedError(result, batch[0].change, batch[0].step.name, new Error('interrupted'));
    const settled = await Promise.allSettled(
      batch.map(async ({ change, step }) => {
        try {
          await step.run(ctx);
        } catch (err) {
          throw new ApplyFailedError(result, change, step.name, err);
        }
        done++;
        result.steps++;
        options.onProgress?.({ done, total, phase: PHASE_NAMES[phase], change, step: step.name });
      }),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return result;
}

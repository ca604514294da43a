import { writeFileAtomic } from '../core/atomic-write.js';
import { resolve } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { loadPricing } from '../config/load.js';
import { ExitCode, UserError } from '../errors.js';
import { makePlan, toSavedPlan, type MadePlan } from '../reconcile/make-plan.js';
import { pendingChanges } from '../reconcile/plan.js';
import { planToJson, renderPlan } from '../reconcile/render.js';
import { openSession, type Session } from '../reconcile/session.js';
import type { ImpactPeriod } from '../reconcile/read-impact.js';
import type { PlanOptions } from '../reconcile/types.js';

export interface PlanCommandOptions {
  prune?: boolean;
  adopt?: boolean;
  allowArchiveInUse?: boolean;
  migrateSubscriptions?: string;
  detailedExitcode?: boolean;
  out?: string;
  maxRps?: number;
  /** false with --no-impact. */
  impact?: boolean;
  /** current (default) or last. */
  impactPeriod?: string;
}

const MIGRATE_AT = ['period-end', 'now'] as const;

export const planOptionsOf = (o: { prune?: boolean; adopt?: boolean; allowArchiveInUse?: boolean; migrateSubscriptions?: string }): PlanOptions => {
  const at = o.migrateSubscriptions;
  if (at !== undefined && !(MIGRATE_AT as readonly string[]).includes(at)) {
    throw new UserError(`--migrate-subscriptions '${at}' is not one of ${MIGRATE_AT.join(', ')}.`, { hint: 'period-end: each subscription moves when its current period ends (that period bills on the old price); now: at once.' });
  }
  return {
    prune: Boolean(o.prune),
    adopt: Boolean(o.adopt),
    allowArchiveInUse: Boolean(o.allowArchiveInUse),
    ...(at ? { migrateSubscriptions: at as (typeof MIGRATE_AT)[number] } : {}),
  };
};

/** `--no-impact` and `--impact-period current|last` as one value: false, or the period impact prices. */
export function impactOf(o: { impact?: boolean; impactPeriod?: string }): false | ImpactPeriod {
  const period = o.impactPeriod ?? 'current';
  if (period !== 'current' && period !== 'last') throw new UserError(`--impact-period '${period}' is not one of current, last.`, { hint: 'current: the usage of the current period so far; last: the last closed period, as its invoice billed it.' });
  return o.impact === false ? false : period;
}

/** Reads the file (every problem reported before any Stripe call), then the account, with a spinner. */
export async function planFromFile(ctx: CommandContext, options: PlanOptions, session?: Session, impact: false | ImpactPeriod = 'current'): Promise<{ made: MadePlan; session: Session }> {
  const { config } = await loadPricing(ctx.settings.file, ctx.cwd);
  const s = session ?? (await openSession(ctx));
  const spinner = await ctx.out.spinner('Reading the account…');
  try {
    const made = await makePlan({
      client: s.client, call: s.call, mode: s.mode, apiBase: s.apiBase, desired: config, options, impact: impact !== false, impactPeriod: impact || undefined,
      onImpactProgress: (done, total) => spinner.update(`Reading ${impact === 'last' ? "the last period's invoices" : "this period's usage"} of the affected subscriptions… ${done}/${total}`),
    });
    spinner.stop();
    ctx.out.debug(`read the account with ${s.throttle.stats.requests} API calls`);
    return { made, session: s };
  } catch (err) {
    spinner.fail('Could not read the account');
    throw err;
  }
}

/** `alpaca-billing plan`: what apply would do, without doing it. */
export async function planCommand(ctx: CommandContext, opts: PlanCommandOptions): Promise<number> {
  const options = planOptionsOf(opts);
  const impact = impactOf(opts);
  const { made } = await planFromFile(ctx, options, await openSession(ctx, { maxRps: opts.maxRps }), impact);
  if (ctx.out.json) ctx.out.data(planToJson(made.plan, made.state.account));
  else for (const line of renderPlan(made.plan, made.state.account, ctx.out.chalk, { verbose: ctx.out.verbose })) ctx.out.line(line);
  if (opts.out) {
    await writeFileAtomic(resolve(ctx.cwd, opts.out), JSON.stringify(toSavedPlan(made, options), null, 2) + '\n');
    ctx.out.info(`Saved the plan to ${opts.out}; apply exactly it with \`alpaca-billing apply ${opts.out}\`.`);
  }
  const pending = pendingChanges(made.plan).length > 0;
  return opts.detailedExitcode && pending ? ExitCode.changesPending : ExitCode.ok;
}

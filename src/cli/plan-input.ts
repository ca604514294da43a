/**
 * What `plan` and `apply` (and `reconcile`) share: their plan flags as options, and the plan made
 * from pricing.yaml and the account. On the CLI side because it reads the context (settings, output).
 */
import type { CommandContext } from './context.js';
import { loadPricing } from '../config/load.js';
import { UserError } from '../errors.js';
import { makePlan, type MadePlan } from '../reconcile/make-plan.js';
import type { ImpactPeriod } from '../reconcile/read-impact.js';
import type { PlanOptions } from '../reconcile/types.js';
import { openSession, type Session } from './session.js';

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

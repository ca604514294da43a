import { writeFileAtomic } from '../core/atomic-write.js';
import { resolve } from 'node:path';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { ExitCode } from '../errors.js';
import type { Output } from '../output/output.js';
import { toSavedPlan } from '../reconcile/saved-plan.js';
import { pendingChanges } from '../reconcile/plan.js';
import { planToJson, renderPlan } from '../reconcile/render.js';
import { openSession } from '../cli/session.js';
import { impactOf, planFromFile, planOptionsOf } from '../cli/plan-input.js';

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

/** `alpaca-billing plan`: what apply would do, without doing it. */
export async function planCommand(ctx: CommandContext, opts: PlanCommandOptions): Promise<CommandResult> {
  const options = planOptionsOf(opts);
  const impact = impactOf(opts);
  const { made } = await planFromFile(ctx, options, await openSession(ctx, { maxRps: opts.maxRps }), impact);
  // Saved before anything is printed: a failed save is then the only thing said (one error document under --json).
  if (opts.out) await writeFileAtomic(resolve(ctx.cwd, opts.out), JSON.stringify(toSavedPlan(made, options), null, 2) + '\n');
  const pending = pendingChanges(made.plan).length > 0;
  const render = (out: Output) => {
    for (const line of renderPlan(made.plan, made.state.account, out.chalk, { verbose: out.verbose })) out.line(line);
    if (opts.out) out.info(`Saved the plan to ${opts.out}; apply exactly it with \`alpaca-billing apply ${opts.out}\`.`);
  };
  return {
    data: planToJson(made.plan, made.state.account),
    render,
    exitCode: opts.detailedExitcode && pending ? ExitCode.changesPending : ExitCode.ok,
  };
}

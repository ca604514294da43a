import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { CancelledError, UserError } from '../errors.js';
import { ApplyFailedError, applyPlan, type ApplyResult } from '../reconcile/apply.js';
import { digestSavedPlan, parseSavedPlan } from '../reconcile/saved-plan.js';
import { pendingChanges } from '../reconcile/plan.js';
import { fingerprintState, readAccountState } from '../reconcile/read-state.js';
import { planToJson, renderApplyResult, renderMigrations, renderPlan } from '../reconcile/render.js';
import { openSession, type Session } from '../cli/session.js';
import type { AccountInfo, Plan } from '../reconcile/types.js';
import { impactOf, planFromFile, planOptionsOf } from '../cli/plan-input.js';
import { prepareSecretHandler } from '../webhooks/secrets.js';

export interface ApplyCommandOptions {
  yes?: boolean;
  prune?: boolean;
  adopt?: boolean;
  allowArchiveInUse?: boolean;
  migrateSubscriptions?: string;
  maxRps?: number;
  secretsFile?: string;
  /** false with --no-impact. */
  impact?: boolean;
  /** current (default) or last. */
  impactPeriod?: string;
}

/** A saved plan, checked against the account as it is now: refused if anything changed since. */
async function loadSavedPlan(ctx: CommandContext, file: string, session: Session): Promise<{ plan: Plan; account: AccountInfo; fingerprint: string }> {
  let text: string;
  try {
    text = await readFile(resolve(ctx.cwd, file), 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the plan ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
  }
  const saved = parseSavedPlan(text);
  if (typeof saved === 'string') throw new UserError(`${file} is not a usable plan: ${saved}.`, { hint: 'Make one with `alpaca-billing plan -o plan.json`.' });
  if (digestSavedPlan(saved) !== saved.digest) {
    throw new UserError(`${file} was changed after it was saved: its contents do not match its digest, so it is not the plan that was reviewed. Nothing was changed.`, {
      hint: `Make and review a new plan with \`alpaca-billing plan -o ${file}\`; change pricing.yaml, not the saved plan.`,
    });
  }
  const spinner = await ctx.out.spinner('Checking the account against the saved plan…');
  const state = await readAccountState({ client: session.client, call: session.call, mode: session.mode, apiBase: session.apiBase });
  spinner.stop();
  if (state.account.id !== saved.account.id) {
    throw new UserError(`${file} was made for account ${saved.account.id}, but the key is for ${state.account.id}.`, { hint: 'Use the key of that account, or make a new plan.' });
  }
  if (fingerprintState(state) !== saved.fingerprint) {
    throw new UserError(`The account changed since ${file} was made (${saved.created_at}): applying it could undo those changes.`, { hint: 'Run `alpaca-billing plan -o ' + file + '` again, review it, then apply it.' });
  }
  return { plan: saved.plan, account: state.account, fingerprint: saved.fingerprint };
}

/** `alpaca-billing apply [plan.json]`: shows the plan, confirms, executes it under the rate limit. */
export async function applyCommand(ctx: CommandContext, opts: ApplyCommandOptions, planFile?: string): Promise<CommandResult> {
  // Refuse before any call: nothing can be confirmed without a terminal.
  if (!opts.yes && !ctx.prompt.interactive) {
    throw new UserError('apply changes the Stripe account and there is no terminal to confirm on (no TTY, or CI is set).', { hint: 'Review `alpaca-billing plan`, then pass --yes.' });
  }
  const session = await openSession(ctx, { maxRps: opts.maxRps });
  const { plan, account, fingerprint } = planFile
    ? await loadSavedPlan(ctx, planFile, session)
    : await planFromFile(ctx, planOptionsOf(opts), session, impactOf(opts)).then(({ made }) => ({ plan: made.plan, account: made.state.account, fingerprint: made.fingerprint }));

  // Shown before the question, so as it happens (`line` prints nothing under --json, whose document has the plan).
  for (const line of renderPlan(plan, account, ctx.out.chalk, { verbose: ctx.out.verbose })) ctx.out.line(line);
  const pending = pendingChanges(plan);
  const report = (result: ApplyResult, declined?: true): CommandResult => ({
    data: { ...planToJson(plan, account), result: { created: result.created, steps: result.steps, migrations: result.migrations, api_calls: session.throttle.stats.requests, retries: session.throttle.stats.retries, declined } },
    render: (out) => {
      for (const c of result.created) out.line(`created ${c.type} ${c.key}: ${c.id}`);
      for (const line of renderMigrations(result.migrations)) out.line(line);
    },
  });
  if (!pending.length) return report({ created: [], steps: 0, migrations: [] });
  const blocked = plan.changes.filter((c) => c.blocked);
  if (blocked.length) {
    throw new UserError(`${blocked.length} change${blocked.length === 1 ? '' : 's'} cannot be applied: ${blocked.map((c) => `${c.type} ${c.key} (${c.blocked})`).join('; ')}. Nothing was changed.`, {
      hint: blocked.some((c) => c.activeSubscriptions) ? 'Pass --migrate-subscriptions period-end (or now) to move the subscriptions of a replaced price first, --allow-archive-in-use to archive prices that subscriptions use, or change the file.' : 'See the notes under each blocked change.',
    });
  }
  // Before anything is created: a new webhook endpoint's secret must have somewhere to go.
  const onSecret = await prepareSecretHandler(pending.filter((c) => c.type === 'webhook_endpoint' && c.action === 'create').length, { secretsFile: opts.secretsFile, cwd: ctx.cwd, out: ctx.out });
  if (!opts.yes) {
    const ok = await ctx.prompt.confirm(`Apply ${pending.length} change${pending.length === 1 ? '' : 's'} to ${account.id} (${account.mode} mode)?`, { flag: '--yes', default: false });
    if (!ok) {
      ctx.out.info('Cancelled; nothing was changed.');
      return report({ created: [], steps: 0, migrations: [] }, true);
    }
  }

  const spinner = await ctx.out.spinner(`Applying ${pending.length} changes…`);
  const started = Date.now();
  let result: ApplyResult;
  try {
    result = await applyPlan(plan, {
      client: session.client,
      call: session.call,
      fingerprint,
      mode: session.mode,
      // From here Ctrl-C lets the steps in flight finish (their results are recorded), then stops.
      signal: ctx.interruptible(),
      onSecret,
      onProgress: (p) => spinner.update(`[${p.done}/${p.total}] ${p.phase}: ${p.step} ${p.change.type} ${p.change.key}`),
    });
  } catch (err) {
    if (!(err instanceof ApplyFailedError)) throw err;
    const rerun = 'Run `alpaca-billing apply` again to finish: it plans from the account as it is now, and creates carry idempotency keys, so nothing is duplicated.';
    if (ctx.signal.aborted) {
      spinner.stop();
      for (const c of err.result.created) ctx.out.line(`created ${c.type} ${c.key}: ${c.id}`);
      throw new CancelledError(`apply stopped after the steps in flight: ${err.result.steps} step${err.result.steps === 1 ? '' : 's'} done, the rest not started.`, { hint: rerun });
    }
    spinner.fail(`Stopped after ${err.result.steps} step${err.result.steps === 1 ? '' : 's'}: ${err.change.type} ${err.change.key} (${err.step}) failed.`);
    for (const line of renderMigrations(err.result.migrations)) ctx.out.line(line);
    ctx.out.info(rerun);
    throw err.cause;
  }
  const seconds = (Date.now() - started) / 1000;
  spinner.succeed(renderApplyResult(result, seconds));
  return report(result);
}

/**
 * `subscriptions migrate --from P --to L --at now|period-end`: moves every live subscription on one
 * price to another (see reconcile/migrate.ts for how each way works and resumes). Shows what it
 * will do and asks, then reports migrated, already migrated, skipped (with the reason) and failed.
 */
import type Stripe from 'stripe';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { ExitCode, UserError } from '../errors.js';
import type { Output } from '../output/output.js';
import { found } from '../stripe/found.js';
import { resolveCustomer } from '../customers/resolve.js';
import { listLiveSubscriptions } from '../reconcile/live-subscriptions.js';
import { classifyForMigration, customerOf, migrateSubscriptions, type MigrateAt, type MigrationOutcome } from '../reconcile/migrate.js';
import { NO_SDK_RETRIES } from '../reconcile/resources/kind.js';
import { openSession, type Session } from '../cli/session.js';

export interface SubscriptionsMigrateOptions {
  from: string;
  to: string;
  at: string;
  /** Only this customer's subscriptions (a cus_ id, email or external id). */
  customer?: string;
  dryRun?: boolean;
  yes?: boolean;
  maxRps?: number;
}

async function resolvePrice(session: Session, ref: string, flag: string): Promise<Stripe.Price> {
  const price = /^price_/.test(ref)
    ? await found(session.call(() => session.client.prices.retrieve(ref, undefined, NO_SDK_RETRIES)))
    : (await session.call(() => session.client.prices.list({ lookup_keys: [ref], limit: 1 }, NO_SDK_RETRIES))).data[0];
  if (price) return price;
  throw new UserError(`${flag} '${ref}': no such price in this account.`, { hint: 'Pass a lookup key or a price id (price_…); a price replaced by `apply` lost its lookup key, so pass its id.' });
}

/** The new price must bill the same way, or the swap would change more than the amount. */
function checkCompatible(from: Stripe.Price, to: Stripe.Price): void {
  const what = (p: Stripe.Price) => `${p.currency.toUpperCase()} every ${p.recurring?.interval_count ?? 1} ${p.recurring?.interval}, ${p.recurring?.usage_type}`;
  if (from.id === to.id) throw new UserError(`--from and --to are the same price (${from.id}).`);
  if (!to.active) throw new UserError(`--to '${to.lookup_key ?? to.id}' is archived: subscriptions cannot move onto it.`);
  if (!to.recurring || what(from) !== what(to)) throw new UserError(`--to ${to.id} (${to.recurring ? what(to) : 'one-time'}) does not bill like --from ${from.id} (${what(from)}).`, { hint: 'Migrate between prices of the same currency, interval and usage type.' });
}

const when = (at: MigrateAt) => (at === 'now' ? 'now' : 'at the end of their current period');
const day = (t: number | undefined) => (t === undefined ? '?' : new Date(t * 1000).toISOString().slice(0, 10));

function describe(m: MigrationOutcome): string {
  if (m.schedule && m.at !== undefined) return `; moves on ${day(m.at)} (schedule ${m.schedule})`;
  return m.invoice ? `; usage so far invoiced on the old price: ${m.invoice}` : '';
}

export async function migrateSubscriptionsCommand(ctx: CommandContext, options: SubscriptionsMigrateOptions): Promise<CommandResult> {
  if (options.at !== 'now' && options.at !== 'period-end') throw new UserError(`--at '${options.at}' is not one of now, period-end.`, { hint: 'period-end: the new price starts with the next period (the current one bills fully on the old price); now: at once.' });
  const at: MigrateAt = options.at;
  const session = await openSession(ctx, { maxRps: options.maxRps });
  const [from, to] = [await resolvePrice(session, options.from, '--from'), await resolvePrice(session, options.to, '--to')];
  checkCompatible(from, to);
  const customer = options.customer ? (await resolveCustomer(session.client, options.customer)).id : undefined;
  const subs = (await listLiveSubscriptions({ client: session.client, call: session.call, mode: session.mode }, [from.id]))[from.id].filter((s) => !customer || customerOf(s) === customer);
  const sorted = await classifyForMigration(session, subs, from, to, at);
  const { already_migrated } = sorted;
  let { todo, skipped } = sorted;
  if (options.dryRun) {
    // Whether an unmarked schedule is ours (cut off mid-run) only the real run can tell.
    skipped = [...skipped, ...todo.filter((s) => s.schedule).map((s) => ({ id: s.id, customer: customerOf(s), reason: 'has a subscription schedule not made by migrate' }))];
    todo = todo.filter((s) => !s.schedule);
  }
  const head = `${todo.length} subscription${todo.length === 1 ? '' : 's'} on ${from.lookup_key ?? from.id} (${from.id}) → ${to.lookup_key ?? to.id} (${to.id}), ${when(at)}`;

  const report = (migrated: MigrationOutcome[], skippedNow: MigrationOutcome[], failed: MigrationOutcome[], declined?: true): CommandResult => {
    const allSkipped = [...skipped, ...skippedNow];
    const render = (out: Output) => {
      if (options.dryRun) for (const s of todo) out.line(`  ${s.id}  ${customerOf(s)}`);
      for (const m of migrated) out.line(`migrated ${m.id} (${m.customer})${describe(m)}`);
      for (const m of already_migrated) out.line(`already migrated ${m.id} (${m.customer})${describe(m)}`);
      for (const s of allSkipped) out.line(`skipped ${s.id} (${s.customer}): ${s.reason}`);
      for (const f of failed) out.line(`failed ${f.id} (${f.customer}): ${f.error}`);
      if (!options.dryRun) out.line(`Migrated ${migrated.length}, already migrated ${already_migrated.length}, skipped ${allSkipped.length}, failed ${failed.length}.`);
    };
    const data = { from: from.id, to: to.id, at, dry_run: Boolean(options.dryRun), planned: todo.map((s) => ({ id: s.id, customer: customerOf(s) })), migrated, already_migrated, skipped: allSkipped, failed, declined };
    // Declined: the note on stderr below says it all.
    return { data, render: declined ? undefined : render, exitCode: failed.length ? ExitCode.error : ExitCode.ok };
  };

  // Said before the question, so as it happens (`line` prints nothing under --json).
  ctx.out.line(`${options.dryRun ? 'Would migrate' : 'Migrating'} ${head}`);
  if (options.dryRun || todo.length === 0) return report([], [], []);
  if (!options.yes && !(await ctx.prompt.confirm(`Migrate ${head}?`, { flag: '--yes', default: false }))) {
    ctx.out.info('Cancelled; nothing was changed.');
    return report([], [], [], true);
  }
  const spinner = await ctx.out.spinner(`Migrating 0/${todo.length}…`);
  const done = await migrateSubscriptions(session, todo, from, to, at, (n, total) => spinner.update(`Migrating ${n}/${total}…`));
  spinner.stop();
  return report(done.migrated, done.skipped, done.failed);
}

/**
 * `subscriptions migrate --from P --to L --at now`: moves every live subscription on one price to
 * another by swapping the item's price. A metered item's usage so far is invoiced at once on the old
 * price (`proration_behavior: always_invoice`, flexible billing mode) and the new price bills the
 * rest of the period; a licensed item, paid in advance, keeps its period and renews on the new price
 * (`none`). Re-running is safe: migrated subscriptions no longer list under the old price, and each
 * swap carries an idempotency key per subscription and price pair.
 */
import type Stripe from 'stripe';
import type { CommandContext } from '../cli/context.js';
import { ExitCode, UserError, isStripeSdkError, toStripeApiError } from '../errors.js';
import { resolveCustomer } from '../customers/resolve.js';
import { listLiveSubscriptions } from '../reconcile/read-state.js';
import { NO_SDK_RETRIES } from '../reconcile/resources/kind.js';
import { openSession, type Session } from '../reconcile/session.js';

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

interface Outcome {
  id: string;
  customer: string;
  invoice?: string | null;
  reason?: string;
  error?: string;
}

const customerOf = (s: Stripe.Subscription) => (typeof s.customer === 'string' ? s.customer : s.customer.id);

async function resolvePrice(session: Session, ref: string, flag: string): Promise<Stripe.Price> {
  try {
    if (/^price_/.test(ref)) return await session.call(() => session.client.prices.retrieve(ref, undefined, NO_SDK_RETRIES));
    const [price] = (await session.call(() => session.client.prices.list({ lookup_keys: [ref], limit: 1 }, NO_SDK_RETRIES))).data;
    if (price) return price;
  } catch (err) {
    if (!(isStripeSdkError(err) && (err.statusCode === 404 || err.code === 'resource_missing'))) throw toStripeApiError(err);
  }
  throw new UserError(`${flag} '${ref}': no such price in this account.`, { hint: 'Pass a lookup key or a price id (price_…); a price replaced by `apply` lost its lookup key, so pass its id.' });
}

/** The new price must bill the same way, or the swap would change more than the amount. */
function checkCompatible(from: Stripe.Price, to: Stripe.Price): void {
  const what = (p: Stripe.Price) => `${p.currency.toUpperCase()} every ${p.recurring?.interval_count ?? 1} ${p.recurring?.interval}, ${p.recurring?.usage_type}`;
  if (from.id === to.id) throw new UserError(`--from and --to are the same price (${from.id}).`);
  if (!to.active) throw new UserError(`--to '${to.lookup_key ?? to.id}' is archived: subscriptions cannot move onto it.`);
  if (!to.recurring || what(from) !== what(to)) throw new UserError(`--to ${to.id} (${to.recurring ? what(to) : 'one-time'}) does not bill like --from ${from.id} (${what(from)}).`, { hint: 'Migrate between prices of the same currency, interval and usage type.' });
}

async function swap(session: Session, sub: Stripe.Subscription, from: Stripe.Price, to: Stripe.Price): Promise<Outcome> {
  const item = sub.items.data.find((i) => i.price.id === from.id)!;
  const metered = from.recurring?.usage_type === 'metered';
  const params: Stripe.SubscriptionUpdateParams = {
    // Stripe resets a licensed item's quantity to 1 on a price change unless it is sent again.
    items: [{ id: item.id, price: to.id, ...(metered ? {} : { quantity: item.quantity ?? 1 }) }],
    proration_behavior: metered ? 'always_invoice' : 'none',
  };
  const after = await session.call(() => session.client.subscriptions.update(sub.id, params, { ...NO_SDK_RETRIES, idempotencyKey: `alpaca-billing-migrate-${sub.id}-${from.id}-${to.id}` }));
  const invoice = typeof after.latest_invoice === 'string' ? after.latest_invoice : after.latest_invoice?.id ?? null;
  return { id: sub.id, customer: customerOf(sub), invoice: metered && invoice !== (typeof sub.latest_invoice === 'string' ? sub.latest_invoice : sub.latest_invoice?.id ?? null) ? invoice : null };
}

export async function migrateSubscriptionsCommand(ctx: CommandContext, options: SubscriptionsMigrateOptions): Promise<number> {
  if (options.at !== 'now') throw new UserError(`--at '${options.at}' is not supported: only \`--at now\` is (moving at period end is not available yet).`);
  const session = await openSession(ctx, { maxRps: options.maxRps });
  const [from, to] = [await resolvePrice(session, options.from, '--from'), await resolvePrice(session, options.to, '--to')];
  checkCompatible(from, to);
  const customer = options.customer ? (await resolveCustomer(session.client, options.customer)).id : undefined;
  const subs = (await listLiveSubscriptions({ client: session.client, call: session.call, mode: session.mode }, [from.id]))[from.id].filter((s) => !customer || customerOf(s) === customer);
  const skipped: Outcome[] = subs.filter((s) => s.schedule).map((s) => ({ id: s.id, customer: customerOf(s), reason: 'has its own subscription schedule' }));
  const todo = subs.filter((s) => !s.schedule);
  const head = `${todo.length} subscription${todo.length === 1 ? '' : 's'} on ${from.lookup_key ?? from.id} (${from.id}) → ${to.lookup_key ?? to.id} (${to.id}), now`;

  const report = (migrated: Outcome[], failed: Outcome[]) => {
    if (ctx.out.json) {
      ctx.out.data({ from: from.id, to: to.id, at: 'now', dry_run: Boolean(options.dryRun), planned: todo.map((s) => ({ id: s.id, customer: customerOf(s) })), migrated, skipped, failed });
      return;
    }
    for (const m of migrated) ctx.out.line(`migrated ${m.id} (${m.customer})${m.invoice ? `; usage so far invoiced on the old price: ${m.invoice}` : ''}`);
    for (const s of skipped) ctx.out.line(`skipped ${s.id} (${s.customer}): ${s.reason}`);
    for (const f of failed) ctx.out.line(`failed ${f.id} (${f.customer}): ${f.error}`);
    if (!options.dryRun) ctx.out.line(`Migrated ${migrated.length}, skipped ${skipped.length}, failed ${failed.length}.`);
  };

  if (!ctx.out.json) ctx.out.line(`${options.dryRun ? 'Would migrate' : 'Migrating'} ${head}`);
  if (options.dryRun || todo.length === 0) {
    if (!ctx.out.json) for (const s of todo) ctx.out.line(`  ${s.id}  ${customerOf(s)}`);
    report([], []);
    return ExitCode.ok;
  }
  if (!options.yes && !(await ctx.prompt.confirm(`Migrate ${head}?`, { flag: '--yes', default: false }))) {
    ctx.out.info('Cancelled; nothing was changed.');
    return ExitCode.ok;
  }
  const migrated: Outcome[] = [];
  const failed: Outcome[] = [];
  const spinner = await ctx.out.spinner(`Migrating 0/${todo.length}…`);
  await Promise.all(todo.map(async (s) => {
    try {
      migrated.push(await swap(session, s, from, to));
    } catch (err) {
      failed.push({ id: s.id, customer: customerOf(s), error: (toStripeApiError(err) as Error).message });
    }
    spinner.update(`Migrating ${migrated.length + failed.length}/${todo.length}…`);
  }));
  spinner.stop();
  report(migrated, failed);
  return failed.length ? ExitCode.error : ExitCode.ok;
}

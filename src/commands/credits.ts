import { found } from '../stripe/found.js';
import type Stripe from 'stripe';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { formatMoney } from '../core/money.js';
import { UserError, isStripeSdkError } from '../errors.js';
import type { Output } from '../output/output.js';
import { creditGrantView, grantIdempotencyKey, grantState, parseCurrency, parseExpiry, parseMajorAmount, type CreditGrantView } from '../customers/credits.js';
import { resolveCustomer } from '../customers/resolve.js';
import { clockOf, formatDateTime } from '../customers/views.js';

/** The customer and its "now" (its test clock's time, else the machine's). */
async function customerAndNow(stripe: Stripe, ref: string | undefined, command: string): Promise<{ customer: Stripe.Customer; now: number }> {
  if (!ref) throw new UserError(`credits ${command} needs --customer.`, { hint: 'a cus_ id, an email, or your external id' });
  const customer = await resolveCustomer(stripe, ref);
  const clock = await clockOf(stripe, customer);
  return { customer, now: clock?.frozen_time ?? Math.floor(Date.now() / 1000) };
}

const describe = (g: CreditGrantView, now: number) =>
  `${g.id}  ${formatMoney(g.amount, g.currency)} ${g.category}  priority ${g.priority ?? 50}  ${grantState(g, now)}${g.expires_at !== null ? `  expires ${formatDateTime(g.expires_at)}` : ''}${g.name ? `  (${g.name})` : ''}`;

export interface CreditsGrantOptions {
  customer?: string;
  amount?: string;
  currency?: string;
  category?: 'paid' | 'promotional';
  expires?: string;
  priority?: number;
  name?: string;
  idempotencyKey?: string;
}

/** `credits grant`: exit 0 granted (or replayed), 1 Stripe error, 3 invalid flags or unknown customer. */
export async function grantCreditsCommand(ctx: CommandContext, options: CreditsGrantOptions): Promise<CommandResult> {
  if (options.amount === undefined || options.currency === undefined) throw new UserError('credits grant needs --amount and --currency.', { hint: 'e.g. --amount 10.00 --currency usd' });
  const currency = parseCurrency(options.currency);
  const amount = parseMajorAmount(options.amount, currency);
  const category = options.category ?? 'paid';
  if (options.name !== undefined && options.name.length > 100) throw new UserError(`--name is ${options.name.length} characters; Stripe allows 100.`);
  const stripe = await ctx.stripe();
  const { customer, now } = await customerAndNow(stripe, options.customer, 'grant');
  const expiresAt = options.expires === undefined ? undefined : parseExpiry(options.expires, now);
  const params: Stripe.Billing.CreditGrantCreateParams = {
    customer: customer.id,
    amount: { type: 'monetary', monetary: { currency, value: amount } },
    applicability_config: { scope: { price_type: 'metered' } },
    category,
    ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
  };
  const idempotencyKey = options.idempotencyKey ?? grantIdempotencyKey({ customer: customer.id, amount, currency, category, expires: options.expires, priority: options.priority, name: options.name });
  let grant: Stripe.Response<Stripe.Billing.CreditGrant>;
  try {
    grant = await stripe.billing.creditGrants.create(params, { idempotencyKey });
  } catch (err) {
    if (isStripeSdkError(err) && (err.rawType === 'idempotency_error' || err.type === 'StripeIdempotencyError')) {
      throw new UserError(`--idempotency-key '${idempotencyKey}' was used in the last 24 hours for a different grant.`, { hint: 'Use a new key for a new grant.' });
    }
    throw err;
  }
  const created = grant.lastResponse?.headers?.['idempotent-replayed'] !== 'true';
  const view = creditGrantView(grant);
  const render = (out: Output) => {
    if (created) out.line(`granted ${formatMoney(view.amount, view.currency)} ${view.category} credit to ${customer.id}: ${describe(view, now)}`);
    else out.line(`an identical grant was made in the last 24 hours; returned it, granted nothing new: ${describe(view, now)}`);
    if (!created) out.info('to grant the same amount again on purpose, pass a new --idempotency-key');
  };
  return { data: { created, grant: view }, render };
}

async function listGrants(stripe: Stripe, customer: string): Promise<CreditGrantView[]> {
  return (await stripe.billing.creditGrants.list({ customer, limit: 100 }).autoPagingToArray({ limit: 1000 })).map(creditGrantView);
}

export interface CreditsCustomerOptions {
  customer?: string;
}

/** `credits list`: the customer's grants, newest first. */
export async function listCreditsCommand(ctx: CommandContext, options: CreditsCustomerOptions): Promise<CommandResult> {
  const stripe = await ctx.stripe();
  const { customer, now } = await customerAndNow(stripe, options.customer, 'list');
  const grants = await listGrants(stripe, customer.id);
  return {
    data: { customer: customer.id, grants: grants.map((g) => ({ ...g, state: grantState(g, now) })) },
    render: (out) => {
      if (grants.length === 0) out.info(`${customer.id} has no credit grants`);
      for (const g of grants) out.line(describe(g, now));
    },
  };
}

async function balanceOf(stripe: Stripe, customer: string, filter: Stripe.Billing.CreditBalanceSummaryRetrieveParams.Filter) {
  const summary = await stripe.billing.creditBalanceSummaries.retrieve({ customer, filter });
  return summary.balances.map((b) => ({ currency: b.available_balance.monetary?.currency ?? '', available: b.available_balance.monetary?.value ?? 0, ledger: b.ledger_balance.monetary?.value ?? 0 }));
}

/** `credits balance`: what is available per currency, and what is left of each live grant. */
export async function creditBalanceCommand(ctx: CommandContext, options: CreditsCustomerOptions): Promise<CommandResult> {
  const stripe = await ctx.stripe();
  const { customer, now } = await customerAndNow(stripe, options.customer, 'balance');
  const balances = await balanceOf(stripe, customer.id, { type: 'applicability_scope', applicability_scope: { price_type: 'metered' } });
  const live = (await listGrants(stripe, customer.id)).filter((g) => grantState(g, now) !== 'voided' && grantState(g, now) !== 'expired');
  const grants: Array<CreditGrantView & { state: ReturnType<typeof grantState>; available: number }> = [];
  for (const g of live) {
    const [left] = await balanceOf(stripe, customer.id, { type: 'credit_grant', credit_grant: g.id });
    grants.push({ ...g, state: grantState(g, now), available: left?.available ?? 0 });
  }
  // Pending: granted, but effective only later (Stripe's balance counts a grant from its effective_at).
  const withPending = balances.map((b) => ({ ...b, pending: 0 }));
  for (const g of grants.filter((x) => x.state === 'scheduled')) {
    const row = withPending.find((b) => b.currency === g.currency) ?? withPending[withPending.push({ currency: g.currency, available: 0, ledger: 0, pending: 0 }) - 1];
    row.pending += g.amount;
  }
  const render = (out: Output) => {
    if (withPending.length === 0) out.line(`${customer.id} has no credit`);
    for (const b of withPending) out.line(`${customer.id}  available ${formatMoney(b.available, b.currency)}  ledger ${formatMoney(b.ledger, b.currency)}${b.pending ? `  pending ${formatMoney(b.pending, b.currency)} (effective later)` : ''}`);
    for (const g of grants) out.line(`  ${formatMoney(g.available, g.currency)} left of ${describe(g, now)}`);
  };
  return { data: { customer: customer.id, balances: withPending, grants }, render };
}

export interface CreditsVoidOptions {
  yes?: boolean;
}

/** `credits void <credgr_…>`: exit 0 voided (or declined), 1 Stripe error, 3 unknown or ended grant, no --yes without a terminal. */
export async function voidCreditsCommand(ctx: CommandContext, options: CreditsVoidOptions, id: string): Promise<CommandResult> {
  if (!/^credgr_[A-Za-z0-9]+$/.test(id)) throw new UserError(`'${id}' is not a credit grant id (credgr_…).`, { hint: 'See them with `alpaca-billing credits list --customer C`.' });
  const stripe = await ctx.stripe();
  const grant = await found(stripe.billing.creditGrants.retrieve(id));
  if (!grant) throw new UserError(`No credit grant '${id}' in this Stripe account.`);
  const view = creditGrantView(grant);
  if (view.voided_at !== null) throw new UserError(`Credit grant ${id} is already voided.`);
  if (!options.yes) {
    const ok = await ctx.prompt.confirm(`Void credit grant ${id} (${formatMoney(view.amount, view.currency)} ${view.category}) of ${view.customer}? What is left of it is lost.`, { flag: '--yes' });
    if (!ok) return { data: { grant: view }, render: (out) => out.info('not voided') };
  }
  const voided = creditGrantView(await stripe.billing.creditGrants.voidGrant(id));
  return { data: { grant: voided }, render: (out) => out.line(`voided credit grant ${id} of ${voided.customer}`) };
}

import { found } from '../stripe/found.js';
import type Stripe from 'stripe';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import type { Output } from '../output/output.js';
import { subscriptionRows } from '../customers/render.js';
import { resolveCustomer } from '../customers/resolve.js';
import { describeItems, formatDate, subscriptionView } from '../customers/views.js';

export const SUBSCRIPTION_STATUSES = ['active', 'past_due', 'unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'trialing', 'paused', 'ended', 'all'] as const;

export interface SubscriptionsListOptions {
  customer?: string;
  status?: string;
  limit?: number;
}

/** `subscriptions list`: Stripe's default (every status but canceled) unless --status says otherwise. */
export async function listSubscriptionsCommand(ctx: CommandContext, options: SubscriptionsListOptions): Promise<CommandResult> {
  const status = options.status as Stripe.SubscriptionListParams.Status | undefined;
  if (status !== undefined && !(SUBSCRIPTION_STATUSES as readonly string[]).includes(status)) {
    throw new UserError(`--status '${status}' is not a subscription status.`, { hint: `One of: ${SUBSCRIPTION_STATUSES.join(', ')}.` });
  }
  const limit = options.limit ?? 100;
  const stripe = await ctx.stripe();
  const customer = options.customer ? await resolveCustomer(stripe, options.customer) : undefined;
  const subs: Stripe.Subscription[] = await stripe.subscriptions
    .list({ ...(customer ? { customer: customer.id } : {}), ...(status ? { status } : {}), limit: Math.min(limit, 100) })
    .autoPagingToArray({ limit });
  const views = subs.map(subscriptionView);
  return {
    data: { subscriptions: views },
    render: (out) => {
      if (views.length === 0) out.info(`no subscriptions${customer ? ` for ${customer.id}` : ''}${status ? ` with status ${status}` : ''}`);
      for (const line of subscriptionRows(views, { customer: !customer })) out.line(line);
    },
  };
}

export interface SubscriptionsCancelOptions {
  atPeriodEnd?: boolean;
  invoiceNow?: boolean;
  yes?: boolean;
}

async function retrieveSubscription(stripe: Stripe, id: string): Promise<Stripe.Subscription> {
  if (!/^sub_[A-Za-z0-9]+$/.test(id)) throw new UserError(`'${id}' is not a subscription id (sub_…).`, { hint: 'Find it with `alpaca-billing subscriptions list --customer <customer>`.' });
  const subscription = await found(stripe.subscriptions.retrieve(id));
  if (!subscription) throw new UserError(`No subscription '${id}' in this Stripe account.`);
  return subscription;
}

/**
 * `subscriptions cancel <sub>`: now (optionally invoicing unbilled usage), or at period end. Asks on a
 * TTY; without one it needs --yes (exit 3). Cancelling an already-canceled subscription is a no-op (exit 0).
 */
export async function cancelSubscriptionCommand(ctx: CommandContext, options: SubscriptionsCancelOptions, id: string): Promise<CommandResult> {
  if (options.atPeriodEnd && options.invoiceNow) {
    throw new UserError('--invoice-now and --at-period-end do not combine: at period end, the usual final invoice bills the usage.');
  }
  const stripe = await ctx.stripe();
  const before = await retrieveSubscription(stripe, id);
  const view = subscriptionView(before);
  if (before.status === 'canceled' || before.status === 'incomplete_expired') {
    return { data: { action: 'none', reason: `already ${before.status}`, subscription: view }, render: (out) => out.line(`subscription ${id} is already ${before.status}; nothing to do`) };
  }
  const when = options.atPeriodEnd ? `at the end of the current period (${formatDate(view.current_period_end)})` : 'now';
  if (!options.yes) {
    const ok = await ctx.prompt.confirm(`Cancel ${id} (${view.customer}, ${describeItems(view)}) ${when}${options.invoiceNow ? ', invoicing unbilled usage' : ''}?`, { flag: '--yes', default: false });
    if (!ok) {
      return { data: { action: 'none', reason: 'declined at the prompt', subscription: view }, render: (out) => out.info('not cancelled') };
    }
  }
  const after: Stripe.Subscription = options.atPeriodEnd
    ? await stripe.subscriptions.update(id, { cancel_at_period_end: true })
    : await stripe.subscriptions.cancel(id, options.invoiceNow ? { invoice_now: true } : {});
  const result = subscriptionView(after);
  const render = (out: Output) => {
    if (options.atPeriodEnd) out.line(`subscription ${id} will cancel at the end of the period (${formatDate(result.current_period_end)}); it stays ${result.status} until then`);
    else out.line(`subscription ${id} canceled${options.invoiceNow ? `; unbilled usage invoiced${result.latest_invoice ? ` (${result.latest_invoice})` : ''}` : ''}`);
  };
  return { data: { action: options.atPeriodEnd ? 'cancel_at_period_end' : 'canceled', subscription: result }, render };
}

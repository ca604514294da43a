import { found } from '../stripe/found.js';
import type Stripe from 'stripe';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import type { Output } from '../output/output.js';
import { loadLinePrices, previewView, renderPreview, type InvoicePreviewView } from '../customers/invoice-preview.js';
import { resolveCustomer } from '../customers/resolve.js';
import { creditKind } from '../customers/credit-applied.js';
import { listCustomerSubscriptions } from '../customers/subscribe.js';
import { LIVE_SUBSCRIPTION_STATUSES, clockOf, customerView, formatDateTime } from '../customers/views.js';

export interface InvoicePreviewOptions {
  subscription?: string;
}

/**
 * `invoice preview <customer> [--subscription S]`: the next invoice of that subscription, or of each
 * of the customer's live subscriptions. Exit 0 (also when there is nothing to preview), 3 unknown customer.
 */
export async function invoicePreviewCommand(ctx: CommandContext, options: InvoicePreviewOptions, ref: string): Promise<CommandResult> {
  if (options.subscription !== undefined && !/^sub_[A-Za-z0-9]+$/.test(options.subscription)) {
    throw new UserError(`--subscription '${options.subscription}' is not a subscription id (sub_…).`);
  }
  const stripe = await ctx.stripe();
  const customer = await resolveCustomer(stripe, ref);
  const subscriptionIds = options.subscription
    ? [await checkSubscriptionOf(stripe, customer, options.subscription)]
    : (await listCustomerSubscriptions(stripe, customer.id)).filter((s) => LIVE_SUBSCRIPTION_STATUSES.has(s.status)).map((s) => s.id);

  const invoices: InvoicePreviewView[] = [];
  for (const subscription of subscriptionIds) {
    const invoice: Stripe.Invoice = await stripe.invoices.createPreview({ customer: customer.id, subscription });
    invoices.push(previewView(invoice, await loadLinePrices(stripe, invoice), await creditKind(stripe, invoice)));
  }

  const view = customerView(customer, await clockOf(stripe, customer));
  const render = (out: Output) => {
    if (invoices.length === 0) out.line(`${view.id} has no active subscription: no upcoming invoice`);
    for (const [i, inv] of invoices.entries()) {
      if (i > 0) out.line();
      const clock = view.test_clock ? ` on test clock ${view.test_clock}${view.test_clock_time !== null ? ` (now ${formatDateTime(view.test_clock_time)})` : ''}` : '';
      out.line(`upcoming invoice for ${view.id}${view.email ? ` (${view.email})` : ''}${clock}, subscription ${inv.subscription ?? subscriptionIds[i]}`);
      for (const line of renderPreview(inv)) out.line(line);
    }
  };
  return { data: { customer: view.id, invoices }, render };
}

/** The subscription must exist and be the customer's: a mix-up is the user's, so it exits 3, not 1. */
async function checkSubscriptionOf(stripe: Stripe, customer: Stripe.Customer, id: string): Promise<string> {
  const sub = await found(stripe.subscriptions.retrieve(id));
  if (!sub) throw new UserError(`No subscription '${id}' in this Stripe account.`);
  const owner = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  if (owner !== customer.id) {
    throw new UserError(`Subscription ${id} belongs to ${owner}, not ${customer.id}.`, { hint: `See the customer's subscriptions with \`alpaca-billing subscriptions list --customer ${customer.id}\`.` });
  }
  return sub.id;
}

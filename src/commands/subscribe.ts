import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import type { Output } from '../output/output.js';
import { formatMoney } from '../core/money.js';
import { describePaymentCollection } from '../customers/payment.js';
import { findPricesByLookupKeys } from '../customers/prices.js';
import { resolveCustomer } from '../customers/resolve.js';
import { checkCheckoutFlags, createIncompleteSubscription, createSubscriptionCheckout, listCustomerSubscriptions, refuseDuplicateSubscriptions } from '../customers/subscribe.js';
import { customerView, describeItems, subscriptionView } from '../customers/views.js';

export interface SubscribeOptions {
  price?: string[];
  allowDuplicate?: boolean;
  checkout?: boolean;
  successUrl?: string;
  cancelUrl?: string;
}

const KIND_LABEL = { setup_intent: 'SetupIntent client secret', payment_intent: 'PaymentIntent client secret (first invoice)', none: 'no client secret' } as const;

/** `subscribe <customer> --price <lookup_key>...`: exit 0 created, 3 unknown customer/price or duplicate, 1 Stripe error. */
export async function subscribeCommand(ctx: CommandContext, options: SubscribeOptions, ref: string): Promise<CommandResult> {
  const keys = (options.price ?? []).map((k) => k.trim()).filter(Boolean);
  if (keys.length === 0) throw new UserError('subscribe needs at least one --price <lookup_key>.', { hint: 'Lookup keys are the `lookup_key` values in pricing.yaml.' });
  if (keys.length > 20) throw new UserError(`--price was given ${keys.length} times; a subscription holds at most 20 prices.`);
  const checkoutUrls = checkCheckoutFlags(options);

  const stripe = await ctx.stripe();
  const customer = await resolveCustomer(stripe, ref);
  const prices = await findPricesByLookupKeys(stripe, keys);
  if (!options.allowDuplicate) refuseDuplicateSubscriptions(customer, prices, await listCustomerSubscriptions(stripe, customer.id));

  if (checkoutUrls) {
    const session = await createSubscriptionCheckout(stripe, customer, prices, checkoutUrls);
    const result = { customer: customerView(customer).id, checkout_session: { id: session.id, url: session.url, mode: session.mode, status: session.status, expires_at: session.expires_at } };
    const render = (out: Output) => {
      out.line(`checkout session ${session.id} for ${customer.id} (${keys.join(', ')})`);
      out.line(`  url  ${session.url ?? '(none returned)'}`);
      out.info('Send the customer to this URL (link or redirect). Checkout collects the payment details and creates the subscription; it expires in 24 hours.');
    };
    return { data: result, render };
  }

  const subscription = await createIncompleteSubscription(stripe, customer, prices);
  const payment = describePaymentCollection(subscription);
  const view = subscriptionView(subscription);
  const render = (out: Output) => {
    out.line(`subscription ${view.id}  ${view.status}  ${customer.id}  ${describeItems(view)}`);
    const due = payment.amount_due !== null && payment.currency ? `  (due now: ${formatMoney(String(payment.amount_due), payment.currency)})` : '';
    out.line(`  payment  ${KIND_LABEL[payment.kind]}${payment.id ? ` for ${payment.id}` : ''}${due}`);
    if (payment.client_secret) out.line(`  client secret  ${payment.client_secret}`);
    out.info(payment.next_step);
  };
  return { data: { subscription: view, payment }, render };
}

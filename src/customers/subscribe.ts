/**
 * Subscribing a customer the way Stripe's usage-based billing guide does: the subscription starts
 * `default_incomplete` and saves the payment method it collects; or a hosted Checkout page does both.
 */
import type Stripe from 'stripe';
import { UserError } from '../errors.js';
import { checkoutLineItem } from './prices.js';
import { LIVE_SUBSCRIPTION_STATUSES } from './views.js';

/** Every subscription of the customer, whatever its status. */
export async function listCustomerSubscriptions(stripe: Stripe, customerId: string): Promise<Stripe.Subscription[]> {
  return await stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 100 }).autoPagingToArray({ limit: 10_000 });
}

const priceIdOf = (item: Stripe.SubscriptionItem): string => (typeof item.price === 'string' ? item.price : item.price.id);

/** Refuses (exit 3) when the customer already has a live subscription to one of `prices`. */
export function refuseDuplicateSubscriptions(customer: Stripe.Customer, prices: readonly Stripe.Price[], existing: readonly Stripe.Subscription[]): void {
  const clashes: string[] = [];
  for (const sub of existing) {
    if (!LIVE_SUBSCRIPTION_STATUSES.has(sub.status)) continue;
    for (const price of prices) {
      if (sub.items.data.some((item) => priceIdOf(item) === price.id)) clashes.push(`${sub.id} (${sub.status}) already bills ${price.lookup_key ?? price.id}`);
    }
  }
  if (clashes.length) {
    throw new UserError(`Customer ${customer.id} already has a subscription to this price:\n${clashes.map((c) => `  ${c}`).join('\n')}`, {
      hint: 'A second subscription would bill the same usage twice. Pass --allow-duplicate if that is really what you want, or cancel the old one (`alpaca-billing subscriptions cancel <sub>`).',
    });
  }
}

export async function createIncompleteSubscription(stripe: Stripe, customer: Stripe.Customer, prices: readonly Stripe.Price[]): Promise<Stripe.Subscription> {
  return await stripe.subscriptions.create({
    customer: customer.id,
    // No quantity: metered items must not have one, and licensed items default to 1.
    items: prices.map((p) => ({ price: p.id })),
    payment_behavior: 'default_incomplete',
    payment_settings: { save_default_payment_method: 'on_subscription' },
    expand: ['latest_invoice.confirmation_secret', 'pending_setup_intent'],
  });
}

export interface CheckoutUrls {
  successUrl: string;
  cancelUrl: string;
}

export async function createSubscriptionCheckout(stripe: Stripe, customer: Stripe.Customer, prices: readonly Stripe.Price[], urls: CheckoutUrls): Promise<Stripe.Checkout.Session> {
  return await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    line_items: prices.map(checkoutLineItem),
    success_url: urls.successUrl,
    cancel_url: urls.cancelUrl,
  });
}

/** Checks the --checkout flags before any call, so a typo costs nothing. */
export function checkCheckoutFlags(options: { checkout?: boolean; successUrl?: string; cancelUrl?: string }): CheckoutUrls | undefined {
  if (!options.checkout) {
    const stray = options.successUrl !== undefined ? '--success-url' : options.cancelUrl !== undefined ? '--cancel-url' : undefined;
    if (stray) throw new UserError(`${stray} only applies with --checkout.`);
    return undefined;
  }
  const missing = [options.successUrl === undefined && '--success-url', options.cancelUrl === undefined && '--cancel-url'].filter(Boolean);
  if (missing.length) throw new UserError(`--checkout needs ${missing.join(' and ')}: where Checkout sends the customer afterwards.`, { hint: 'e.g. --success-url https://example.com/welcome --cancel-url https://example.com/pricing' });
  for (const [flag, value] of [['--success-url', options.successUrl], ['--cancel-url', options.cancelUrl]] as const) {
    let url: URL | undefined;
    try {
      url = new URL(value as string);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new UserError(`${flag} must be an absolute http(s) URL, got '${value}'.`);
  }
  return { successUrl: options.successUrl as string, cancelUrl: options.cancelUrl as string };
}

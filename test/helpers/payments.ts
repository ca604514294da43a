import type Stripe from 'stripe';

/** A 2-cent metered price on a meter of its own (event `<name>_calls`) and a product named `name`. */
export async function meteredPrice(stripe: Stripe, name: string): Promise<Stripe.Price> {
  const product = await stripe.products.create({ name });
  const meter = await stripe.billing.meters.create({ display_name: 'Calls', event_name: `${name.toLowerCase()}_calls`, default_aggregation: { formula: 'sum' } });
  return stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 2, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id } });
}

/**
 * A new customer subscribed to a metered price the way Stripe's guide does it: nothing to pay
 * yet, so the subscription waits on a SetupIntent for the card (the one a payment page confirms).
 */
export async function awaitingCard(stripe: Stripe, price: Stripe.Price, email: string): Promise<{ customer: Stripe.Customer; sub: Stripe.Subscription; si: Stripe.SetupIntent }> {
  const customer = await stripe.customers.create({ email });
  const sub = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id }],
    payment_behavior: 'default_incomplete',
    payment_settings: { save_default_payment_method: 'on_subscription' },
    expand: ['pending_setup_intent'],
  });
  return { customer, sub, si: sub.pending_setup_intent as Stripe.SetupIntent };
}

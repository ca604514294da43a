import type Stripe from 'stripe';

/** Alpaca AI's metered price (0.04 USD per started 1,000 tokens, monthly) in a fresh account, for the example. */
export async function createExampleCatalog(stripe: Stripe): Promise<Stripe.Price> {
  const meter = await stripe.billing.meters.create({ display_name: 'Alpaca AI tokens', event_name: 'alpaca_ai_tokens', default_aggregation: { formula: 'sum' } });
  const product = await stripe.products.create({ name: 'Alpaca AI', unit_label: 'tokens' });
  return stripe.prices.create({
    product: product.id,
    currency: 'usd',
    lookup_key: 'alpaca_ai_tokens_monthly',
    billing_scheme: 'per_unit',
    unit_amount: 4,
    transform_quantity: { divide_by: 1000, round: 'up' },
    recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
  });
}

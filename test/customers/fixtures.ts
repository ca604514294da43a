import Stripe from 'stripe';

const dec = (v: string) => Stripe.Decimal.from(v);

export interface Catalog {
  meter: Stripe.Billing.Meter;
  /** 4 cents per started 1,000 tokens (Alpaca AI). */
  tokens: Stripe.Price;
  /** 0.5 cents per token (a decimal unit amount). */
  perUnit: Stripe.Price;
  /** Graduated: first 1,000 free, then 0.5 cents (+ $5.00 once reached), then 0.25 cents after 10,000. */
  tiered: Stripe.Price;
  /** $10.00 per seat per month, licensed. */
  seats: Stripe.Price;
}

/** The catalog the customer tests subscribe to, created through the real SDK. */
export async function createCatalog(stripe: Stripe): Promise<Catalog> {
  const meter = await stripe.billing.meters.create({
    display_name: 'Alpaca AI tokens',
    event_name: 'alpaca_ai_tokens',
    default_aggregation: { formula: 'sum' },
  });
  const product = await stripe.products.create({ id: 'alpaca_ai', name: 'Alpaca AI' });
  const seatsProduct = await stripe.products.create({ id: 'alpaca_seats', name: 'Alpaca seats', unit_label: 'seats' });
  const metered = { interval: 'month' as const, usage_type: 'metered' as const, meter: meter.id };
  const tokens = await stripe.prices.create({
    product: product.id, currency: 'usd', unit_amount: 4, lookup_key: 'alpaca_ai_tokens_monthly',
    transform_quantity: { divide_by: 1000, round: 'up' }, recurring: metered,
  });
  const perUnit = await stripe.prices.create({
    product: product.id, currency: 'usd', unit_amount_decimal: dec('0.5'), lookup_key: 'alpaca_ai_tokens_per_unit', recurring: metered,
  });
  const tiered = await stripe.prices.create({
    product: product.id, currency: 'usd', billing_scheme: 'tiered', tiers_mode: 'graduated', lookup_key: 'alpaca_ai_tokens_tiered',
    tiers: [
      { up_to: 1000, unit_amount: 0 },
      { up_to: 10000, unit_amount_decimal: dec('0.5'), flat_amount: 500 },
      { up_to: 'inf', unit_amount_decimal: dec('0.25') },
    ],
    recurring: metered,
  });
  const seats = await stripe.prices.create({
    product: seatsProduct.id, currency: 'usd', unit_amount: 1000, lookup_key: 'alpaca_seats_monthly', recurring: { interval: 'month' },
  });
  return { meter, tokens, perUnit, tiered, seats };
}

/** From the file as written (already validated) to the model everyone consumes, defaults filled in. */
import type { PriceAmount, PriceSpec, PricingConfig, TierSpec } from './model.js';
import type { PriceInput, PricingFile } from './pricing-schema.js';

/** "004.500" → "4.5": one spelling per amount, so plan diffs compare strings. */
export function canonicalAmount(amount: number | string): string {
  if (typeof amount === 'number') return String(amount);
  const [whole, fraction = ''] = amount.split('.');
  const w = whole.replace(/^0+(?=\d)/, '');
  const f = fraction.replace(/0+$/, '');
  return f ? `${w}.${f}` : w;
}

function normaliseAmount(price: PriceInput): PriceAmount {
  if (price.package) {
    return { kind: 'package', unit_amount: canonicalAmount(price.package.amount), divide_by: price.package.size, round: price.package.round };
  }
  if (price.tiered) {
    const tiers = price.tiered.tiers.map((t): TierSpec => {
      const tier: TierSpec = { up_to: t.up_to };
      if (t.unit_amount !== undefined) tier.unit_amount = canonicalAmount(t.unit_amount);
      if (t.flat_amount !== undefined) tier.flat_amount = canonicalAmount(t.flat_amount);
      return tier;
    });
    return { kind: 'tiered', mode: price.tiered.mode, tiers };
  }
  return { kind: 'per_unit', unit_amount: canonicalAmount(price.unit_amount ?? 0) };
}

function normalisePrice(price: PriceInput): PriceSpec {
  const spec: PriceSpec = {
    lookup_key: price.lookup_key,
    currency: price.currency,
    active: price.active ?? true,
    metadata: { ...(price.metadata ?? {}) },
    interval: price.interval,
    interval_count: price.interval_count ?? 1,
    amount: normaliseAmount(price),
  };
  if (price.nickname !== undefined) spec.nickname = price.nickname;
  if (price.tax_behavior !== undefined) spec.tax_behavior = price.tax_behavior;
  if (price.meter !== undefined) spec.meter = price.meter;
  return spec;
}

const mapValues = <A, B>(record: Record<string, A> | undefined, f: (a: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, f(v)]));

export function normalisePricing(file: PricingFile): PricingConfig {
  return {
    version: 1,
    meters: mapValues(file.meters, (m) => ({
      display_name: m.display_name,
      event_name: m.event_name,
      aggregation: m.aggregation,
      customer_key: m.customer_key ?? 'stripe_customer_id',
      value_key: m.value_key ?? 'value',
    })),
    products: mapValues(file.products, (p) => {
      const product: PricingConfig['products'][string] = {
        name: p.name,
        active: p.active ?? true,
        metadata: { ...(p.metadata ?? {}) },
        prices: mapValues(p.prices, normalisePrice),
      };
      if (p.description !== undefined) product.description = p.description;
      if (p.unit_label !== undefined) product.unit_label = p.unit_label;
      if (p.default_price !== undefined) product.default_price = p.default_price;
      return product;
    }),
    webhooks: mapValues(file.webhooks, (w) => {
      const hook: PricingConfig['webhooks'][string] = { url: w.url, enabled_events: [...w.events] };
      if (w.description !== undefined) hook.description = w.description;
      return hook;
    }),
    alerts: mapValues(file.alerts, (a) => ({ meter: a.meter, threshold: a.threshold, title: a.title, ...(a.customer !== undefined ? { customer: a.customer } : {}) })),
  };
}

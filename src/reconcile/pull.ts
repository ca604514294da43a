/**
 * The account as a pricing.yaml (the file as users write it, not the normalised model), so an
 * existing account can be brought under management: pulling and then planning shows no changes.
 * Pure: state in, file object and notes out.
 */
import type Stripe from 'stripe';
import type { PricingFile, PriceInput } from '../config/pricing-schema.js';
import { amountOf } from './resources/price-amount.js';
import { pullWebhooks } from './resources/webhooks.js';
import { pullAlerts } from './resources/alerts.js';
import { MANAGED_BY_KEY, type AccountState } from './types.js';

export interface PullOptions {
  /** Include archived products and prices. */
  all?: boolean;
}

export interface PullResult {
  file: PricingFile;
  /** What could not be expressed and was left out, for the user. */
  skipped: string[];
  /** Objects without managed_by: `apply --adopt` takes them over. */
  unmanaged: number;
}

/** Whole minor units as YAML numbers, sub-cent ones as quoted decimal strings (never floats). */
const amountValue = (s: string): number | string => (/^\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : s);

function ownMetadata(metadata: Record<string, string> | null | undefined): Record<string, string> | undefined {
  const out = Object.fromEntries(Object.entries(metadata ?? {}).filter(([k]) => k !== MANAGED_BY_KEY));
  return Object.keys(out).length ? out : undefined;
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function priceInput(price: Stripe.Price, meterKey: string | undefined): PriceInput {
  const r = price.recurring!;
  const out: PriceInput = { lookup_key: price.lookup_key!, currency: price.currency, interval: r.interval as PriceInput['interval'] };
  if (r.interval_count !== 1) out.interval_count = r.interval_count;
  if (price.nickname) out.nickname = price.nickname;
  if (price.tax_behavior && price.tax_behavior !== 'unspecified') out.tax_behavior = price.tax_behavior as PriceInput['tax_behavior'];
  if (!price.active) out.active = false;
  const metadata = ownMetadata(price.metadata);
  if (metadata) out.metadata = metadata;
  if (meterKey) out.meter = meterKey;
  const amount = amountOf(price);
  if (amount.kind === 'per_unit') out.unit_amount = amountValue(amount.unit_amount);
  else if (amount.kind === 'package') out.package = { amount: amountValue(amount.unit_amount), size: amount.divide_by, round: amount.round };
  else {
    out.tiered = {
      mode: amount.mode,
      tiers: amount.tiers.map((t) => ({
        up_to: t.up_to,
        ...(t.unit_amount !== undefined ? { unit_amount: amountValue(t.unit_amount) } : {}),
        ...(t.flat_amount !== undefined ? { flat_amount: amountValue(t.flat_amount) } : {}),
      })),
    };
  }
  return out;
}

export function pullPricing(state: AccountState, options: PullOptions = {}): PullResult {
  const skipped: string[] = [];
  let unmanaged = 0;
  const isManaged = (m: Record<string, string> | null | undefined) => m?.[MANAGED_BY_KEY] === 'alpaca-billing';
  const products = [...state.objects.product].filter((p) => options.all || p.active).sort(byId);
  const productIds = new Set(products.map((p) => p.id));
  const prices = [...state.objects.price].filter((p) => (options.all || p.active) && productIds.has(typeof p.product === 'string' ? p.product : p.product.id)).sort(byId);

  const meterById = new Map(state.objects.meter.map((m) => [m.id, m]));
  const meters = new Map<string, Stripe.Billing.Meter>();
  // An inactive meter is left out (the file has no way to say "inactive": plan would reactivate
  // it) unless a pulled price still uses it.
  for (const m of state.objects.meter) if (m.status === 'active') meters.set(m.event_name, m);

  const pricesByProduct = new Map<string, [string, PriceInput][]>();
  for (const price of prices) {
    const productId = typeof price.product === 'string' ? price.product : price.product.id;
    if (!price.lookup_key) { skipped.push(`price ${price.id} (${productId}): no lookup_key, which is how the file identifies prices; give it one to manage it`); continue; }
    if (!price.recurring) { skipped.push(`price ${price.lookup_key}: one-time prices are not part of pricing.yaml`); continue; }
    const meter = price.recurring.meter ? meterById.get(price.recurring.meter) : undefined;
    if (price.recurring.meter && !meter) { skipped.push(`price ${price.lookup_key}: its meter ${price.recurring.meter} was not found`); continue; }
    if (meter) meters.set(meter.event_name, meter);
    if (!isManaged(price.metadata)) unmanaged++;
    const list = pricesByProduct.get(productId) ?? [];
    list.push([price.lookup_key, priceInput(price, meter?.event_name)]);
    pricesByProduct.set(productId, list);
  }

  const file: PricingFile = { version: 1 };
  if (meters.size) {
    file.meters = {};
    for (const m of [...meters.values()].sort((a, b) => (a.event_name < b.event_name ? -1 : 1))) {
      file.meters[m.event_name] = {
        display_name: m.display_name,
        event_name: m.event_name,
        aggregation: m.default_aggregation.formula as 'sum' | 'count' | 'last',
        ...(m.customer_mapping.event_payload_key !== 'stripe_customer_id' ? { customer_key: m.customer_mapping.event_payload_key } : {}),
        ...(m.value_settings.event_payload_key !== 'value' ? { value_key: m.value_settings.event_payload_key } : {}),
      };
    }
  }
  if (products.length) {
    file.products = {};
    for (const p of products) {
      if (!isManaged(p.metadata)) unmanaged++;
      const priceEntries = pricesByProduct.get(p.id) ?? [];
      const defaultId = typeof p.default_price === 'string' ? p.default_price : p.default_price?.id;
      const defaultKey = priceEntries.find(([lk]) => prices.find((x) => x.id === defaultId)?.lookup_key === lk)?.[0];
      const metadata = ownMetadata(p.metadata);
      file.products[p.id] = {
        name: p.name,
        ...(p.description ? { description: p.description } : {}),
        ...(p.unit_label ? { unit_label: p.unit_label } : {}),
        ...(!p.active ? { active: false } : {}),
        ...(metadata ? { metadata } : {}),
        ...(defaultKey ? { default_price: defaultKey } : {}),
        ...(priceEntries.length ? { prices: Object.fromEntries(priceEntries) } : {}),
      };
    }
  }
  const hooks = pullWebhooks(state.objects.webhook_endpoint ?? []);
  if (Object.keys(hooks.webhooks).length) file.webhooks = hooks.webhooks;
  const alerts = pullAlerts(state.objects.alert ?? [], new Map([...meters.values()].map((m) => [m.id, m.event_name])));
  if (Object.keys(alerts.alerts).length) file.alerts = alerts.alerts;
  return { file, skipped: [...skipped, ...hooks.skipped, ...alerts.skipped], unmanaged: unmanaged + hooks.unmanaged };
}

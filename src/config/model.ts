/**
 * The validated, normalised pricing model: what `parsePricing` returns and what every other part
 * (plan/apply, usage, invoices) consumes. Money is never a float: amounts are decimal strings of
 * minor units ("4" = 4 cents, "0.004" = 0.004 cents), as Stripe's `*_decimal` fields are.
 */

export type Aggregation = 'sum' | 'count' | 'last';
export type Interval = 'day' | 'week' | 'month' | 'year';
export type TaxBehavior = 'inclusive' | 'exclusive' | 'unspecified';

export interface PricingConfig {
  version: 1;
  meters: Record<string, MeterSpec>;
  products: Record<string, ProductSpec>;
  webhooks: Record<string, WebhookSpec>;
  /** Optional in the type so models built by hand (tests, the demo) need not list it; parsePricing always sets it. */
  alerts?: Record<string, AlertSpec>;
}

export interface MeterSpec {
  display_name: string;
  /** The meter's identity in Stripe; immutable. */
  event_name: string;
  aggregation: Aggregation;
  /** Payload keys; Stripe's defaults filled in. */
  customer_key: string;
  value_key: string;
}

export interface ProductSpec {
  /** Used as the Stripe product id (the key in pricing.yaml). */
  name: string;
  description?: string;
  /** How a unit is named on invoices and in cost explanations, e.g. "tokens" (Stripe: ≤ 12 chars). */
  unit_label?: string;
  active: boolean;
  metadata: Record<string, string>;
  /** Local key of one of this product's prices. */
  default_price?: string;
  prices: Record<string, PriceSpec>;
}

export interface PriceSpec {
  /** The price's identity across replacements. */
  lookup_key: string;
  currency: string;
  nickname?: string;
  tax_behavior?: TaxBehavior;
  active: boolean;
  metadata: Record<string, string>;
  interval: Interval;
  interval_count: number;
  /** Local meter key: a metered price. Absent: a licensed (per-seat) recurring price. */
  meter?: string;
  amount: PriceAmount;
}

export type PriceAmount =
  | { kind: 'per_unit'; unit_amount: string }
  /** Stripe's package pricing: `unit_amount` per started (`up`) or completed (`down`) `divide_by` units. */
  | { kind: 'package'; unit_amount: string; divide_by: number; round: 'up' | 'down' }
  | { kind: 'tiered'; mode: 'graduated' | 'volume'; tiers: TierSpec[] };

export interface TierSpec {
  up_to: number | 'inf';
  unit_amount?: string;
  flat_amount?: string;
}

export interface WebhookSpec {
  url: string;
  enabled_events: string[];
  description?: string;
}

export interface AlertSpec {
  /** Local meter key. */
  meter: string;
  /** usage_threshold.gte: a whole number above 0. */
  threshold: number;
  /** Only this customer's usage (cus_…); absent: every customer of the meter. */
  customer?: string;
  /** The title as written; Stripe's carries the key too (reconcile/resources/alerts.ts). */
  title: string;
}

/**
 * Stripe's alerts have no metadata, so an alert's local key rides in its title: "Big month
 * [alpaca-billing:big_month]". That suffix is how plan finds the alert again and knows it is ours.
 */
export function alertStripeTitle(key: string, title: string): string {
  return `${title} [alpaca-billing:${key}]`;
}

/** The key and the title as written, from a Stripe alert title; undefined for alerts made some other way. */
export function parseAlertTitle(stripeTitle: string): { key: string; title: string } | undefined {
  const m = /^([\s\S]*) \[alpaca-billing:([A-Za-z0-9_-]+)\]$/.exec(stripeTitle);
  return m ? { key: m[2], title: m[1] } : undefined;
}

/** Counts for "valid: 1 meter, 1 product, 1 price". */
export function countCatalog(config: PricingConfig): { meters: number; products: number; prices: number; webhooks: number; alerts: number } {
  const products = Object.values(config.products);
  return {
    meters: Object.keys(config.meters).length,
    products: products.length,
    prices: products.reduce((n, p) => n + Object.keys(p.prices).length, 0),
    webhooks: Object.keys(config.webhooks).length,
    alerts: Object.keys(config.alerts ?? {}).length,
  };
}

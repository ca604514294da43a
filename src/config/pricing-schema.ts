/**
 * The zod schema of pricing.yaml as users write it. It checks shapes, types and per-field limits;
 * rules that span fields (references, uniqueness, tier order, interval limits) live in
 * cross-checks.ts so that every problem is found even when other parts of the file are broken.
 * The JSON Schema editors use (pricing.schema.json) is generated from this same schema.
 */
import { z } from 'zod/mini';

// zod/mini, not zod's chained API: the same validator, but building this schema with the chained
// API cost more start-up time than the whole rest of `validate` (issue 9). For the same reason the
// descriptions (only the JSON Schema uses them) are registered, which does not copy the schema as
// a `meta` check would.
// The CLI parses one file per process: compiling zod's fast paths (new Function) costs more
// start-up time than it saves. Only src/config and the saved plan's schemas (src/reconcile, which
// import this module) use zod, so the global setting is ours to make.
z.config({ jitless: true });

/** Stripe's documented limits (see /work/shared/docs/stripe-api-facts.md §1, §5). */
export const LIMITS = {
  unitLabel: 12,
  eventName: 100,
  lookupKey: 200,
  displayName: 250,
  metadataKeys: 50,
  metadataKeyLength: 40,
  metadataValueLength: 500,
  /** unit_amount_decimal allows at most 12 decimal places. */
  decimalPlaces: 12,
  /** Our choice: Stripe documents no length, its own ids stay well below this. */
  productIdLength: 100,
  /** ⚠ Product name and price nickname: what the emulator enforces (SPEC.md), not documented by Stripe. */
  productName: 250,
  nickname: 250,
  /** Stripe's OpenAPI maxLength for a product description. */
  productDescription: 40_000,
  /** ⚠ A meter's customer_mapping / value_settings event_payload_key. */
  payloadKey: 100,
  /** Stripe's general limit on a string parameter (a webhook endpoint's url and description). */
  text: 5000,
  /** ⚠ The largest amount in minor units Stripe takes (999,999.99 in a two-decimal currency). */
  amount: 99_999_999,
  /** Webhook endpoints on one account (Stripe's docs; the emulator does not enforce it). */
  webhookEndpoints: 16,
  /** A billing alert's title (Stripe's OpenAPI maxLength), which also carries the alert's local key. */
  alertTitle: 256,
} as const;

/** Decimal string of minor units: "4", "0.004". Never negative, never exponent notation. */
export const DECIMAL_AMOUNT = /^\d+(\.\d+)?$/;
/** The same, within Stripe's 12 decimal places (the schema's pattern; messages tell the two apart). */
const STRIPE_DECIMAL_AMOUNT = /^\d+(\.\d{1,12})?$/;

/** Amount keys whose problems get money-specific messages (a float gets "quote it as a string"). */
export const AMOUNT_KEYS = new Set(['unit_amount', 'flat_amount', 'amount']);

/** Where the descriptions and titles of the JSON Schema are kept (json-schema.ts reads them). */
const docs = z.globalRegistry;

/** A decimal string of minor units above Stripe's maximum, compared digit by digit (a double would round "99999999.000000000001" down). */
export function exceedsMaxAmount(decimal: string): boolean {
  if (!DECIMAL_AMOUNT.test(decimal)) return false; // not an amount at all: another check says so
  const [whole, fraction = ''] = decimal.split('.');
  const units = BigInt(whole || '0');
  return units > BigInt(LIMITS.amount) || (units === BigInt(LIMITS.amount) && /[1-9]/.test(fraction));
}
const withinMaxAmount = (s: string) => !exceedsMaxAmount(s);

const amount = (what: string) =>
  z.union([z.int().check(z.minimum(0), z.maximum(LIMITS.amount)), z.string().check(z.regex(STRIPE_DECIMAL_AMOUNT), z.refine(withinMaxAmount))]).register(docs, {
    description: `${what}, in minor units of the currency (cents for usd): a whole number such as 4, or a quoted decimal string such as "0.004" for sub-cent amounts, at most ${LIMITS.amount}. Never a float.`,
    examples: [4, '0.004'],
  });

const metadata = z
  .record(z.string().check(z.maxLength(LIMITS.metadataKeyLength), z.regex(/^[^[\]]*$/)), z.string().check(z.maxLength(LIMITS.metadataValueLength)))
  .register(docs, { description: `Stripe metadata: up to ${LIMITS.metadataKeys} string keys (≤ ${LIMITS.metadataKeyLength} chars, no square brackets) with string values (≤ ${LIMITS.metadataValueLength} chars).` });

export const meterSchema = z
  .strictObject({
    display_name: z.string().check(z.minLength(1), z.maxLength(LIMITS.displayName)).register(docs, { description: 'Name of the meter in the Stripe Dashboard (not shown to customers).' }),
    event_name: z
      .string()
      .check(z.minLength(1), z.maxLength(LIMITS.eventName))
      .register(docs, { description: "The meter's identity in Stripe: meter events carry this name. Immutable once created; unique across meters." }),
    aggregation: z.enum(['sum', 'count', 'last']).register(docs, { description: 'How events in a billing period combine: sum of values, count of events, or the last value.' }),
    customer_key: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.payloadKey))).register(docs, { description: 'Payload key holding the Stripe customer id (default stripe_customer_id).' }),
    value_key: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.payloadKey))).register(docs, { description: 'Payload key holding the numeric value (default value).' }),
  })
  .register(docs, { title: 'Meter', description: 'A Stripe billing meter (usage is reported against its event_name).' });

const tierSchema = z
  .strictObject({
    up_to: z.union([z.int().check(z.minimum(1)), z.literal('inf')]).register(docs, { description: "Upper bound (inclusive) of this tier in units, or 'inf' for the last tier." }),
    unit_amount: z.optional(amount('Price per unit within this tier')),
    flat_amount: z.optional(amount('Flat fee for reaching this tier')),
  })
  .register(docs, { title: 'Tier' });

/** A plain string here: cross-checks.ts checks it against the ISO list and json-schema.ts lists the codes for editors. */
export const currencySchema = z.string().register(docs, { description: 'Lowercase ISO 4217 currency code, e.g. usd, eur.' });

export const priceSchema = z
  .strictObject({
    lookup_key: z
      .string()
      .check(z.minLength(1), z.maxLength(LIMITS.lookupKey))
      .register(docs, { description: "The price's identity across replacements (prices are immutable; a changed price is a new price with this lookup key). Unique across the file." }),
    currency: currencySchema,
    interval: z.enum(['day', 'week', 'month', 'year']).register(docs, { description: 'Billing interval.' }),
    interval_count: z
      .optional(z.int().check(z.minimum(1)))
      .register(docs, { description: 'Number of intervals between bills (default 1; at most 3 years: 3 years, 36 months, 156 weeks, 1095 days).' }),
    nickname: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.nickname))).register(docs, { description: 'Internal name of the price (not shown to customers).' }),
    tax_behavior: z
      .optional(z.enum(['inclusive', 'exclusive', 'unspecified']))
      .register(docs, { description: 'Whether amounts include tax. Once inclusive or exclusive, Stripe will not change it.' }),
    active: z.optional(z.boolean()).register(docs, { description: 'false archives the price (default true).' }),
    metadata: z.optional(metadata),
    meter: z
      .optional(z.string())
      .register(docs, { description: 'Local key of a meter under `meters`: a metered (usage-based) price. Without it the price is a licensed (per-seat) recurring price.' }),
    unit_amount: z.optional(amount('Price per unit')),
    package: z
      .optional(
        z.strictObject({
          amount: amount('Price per package'),
          size: z.int().check(z.minimum(1)).register(docs, { description: 'Units per package (Stripe transform_quantity.divide_by).' }),
          round: z.enum(['up', 'down']).register(docs, { description: 'up: bill every started package; down: only completed packages.' }),
        }),
      )
      .register(docs, { title: 'Package', description: "Package pricing: `amount` per `size` units (Stripe's transform_quantity). Cannot be combined with tiers." }),
    tiered: z
      .optional(
        z.strictObject({
          mode: z
            .enum(['graduated', 'volume'])
            .register(docs, { description: 'graduated: each unit priced by the tier it falls in; volume: all units priced by the tier the total falls in.' }),
          tiers: z.array(tierSchema).check(z.minLength(1)).register(docs, { description: "Tiers in increasing up_to order; the last one has up_to: 'inf'." }),
        }),
      )
      .register(docs, { title: 'Tiered', description: 'Tiered pricing.' }),
  })
  .register(docs, { title: 'Price', description: 'A recurring price. Exactly one of unit_amount, package or tiered.' });

/** A plain string for zod (cross-checks.ts reports bad ids with a hint); the JSON Schema gets the pattern. */
export const productIdSchema = z.string();
/** Our reading of Stripe's rule for custom ids (changelog 2018-05-21): letters, digits, `_` and `-`. */
export const PRODUCT_ID = /^[A-Za-z0-9_-]+$/;

export const productSchema = z
  .strictObject({
    name: z.string().check(z.minLength(1), z.maxLength(LIMITS.productName)).register(docs, { description: 'Product name shown on invoices.' }),
    description: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.productDescription))),
    unit_label: z
      .optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.unitLabel)))
      .register(docs, { description: `How a unit is named on invoices and in cost explanations, e.g. tokens (at most ${LIMITS.unitLabel} characters).` }),
    active: z.optional(z.boolean()).register(docs, { description: 'false archives the product (default true).' }),
    metadata: z.optional(metadata),
    default_price: z.optional(z.string()).register(docs, { description: "Local key of one of this product's prices." }),
    prices: z.optional(z.record(z.string(), priceSchema)).register(docs, { description: 'Prices by local key.' }),
  })
  .register(docs, { title: 'Product', description: 'A Stripe product; its key in `products` is used as the Stripe product id.' });

export const webhookSchema = z
  .strictObject({
    url: z.string().check(z.maxLength(LIMITS.text)).register(docs, { description: 'HTTPS endpoint that receives the events.' }),
    events: z
      .array(z.string().check(z.regex(/^(\*|[a-z0-9_]+(\.[a-z0-9_*]+)*)$/)))
      .check(z.minLength(1))
      .register(docs, { description: "Event types to send, e.g. invoice.paid, or '*' for all." }),
    description: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.text))),
  })
  .register(docs, { title: 'Webhook endpoint' });

/** An alert's local key goes into its Stripe title, so it is kept to characters that read back unambiguously. */
export const ALERT_KEY = /^[A-Za-z0-9_-]+$/;
/** A plain string for zod (cross-checks.ts reports bad keys with a hint); the JSON Schema gets the pattern. */
export const alertKeySchema = z.string();

export const alertSchema = z
  .strictObject({
    meter: z.string().register(docs, { description: 'Local key of the meter under `meters` whose usage is watched.' }),
    threshold: z
      .int()
      .check(z.minimum(1))
      .register(docs, { description: "The alert triggers once per customer when the customer's usage on the meter, counted from the alert's creation, reaches this value (a whole number above 0)." }),
    customer: z
      .optional(z.string().check(z.regex(/^cus_[A-Za-z0-9]+$/)))
      .register(docs, { description: 'Watch only this customer (cus_…). Without it the alert watches every customer of the meter.' }),
    title: z
      .string()
      .check(z.minLength(1), z.maxLength(LIMITS.alertTitle))
      .register(docs, { description: 'What the alert is called in the Dashboard and in billing.alert.triggered events. apply appends " [alpaca-billing:<key>]", which is how it finds the alert again (alerts have no metadata).' }),
  })
  .register(docs, { title: 'Usage alert', description: 'A one-time usage_threshold billing alert. Alerts cannot change: a changed alert is archived and created anew.' });

export const pricingFileSchema = z
  .strictObject({
    version: z.literal(1).register(docs, { description: 'Schema version of this file: 1.' }),
    meters: z.optional(z.record(z.string(), meterSchema)).register(docs, { description: 'Billing meters by local key (referenced by prices).' }),
    products: z.optional(z.record(productIdSchema, productSchema)).register(docs, { description: 'Products by key; the key is the Stripe product id.' }),
    webhooks: z.optional(z.record(z.string(), webhookSchema)).register(docs, { description: 'Webhook endpoints by local key.' }),
    alerts: z.optional(z.record(alertKeySchema, alertSchema)).register(docs, { description: 'Usage alerts by local key (letters, digits, _ and -).' }),
  })
  .register(docs, { title: 'alpaca-billing pricing.yaml', description: 'Declarative Stripe usage-based billing catalog: meters, products, prices, webhook endpoints and usage alerts.' });

export type PricingFile = z.infer<typeof pricingFileSchema>;
export type PriceInput = z.infer<typeof priceSchema>;

/**
 * The zod schema of pricing.yaml as users write it. It checks shapes, types and per-field limits;
 * rules that span fields (references, uniqueness, tier order, interval limits) live in
 * cross-checks.ts so that every problem is found even when other parts of the file are broken.
 * The JSON Schema editors use (pricing.schema.json) is generated from this same schema.
 */
import { z } from 'zod';

// The CLI parses one file per process: compiling zod's fast paths (new Function) costs more
// start-up time than it saves. Only src/config uses zod, so the global setting is ours to make.
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
} as const;

/** Decimal string of minor units: "4", "0.004". Never negative, never exponent notation. */
export const DECIMAL_AMOUNT = /^\d+(\.\d+)?$/;
/** The same, within Stripe's 12 decimal places (the schema's pattern; messages tell the two apart). */
const STRIPE_DECIMAL_AMOUNT = /^\d+(\.\d{1,12})?$/;

/** Amount keys whose problems get money-specific messages (a float gets "quote it as a string"). */
export const AMOUNT_KEYS = new Set(['unit_amount', 'flat_amount', 'amount']);

const amount = (what: string) =>
  z
    .union([z.int().min(0), z.string().regex(STRIPE_DECIMAL_AMOUNT)])
    .meta({
      description: `${what}, in minor units of the currency (cents for usd): a whole number such as 4, or a quoted decimal string such as "0.004" for sub-cent amounts. Never a float.`,
      examples: [4, '0.004'],
    });

const metadata = z
  .record(z.string().max(LIMITS.metadataKeyLength).regex(/^[^[\]]*$/), z.string().max(LIMITS.metadataValueLength))
  .meta({ description: `Stripe metadata: up to ${LIMITS.metadataKeys} string keys (≤ ${LIMITS.metadataKeyLength} chars, no square brackets) with string values (≤ ${LIMITS.metadataValueLength} chars).` });

export const meterSchema = z
  .strictObject({
    display_name: z.string().min(1).max(LIMITS.displayName).meta({ description: 'Name of the meter in the Stripe Dashboard (not shown to customers).' }),
    event_name: z
      .string()
      .min(1)
      .max(LIMITS.eventName)
      .meta({ description: "The meter's identity in Stripe: meter events carry this name. Immutable once created; unique across meters." }),
    aggregation: z.enum(['sum', 'count', 'last']).meta({ description: 'How events in a billing period combine: sum of values, count of events, or the last value.' }),
    customer_key: z.string().min(1).optional().meta({ description: 'Payload key holding the Stripe customer id (default stripe_customer_id).' }),
    value_key: z.string().min(1).optional().meta({ description: 'Payload key holding the numeric value (default value).' }),
  })
  .meta({ title: 'Meter', description: 'A Stripe billing meter (usage is reported against its event_name).' });

const tierSchema = z
  .strictObject({
    up_to: z.union([z.int().min(1), z.literal('inf')]).meta({ description: "Upper bound (inclusive) of this tier in units, or 'inf' for the last tier." }),
    unit_amount: amount('Price per unit within this tier').optional(),
    flat_amount: amount('Flat fee for reaching this tier').optional(),
  })
  .meta({ title: 'Tier' });

/** A plain string here: cross-checks.ts checks it against the ISO list and json-schema.ts lists the codes for editors. */
export const currencySchema = z.string().meta({ description: 'Lowercase ISO 4217 currency code, e.g. usd, eur.' });

export const priceSchema = z
  .strictObject({
    lookup_key: z
      .string()
      .min(1)
      .max(LIMITS.lookupKey)
      .meta({ description: "The price's identity across replacements (prices are immutable; a changed price is a new price with this lookup key). Unique across the file." }),
    currency: currencySchema,
    interval: z.enum(['day', 'week', 'month', 'year']).meta({ description: 'Billing interval.' }),
    interval_count: z.int().min(1).optional().meta({ description: 'Number of intervals between bills (default 1; at most 3 years: 3 years, 36 months, 156 weeks, 1095 days).' }),
    nickname: z.string().min(1).optional().meta({ description: 'Internal name of the price (not shown to customers).' }),
    tax_behavior: z.enum(['inclusive', 'exclusive', 'unspecified']).optional().meta({ description: 'Whether amounts include tax. Once inclusive or exclusive, Stripe will not change it.' }),
    active: z.boolean().optional().meta({ description: 'false archives the price (default true).' }),
    metadata: metadata.optional(),
    meter: z.string().optional().meta({ description: 'Local key of a meter under `meters`: a metered (usage-based) price. Without it the price is a licensed (per-seat) recurring price.' }),
    unit_amount: amount('Price per unit').optional(),
    package: z
      .strictObject({
        amount: amount('Price per package'),
        size: z.int().min(1).meta({ description: 'Units per package (Stripe transform_quantity.divide_by).' }),
        round: z.enum(['up', 'down']).meta({ description: 'up: bill every started package; down: only completed packages.' }),
      })
      .optional()
      .meta({ title: 'Package', description: "Package pricing: `amount` per `size` units (Stripe's transform_quantity). Cannot be combined with tiers." }),
    tiered: z
      .strictObject({
        mode: z.enum(['graduated', 'volume']).meta({ description: 'graduated: each unit priced by the tier it falls in; volume: all units priced by the tier the total falls in.' }),
        tiers: z.array(tierSchema).min(1).meta({ description: "Tiers in increasing up_to order; the last one has up_to: 'inf'." }),
      })
      .optional()
      .meta({ title: 'Tiered', description: 'Tiered pricing.' }),
  })
  .meta({ title: 'Price', description: 'A recurring price. Exactly one of unit_amount, package or tiered.' });

/** A plain string for zod (cross-checks.ts reports bad ids with a hint); the JSON Schema gets the pattern. */
export const productIdSchema = z.string();
/** Our reading of Stripe's rule for custom ids (changelog 2018-05-21): letters, digits, `_` and `-`. */
export const PRODUCT_ID = /^[A-Za-z0-9_-]+$/;

export const productSchema = z
  .strictObject({
    name: z.string().min(1).meta({ description: 'Product name shown on invoices.' }),
    description: z.string().min(1).optional(),
    unit_label: z
      .string()
      .min(1)
      .max(LIMITS.unitLabel)
      .optional()
      .meta({ description: `How a unit is named on invoices and in cost explanations, e.g. tokens (at most ${LIMITS.unitLabel} characters).` }),
    active: z.boolean().optional().meta({ description: 'false archives the product (default true).' }),
    metadata: metadata.optional(),
    default_price: z.string().optional().meta({ description: "Local key of one of this product's prices." }),
    prices: z.record(z.string(), priceSchema).optional().meta({ description: 'Prices by local key.' }),
  })
  .meta({ title: 'Product', description: 'A Stripe product; its key in `products` is used as the Stripe product id.' });

export const webhookSchema = z
  .strictObject({
    url: z.string().meta({ description: 'HTTPS endpoint that receives the events.' }),
    events: z.array(z.string().regex(/^(\*|[a-z0-9_]+(\.[a-z0-9_*]+)*)$/)).min(1).meta({ description: "Event types to send, e.g. invoice.paid, or '*' for all." }),
    description: z.string().min(1).optional(),
  })
  .meta({ title: 'Webhook endpoint' });

export const pricingFileSchema = z
  .strictObject({
    version: z.literal(1).meta({ description: 'Schema version of this file: 1.' }),
    meters: z.record(z.string(), meterSchema).optional().meta({ description: 'Billing meters by local key (referenced by prices).' }),
    products: z.record(productIdSchema, productSchema).optional().meta({ description: 'Products by key; the key is the Stripe product id.' }),
    webhooks: z.record(z.string(), webhookSchema).optional().meta({ description: 'Webhook endpoints by local key.' }),
  })
  .meta({ title: 'alpaca-billing pricing.yaml', description: 'Declarative Stripe usage-based billing catalog: meters, products, prices and webhook endpoints.' });

export type PricingFile = z.infer<typeof pricingFileSchema>;
export type PriceInput = z.infer<typeof priceSchema>;

/**
 * A price's amount in the model's terms, from either side, so the differ compares like with like.
 * Amounts stay decimal strings of minor units throughout (never floats).
 */
import type Stripe from 'stripe';
import { z } from 'zod/mini';
import type { PriceAmount, TierSpec } from '../../config/model.js';
import { DECIMAL_AMOUNT } from '../../config/pricing-schema.js';

/** "4.000" → "4", "0.50" → "0.5", "007" → "7": equal amounts compare equal as strings. */
export function normalizeDecimal(value: string): string {
  let s = value.trim();
  const neg = s.startsWith('-');
  if (neg) s = s.slice(1);
  let [int, frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return neg && out !== '0' ? `-${out}` : out;
}

const dec = (decimal: unknown, integer: number | null | undefined): string | undefined => {
  if (decimal !== null && decimal !== undefined) return normalizeDecimal(String(decimal));
  if (integer !== null && integer !== undefined) return String(integer);
  return undefined;
};

export function normalizeAmount(amount: PriceAmount): PriceAmount {
  switch (amount.kind) {
    case 'per_unit':
      return { kind: 'per_unit', unit_amount: normalizeDecimal(amount.unit_amount) };
    case 'package':
      return { kind: 'package', unit_amount: normalizeDecimal(amount.unit_amount), divide_by: amount.divide_by, round: amount.round };
    case 'tiered':
      return {
        kind: 'tiered',
        mode: amount.mode,
        tiers: amount.tiers.map((t) => {
          const tier: TierSpec = { up_to: t.up_to };
          if (t.unit_amount !== undefined) tier.unit_amount = normalizeDecimal(t.unit_amount);
          if (t.flat_amount !== undefined) tier.flat_amount = normalizeDecimal(t.flat_amount);
          return tier;
        }),
      };
  }
}

/** The amount of a Stripe price (tiers must have been expanded). */
export function amountOf(price: Stripe.Price): PriceAmount {
  if (price.billing_scheme === 'tiered') {
    return {
      kind: 'tiered',
      mode: (price.tiers_mode ?? 'graduated') as 'graduated' | 'volume',
      tiers: (price.tiers ?? []).map((t) => {
        const tier: TierSpec = { up_to: t.up_to ?? 'inf' };
        const unit = dec(t.unit_amount_decimal, t.unit_amount);
        const flat = dec(t.flat_amount_decimal, t.flat_amount);
        if (unit !== undefined) tier.unit_amount = unit;
        if (flat !== undefined) tier.flat_amount = flat;
        return tier;
      }),
    };
  }
  const unit = dec(price.unit_amount_decimal, price.unit_amount) ?? '0';
  if (price.transform_quantity) {
    return { kind: 'package', unit_amount: unit, divide_by: price.transform_quantity.divide_by, round: price.transform_quantity.round as 'up' | 'down' };
  }
  return { kind: 'per_unit', unit_amount: unit };
}

export function sameAmount(a: PriceAmount, b: PriceAmount): boolean {
  return JSON.stringify(normalizeAmount(a)) === JSON.stringify(normalizeAmount(b));
}

/** One short line for plan output, e.g. `4 per 1000 units (round up)`. */
export function describeAmount(amount: PriceAmount): string {
  const a = normalizeAmount(amount);
  switch (a.kind) {
    case 'per_unit':
      return `${a.unit_amount} per unit`;
    case 'package':
      return `${a.unit_amount} per ${a.divide_by} units (round ${a.round})`;
    case 'tiered':
      return `${a.mode} tiers [${a.tiers.map((t) => `≤${t.up_to}: ${t.unit_amount ?? '0'}/unit${t.flat_amount !== undefined ? ` + ${t.flat_amount}` : ''}`).join('; ')}]`;
  }
}

/**
 * The SDK types decimal parameters as `Stripe.Decimal` but sends strings through unchanged
 * (V2Coercion passes non-Decimal values as they are), and only src/stripe may load the SDK's
 * `Decimal.from` at run time; a string keeps the plan JSON-serialisable too.
 */
const asDecimal = (s: string) => s as unknown as Stripe.Decimal;
/** A saved plan's decimal amount: a string of minor units, which the SDK sends as it is (above). */
const decimalParam = z.custom<Stripe.Decimal>((v) => typeof v === 'string' && DECIMAL_AMOUNT.test(v), 'expected a decimal string of minor units, e.g. "0.5"');

/** The create parameters that express an amount, as a plan's price payload carries them. */
export const amountParamsShape = {
  billing_scheme: z.enum(['per_unit', 'tiered']),
  unit_amount_decimal: z.optional(decimalParam),
  transform_quantity: z.optional(z.strictObject({ divide_by: z.int().check(z.minimum(1)), round: z.enum(['up', 'down']) })),
  tiers_mode: z.optional(z.enum(['graduated', 'volume'])),
  tiers: z.optional(z.array(z.strictObject({
    up_to: z.union([z.int().check(z.minimum(1)), z.literal('inf')]),
    unit_amount_decimal: z.optional(decimalParam),
    flat_amount_decimal: z.optional(decimalParam),
  }))),
};
export type AmountParams = z.infer<z.ZodMiniObject<typeof amountParamsShape>>;

export function amountParams(amount: PriceAmount): AmountParams {
  switch (amount.kind) {
    case 'per_unit':
      return { billing_scheme: 'per_unit', unit_amount_decimal: asDecimal(amount.unit_amount) };
    case 'package':
      return { billing_scheme: 'per_unit', unit_amount_decimal: asDecimal(amount.unit_amount), transform_quantity: { divide_by: amount.divide_by, round: amount.round } };
    case 'tiered':
      return {
        billing_scheme: 'tiered',
        tiers_mode: amount.mode,
        tiers: amount.tiers.map((t) => ({
          up_to: t.up_to,
          ...(t.unit_amount !== undefined ? { unit_amount_decimal: asDecimal(t.unit_amount) } : {}),
          ...(t.flat_amount !== undefined ? { flat_amount_decimal: asDecimal(t.flat_amount) } : {}),
        })),
      };
  }
}

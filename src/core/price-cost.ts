/**
 * What a Stripe price charges for a quantity, with the arithmetic spelled out for a human. Pure and
 * exact: amounts are minor units as decimal strings, computed with bigint-scaled decimals.
 *
 * Rounding: the exact amount is rounded once, to a whole minor unit, half up (ties away from zero),
 * which is how we read Stripe's rounding of invoice line amounts computed from `*_decimal` prices.
 * Tiered prices are summed exactly first and rounded once at the end, not per tier.
 */
import type { PriceSpec } from '../config/model.js';
import {
  ZERO,
  addDec,
  compareDec,
  decOf,
  divideToInteger,
  formatDecimal,
  formatMoney,
  formatQuantity,
  minDec,
  mulDec,
  roundDec,
  subDec,
  type Dec,
  type DecimalInput,
} from './money.js';

type Amount = DecimalInput | null | undefined;

/** The fields of a `Stripe.Price` the math needs (the SDK's `Decimal` objects are accepted as they come). */
export interface PriceLike {
  currency: string;
  billing_scheme?: string | null;
  unit_amount?: number | null;
  unit_amount_decimal?: Amount;
  tiers?: TierLike[] | null;
  tiers_mode?: string | null;
  transform_quantity?: { divide_by: number; round: string } | null;
  recurring?: { usage_type?: string | null } | null;
}

export interface TierLike {
  /** null (Stripe) or 'inf' (pricing.yaml) for the last, open-ended tier. */
  up_to: number | 'inf' | null;
  unit_amount?: number | null;
  unit_amount_decimal?: Amount;
  flat_amount?: number | null;
  flat_amount_decimal?: Amount;
}

export interface TierCharge {
  /** 1-based tier number. */
  tier: number;
  /** Units billed at this tier's unit amount (decimal string). */
  quantity: string;
  unitAmount: string;
  flatAmount: string;
  /** quantity × unitAmount + flatAmount, exact (minor units). */
  amount: string;
}

export interface PriceCost {
  /** Minor units, rounded half up to a whole unit: what the invoice line would say. */
  amount: string;
  /** Minor units before rounding (may carry sub-cent digits). */
  exactAmount: string;
  /** The quantity the price multiplies: after transform_quantity for package prices. */
  billedQuantity: string;
  /** e.g. "1,234,567 tokens → 1,235 × 1,000 tokens × $0.04 = $49.40". */
  explanation: string;
  scheme: 'per_unit' | 'package' | 'graduated' | 'volume';
  /** Per-tier breakdown for tiered prices. */
  tiers?: TierCharge[];
}

export interface PriceCostOptions {
  /** Plural noun for the quantity, e.g. "tokens" (default "units"). */
  unitLabel?: string;
}

const amountOf = (decimal: Amount, integer: number | null | undefined): Dec | undefined => {
  if (decimal !== null && decimal !== undefined) return decOf(decimal);
  if (integer !== null && integer !== undefined) return decOf(integer);
  return undefined;
};

/**
 * The cost of `quantity` (usage for a metered price, seats for a licensed one) under `price`.
 * A negative quantity is billed as 0, as Stripe shows a negative period total.
 */
export function priceCost(price: PriceLike, quantity: DecimalInput, options: PriceCostOptions = {}): PriceCost {
  const unit = options.unitLabel ?? 'units';
  const currency = price.currency;
  const money = (d: Dec) => formatMoney(formatDecimal(d), currency);
  let q = decOf(quantity);
  if (q.coef < 0n) q = ZERO;
  const qText = `${formatQuantity(formatDecimal(q))} ${unit}`;
  const finish = (exact: Dec, billed: Dec, math: string, scheme: PriceCost['scheme'], tiers?: TierCharge[]): PriceCost => {
    const rounded: Dec = { coef: roundDec(exact, 'half-up'), scale: 0 };
    const exactText = formatDecimal(exact);
    const tail = compareDec(rounded, exact) === 0 ? money(rounded) : `${money(exact)} ≈ ${money(rounded)} (rounded half up)`;
    return { amount: formatDecimal(rounded), exactAmount: exactText, billedQuantity: formatDecimal(billed), explanation: `${math} = ${tail}`, scheme, ...(tiers ? { tiers } : {}) };
  };

  if (price.billing_scheme === 'tiered') return tieredCost(price, q, qText, money, finish);

  const unitAmount = amountOf(price.unit_amount_decimal, price.unit_amount);
  if (!unitAmount) throw new RangeError('price has neither unit_amount nor unit_amount_decimal (custom amounts have no fixed cost)');
  const transform = price.transform_quantity;
  if (transform) {
    const divideBy = decOf(transform.divide_by);
    const packages = { coef: divideToInteger(q, divideBy, transform.round === 'down' ? 'down' : 'up'), scale: 0 };
    const math = `${qText} → ${formatQuantity(formatDecimal(packages))} × ${formatQuantity(transform.divide_by)} ${unit} × ${money(unitAmount)}`;
    return finish(mulDec(packages, unitAmount), packages, math, 'package');
  }
  return finish(mulDec(q, unitAmount), q, `${qText} × ${money(unitAmount)}`, 'per_unit');
}

function tieredCost(
  price: PriceLike,
  q: Dec,
  qText: string,
  money: (d: Dec) => string,
  finish: (exact: Dec, billed: Dec, math: string, scheme: PriceCost['scheme'], tiers?: TierCharge[]) => PriceCost,
): PriceCost {
  const tiers = [...(price.tiers ?? [])].sort((a, b) => upTo(a) - upTo(b));
  if (tiers.length === 0) throw new RangeError('tiered price has no tiers');
  const charges: TierCharge[] = [];
  const charge = (index: number, units: Dec): Dec => {
    const t = tiers[index];
    const unitAmount = amountOf(t.unit_amount_decimal, t.unit_amount) ?? ZERO;
    const flat = amountOf(t.flat_amount_decimal, t.flat_amount) ?? ZERO;
    const amount = addDec(mulDec(units, unitAmount), flat);
    charges.push({ tier: index + 1, quantity: formatDecimal(units), unitAmount: formatDecimal(unitAmount), flatAmount: formatDecimal(flat), amount: formatDecimal(amount) });
    return amount;
  };
  const describe = (c: TierCharge) => {
    const parts = [];
    if (c.unitAmount !== '0' || c.flatAmount === '0') parts.push(`${formatQuantity(c.quantity)} × ${money(decOf(c.unitAmount))}`);
    if (c.flatAmount !== '0') parts.push(`${money(decOf(c.flatAmount))} flat`);
    return parts.join(' + ');
  };

  if (price.tiers_mode === 'volume') {
    // The whole quantity is priced at the tier it falls in (the first tier for 0).
    const index = tiers.findIndex((t) => t.up_to === null || t.up_to === 'inf' || compareDec(q, decOf(t.up_to)) <= 0);
    const at = index === -1 ? tiers.length - 1 : index;
    const exact = charge(at, q);
    return finish(exact, q, `${qText} at volume tier ${at + 1} (${tierRange(tiers, at)}): ${describe(charges[0])}`, 'volume', charges);
  }

  // Graduated: each tier bills the units that fall in it. A tier's flat amount is charged once usage
  // reaches it; the first tier's flat amount is charged even at zero usage (our reading of Stripe: ⚠).
  let exact = ZERO;
  let lower = ZERO;
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i];
    const open = t.up_to === null || t.up_to === 'inf';
    const upper = open ? q : minDec(q, decOf(t.up_to as number));
    const units = compareDec(upper, lower) > 0 ? subDec(upper, lower) : ZERO;
    if (i > 0 && units.coef === 0n) break;
    exact = addDec(exact, charge(i, units));
    if (open) break;
    lower = decOf(t.up_to as number);
  }
  return finish(exact, q, `${qText}, graduated: ${charges.map(describe).join(' + ')}`, 'graduated', charges);
}

const upTo = (t: TierLike): number => (t.up_to === null || t.up_to === 'inf' ? Number.POSITIVE_INFINITY : t.up_to);

function tierRange(tiers: TierLike[], index: number): string {
  const from = index === 0 ? 1 : (tiers[index - 1].up_to as number) + 1;
  const t = tiers[index];
  return t.up_to === null || t.up_to === 'inf' ? `${formatQuantity(from)}+` : `${formatQuantity(from)}–${formatQuantity(t.up_to)}`;
}

/** Same as `priceCost`, for a price as declared in pricing.yaml. */
export function priceSpecCost(spec: PriceSpec, quantity: DecimalInput, options: PriceCostOptions = {}): PriceCost {
  return priceCost(priceLikeFromSpec(spec), quantity, options);
}

export function priceLikeFromSpec(spec: PriceSpec): PriceLike {
  const recurring = { usage_type: spec.meter ? 'metered' : 'licensed' };
  const a = spec.amount;
  if (a.kind === 'per_unit') return { currency: spec.currency, billing_scheme: 'per_unit', unit_amount_decimal: a.unit_amount, recurring };
  if (a.kind === 'package') {
    return { currency: spec.currency, billing_scheme: 'per_unit', unit_amount_decimal: a.unit_amount, transform_quantity: { divide_by: a.divide_by, round: a.round }, recurring };
  }
  return {
    currency: spec.currency,
    billing_scheme: 'tiered',
    tiers_mode: a.mode,
    tiers: a.tiers.map((t) => ({ up_to: t.up_to, unit_amount_decimal: t.unit_amount, flat_amount_decimal: t.flat_amount })),
    recurring,
  };
}

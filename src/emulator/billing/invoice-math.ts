// Turns a usage (or licensed) quantity into money the way Stripe prices it:
// per-unit (integer or decimal unit amounts), package (`transform_quantity`),
// and tiered graduated/volume prices with per-tier flat amounts. Pure and
// exact: every value is fixed-point BigInt and amounts round only once, at the end.
import {
  divideRounded,
  fixedFromInt,
  formatFixed,
  mulFixed,
  parseFixed,
  roundHalfUp,
  toSafeNumber,
  truncate,
  type Fixed,
} from './decimal.js';

type DecimalLike = string | number | { toString(): string } | null | undefined;

export interface PriceTierForm {
  up_to: number | null;
  unit_amount?: number | null;
  unit_amount_decimal?: DecimalLike;
  flat_amount?: number | null;
  flat_amount_decimal?: DecimalLike;
}

/** The subset of a Stripe price that decides its amount (a stored price object fits it). */
export interface PriceForm {
  billing_scheme?: string | null;
  unit_amount?: number | null;
  unit_amount_decimal?: DecimalLike;
  tiers_mode?: string | null;
  tiers?: PriceTierForm[] | null;
  transform_quantity?: { divide_by: number; round: string } | null;
}

export interface PricedQuantity {
  /** Quantity shown on the line: the usage (or licensed quantity), floored at 0, truncated to an integer. */
  quantity: number;
  /** The same quantity at full precision, as a decimal string. */
  quantityDecimal: string;
  /** Units actually charged: packages after `transform_quantity`, else the quantity. */
  billedUnits: string;
  /** Amount in minor units, rounded half up once. */
  amount: number;
  /** Exact amount before rounding, as a decimal string of minor units. */
  amountDecimal: string;
  /** Unit amount per billed unit (per package for package prices); null for tiered prices. */
  unitAmountDecimal: string | null;
}

function decimalOf(decimal: DecimalLike, integer: number | null | undefined): Fixed | null {
  if (decimal !== null && decimal !== undefined && String(decimal) !== '') return parseFixed(String(decimal));
  if (integer !== null && integer !== undefined) return fixedFromInt(integer);
  return null;
}

/**
 * Prices `usage` (a decimal string or number in the price's unit) with `price`.
 * Negative usage bills as 0, as Stripe shows a negative period total as quantity 0.
 */
export function priceQuantity(price: PriceForm, usage: string | number): PricedQuantity {
  let quantity = parseFixed(usage);
  if (quantity < 0n) quantity = 0n;

  let billed = quantity;
  if (price.transform_quantity) {
    const round = price.transform_quantity.round === 'down' ? 'down' : 'up';
    billed = fixedFromInt(divideRounded(quantity, price.transform_quantity.divide_by, round));
  }

  let exact: Fixed;
  let unit: Fixed | null = null;
  if (price.billing_scheme === 'tiered') {
    const tiers = price.tiers ?? [];
    exact = price.tiers_mode === 'volume' ? volumeAmount(tiers, billed) : graduatedAmount(tiers, billed);
  } else {
    unit = decimalOf(price.unit_amount_decimal, price.unit_amount) ?? 0n;
    exact = mulFixed(billed, unit);
  }

  return {
    quantity: toSafeNumber(truncate(quantity), 'quantity'),
    quantityDecimal: formatFixed(quantity),
    billedUnits: formatFixed(billed),
    amount: toSafeNumber(roundHalfUp(exact), 'amount'),
    amountDecimal: formatFixed(exact),
    unitAmountDecimal: unit === null ? null : formatFixed(unit),
  };
}

function tierUnit(tier: PriceTierForm): Fixed {
  return decimalOf(tier.unit_amount_decimal, tier.unit_amount) ?? 0n;
}

function tierFlat(tier: PriceTierForm): Fixed {
  return decimalOf(tier.flat_amount_decimal, tier.flat_amount) ?? 0n;
}

/**
 * Graduated: each tier bills the units that fall inside it, plus its flat amount
 * once reached. The first tier's flat amount applies even at quantity 0 (SPEC.md:
 * that is how Stripe's "flat fee + overage" graduated model charges a base fee).
 */
function graduatedAmount(tiers: PriceTierForm[], quantity: Fixed): Fixed {
  let total = 0n;
  let lower = 0n;
  tiers.forEach((tier, index) => {
    const upper = tier.up_to === null ? null : fixedFromInt(tier.up_to);
    const top = upper === null || quantity < upper ? quantity : upper;
    const units = top > lower ? top - lower : 0n;
    if (units > 0n || index === 0) total += mulFixed(units, tierUnit(tier)) + tierFlat(tier);
    if (upper !== null) lower = upper;
  });
  return total;
}

/** Volume: the whole quantity bills at the one tier it falls in (up_to is inclusive). */
function volumeAmount(tiers: PriceTierForm[], quantity: Fixed): Fixed {
  const tier = tiers.find((t) => t.up_to === null || quantity <= fixedFromInt(t.up_to)) ?? tiers[tiers.length - 1];
  if (!tier) return 0n;
  return mulFixed(quantity, tierUnit(tier)) + tierFlat(tier);
}

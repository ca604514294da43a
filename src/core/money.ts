/**
 * Exact money and quantity arithmetic. Amounts are minor units (cents) as decimal strings or
 * bigints, the way Stripe's `*_decimal` fields carry them; nothing here ever goes through a float.
 * A value is held as `coef / 10^scale` with a bigint coefficient.
 */

/** An exact decimal: `coef × 10^-scale`. */
export interface Dec {
  readonly coef: bigint;
  readonly scale: number;
}

/** What a decimal may arrive as: a string, a bigint, a safe integer, or Stripe's `Decimal` object (via toString). */
export type DecimalInput = string | bigint | number | { toString(): string };

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function parseDecimal(value: DecimalInput): Dec {
  if (typeof value === 'bigint') return { coef: value, scale: 0 };
  if (typeof value === 'number') {
    // Stripe sends integer amounts (unit_amount, up_to) as JSON numbers; anything fractional must come as a string.
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an exact integer: ${value} (pass decimals as strings)`);
    return { coef: BigInt(value), scale: 0 };
  }
  const text = String(value).trim();
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal number: '${text}'`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let coef = BigInt((int || '0') + frac);
  if (sign === '-') coef = -coef;
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    coef *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return normalise({ coef, scale });
}

/** Drops trailing zeros so equal values look equal. */
function normalise(d: Dec): Dec {
  let { coef, scale } = d;
  while (scale > 0 && coef % 10n === 0n) {
    coef /= 10n;
    scale -= 1;
  }
  return { coef, scale };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.coef * 10n ** BigInt(scale - a.scale), b.coef * 10n ** BigInt(scale - b.scale), scale];
}

export function addDec(a: Dec, b: Dec): Dec {
  const [x, y, scale] = align(a, b);
  return normalise({ coef: x + y, scale });
}

export function subDec(a: Dec, b: Dec): Dec {
  return addDec(a, { coef: -b.coef, scale: b.scale });
}

export function mulDec(a: Dec, b: Dec): Dec {
  return normalise({ coef: a.coef * b.coef, scale: a.scale + b.scale });
}

export function compareDec(a: Dec, b: Dec): -1 | 0 | 1 {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const minDec = (a: Dec, b: Dec): Dec => (compareDec(a, b) <= 0 ? a : b);
export const maxDec = (a: Dec, b: Dec): Dec => (compareDec(a, b) >= 0 ? a : b);
export const decOf = (value: DecimalInput): Dec => parseDecimal(value);
export const ZERO: Dec = { coef: 0n, scale: 0 };

export type RoundMode = 'up' | 'down' | 'half-up';

/**
 * `a / b` rounded to a whole number. `up`/`down` round toward/away from +∞ for the non-negative
 * values billing deals in; `half-up` rounds ties away from zero.
 */
export function divideToInteger(a: Dec, b: Dec, mode: RoundMode): bigint {
  if (b.coef === 0n) throw new RangeError('division by zero');
  // a/b = (a.coef × 10^b.scale) / (b.coef × 10^a.scale)
  let num = a.coef * 10n ** BigInt(b.scale);
  let den = b.coef * 10n ** BigInt(a.scale);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den; // truncates toward zero
  const r = num % den;
  if (r === 0n) return q;
  const negative = num < 0n;
  if (mode === 'down') return negative ? q - 1n : q;
  if (mode === 'up') return negative ? q : q + 1n;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= den) return negative ? q - 1n : q + 1n;
  return q;
}

export function roundDec(d: Dec, mode: RoundMode): bigint {
  return divideToInteger(d, { coef: 1n, scale: 0 }, mode);
}

/** Plain notation, no exponent, no trailing zeros: "0.004", "4940", "-1.5". */
export function formatDecimal(d: Dec): string {
  const n = normalise(d);
  const negative = n.coef < 0n;
  const digits = (negative ? -n.coef : n.coef).toString();
  if (n.scale === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(n.scale + 1, '0');
  const int = padded.slice(0, padded.length - n.scale);
  const frac = padded.slice(padded.length - n.scale);
  return `${negative ? '-' : ''}${int}.${frac}`;
}

// Stripe's own minor-unit table (https://docs.stripe.com/currencies). It differs from ISO 4217 for a
// few currencies (ISK, HUF, TWD are two-decimal in Stripe's API), so Intl's digits are not used for amounts.
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** How many decimals one major unit has in Stripe's API: usd 2 (cents), jpy 0, kwd 3. */
export function minorUnitExponent(currency: string): number {
  const c = currency.toLowerCase();
  return ZERO_DECIMAL.has(c) ? 0 : THREE_DECIMAL.has(c) ? 3 : 2;
}

/** Minor units → major units as an exact decimal string: ("4940", "usd") → "49.4". */
export function toMajorUnits(minorUnits: DecimalInput, currency: string): string {
  const d = parseDecimal(minorUnits);
  return formatDecimal({ coef: d.coef, scale: d.scale + minorUnitExponent(currency) });
}

const MAX_INTL_FRACTION = 20;

/** Intl formats a decimal string exactly (Intl.NumberFormat v3, Node 20); TypeScript's lib types only admit number | bigint. */
const formatExact = (f: Intl.NumberFormat, decimal: string): string => f.format(decimal as unknown as number);
const formatters = new Map<string, Intl.NumberFormat>();
function formatter(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/**
 * Formats minor units in their currency: ("4940", "usd") → "$49.40", ("4940", "jpy") → "¥4,940",
 * ("0.004", "usd") → "$0.00004". Sub-minor-unit digits are kept, never rounded away; Intl formats the
 * decimal string exactly (no float conversion).
 */
export function formatMoney(minorUnits: DecimalInput, currency: string): string {
  const code = currency.toUpperCase();
  const major = toMajorUnits(minorUnits, currency);
  const fraction = major.includes('.') ? major.length - major.indexOf('.') - 1 : 0;
  const base = formatter(`${code}`, () => new Intl.NumberFormat('en-US', { style: 'currency', currency: code }));
  const min = base.resolvedOptions().minimumFractionDigits ?? 2;
  if (fraction <= min) return formatExact(base, major);
  if (fraction > MAX_INTL_FRACTION) return `${major} ${code}`;
  const precise = formatter(`${code}:${fraction}`, () =>
    new Intl.NumberFormat('en-US', { style: 'currency', currency: code, minimumFractionDigits: min, maximumFractionDigits: fraction }));
  return formatExact(precise, major);
}

/** Quantities with thousands separators and every decimal kept: 1234567 → "1,234,567", "2.5" → "2.5". */
export function formatQuantity(quantity: DecimalInput): string {
  const text = formatDecimal(parseDecimal(quantity));
  const fraction = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  if (fraction > MAX_INTL_FRACTION) return text;
  const f = formatter(`qty:${fraction}`, () => new Intl.NumberFormat('en-US', { maximumFractionDigits: fraction }));
  return formatExact(f, text);
}

// Exact fixed-point decimals for invoice math. Stripe prices carry up to 12
// decimal places (`unit_amount_decimal`), so every value is a BigInt scaled by
// 10^12; products are rescaled after multiplying. Floats never touch money.

export const SCALE_DIGITS = 12;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

/** A decimal as a BigInt count of 10^-12 units. */
export type Fixed = bigint;

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string ("0.04", "-3", "12.5") or a safe integer/finite number. */
export function parseFixed(value: string | number | bigint): Fixed {
  if (typeof value === 'bigint') return value * SCALE;
  const text = typeof value === 'number' ? numberToPlain(value) : value.trim();
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new RangeError(`not a decimal number: ${JSON.stringify(value)}`);
  const frac = (m[3] ?? '').slice(0, SCALE_DIGITS).padEnd(SCALE_DIGITS, '0');
  const magnitude = BigInt(m[2]) * SCALE + BigInt(frac);
  return m[1] ? -magnitude : magnitude;
}

// Number#toString switches to exponent form for tiny/huge values; toFixed does not.
function numberToPlain(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  if (Number.isInteger(n)) return BigInt(n).toString();
  return n.toFixed(SCALE_DIGITS);
}

/** Renders without trailing zeros: 4000000000000n → "4", 500000000000n → "0.5". */
export function formatFixed(value: Fixed): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE;
  const frac = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

export function mulFixed(a: Fixed, b: Fixed): Fixed {
  // Truncation here loses nothing in practice: quantities and unit prices each
  // have at most 12 places, so only sub-10^-12 cent remainders are dropped.
  return (a * b) / SCALE;
}

export function fixedFromInt(n: number | bigint): Fixed {
  return BigInt(n) * SCALE;
}

/** Rounds half away from zero to a whole number (Stripe rounds amounts to the nearest minor unit). */
export function roundHalfUp(value: Fixed): bigint {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE;
  const rounded = (abs % SCALE) * 2n >= SCALE ? whole + 1n : whole;
  return negative ? -rounded : rounded;
}

/** Integer part towards zero (how Stripe fills the integer `quantity` beside `quantity_decimal`). */
export function truncate(value: Fixed): bigint {
  return value / SCALE;
}

/** value / divisor rounded up or down to a whole number, for non-negative values. */
export function divideRounded(value: Fixed, divisor: number, round: 'up' | 'down'): bigint {
  const d = BigInt(divisor) * SCALE;
  const q = value / d;
  return round === 'up' && value % d !== 0n ? q + 1n : q;
}

export function toSafeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${what} ${value} is beyond the safe integer range`);
  }
  return Number(value);
}

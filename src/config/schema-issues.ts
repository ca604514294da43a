/**
 * Turns zod issues into problems a person can act on: plain words instead of zod's, the value that
 * was found, and a hint ("did you mean", "quote it as a decimal string").
 */
import type { z } from 'zod';
import { closest, didYouMean } from './did-you-mean.js';
import { AMOUNT_KEYS, DECIMAL_AMOUNT, LIMITS, exceedsMaxAmount } from './pricing-schema.js';
import type { PathSegment } from './yaml-source.js';

export interface RawProblem {
  path: PathSegment[];
  message: string;
  hint?: string;
  /** Point at the key rather than the value (unknown or duplicate keys, bad record keys). */
  target?: 'key' | 'value';
  /** For an unknown key: the known key it is probably meant to be. */
  meant?: string;
  /** Keys whose absence this problem is about (dropped when a misspelt key already stands for one of them). */
  missing?: PathSegment[][];
}

/** Keys people bring from Stripe's API or other tools, and what this file calls them. */
const KEY_ALIASES: Record<string, string> = {
  enabled_events: 'events',
  transform_quantity: 'package',
  divide_by: 'size',
  tiers_mode: 'mode',
  tiers: 'tiered',
  unit_amount_decimal: 'unit_amount',
  flat_amount_decimal: 'flat_amount',
  recurring: 'interval',
  default_aggregation: 'aggregation',
  formula: 'aggregation',
  customer_mapping: 'customer_key',
  value_settings: 'value_key',
};

export function valueAt(data: unknown, path: PathSegment[]): unknown {
  let cur = data;
  for (const segment of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[segment as string];
  }
  return cur;
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${truncate(value)}'`;
  return String(value);
}

const truncate = (s: string) => (s.length > 40 ? `${s.slice(0, 37)}...` : s);

const EXPECTED: Record<string, string> = {
  string: 'a string',
  int: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** Why an amount is not a whole number of minor units or a decimal string; undefined when it is fine. */
const tooLarge = (value: number | string) => ({
  message: `is ${value}; Stripe takes at most ${LIMITS.amount} minor units`,
  hint: 'That is 999,999.99 in a currency with cents: check the amount is in minor units (4 = 4 cents), not a typo.',
});

export function amountProblem(value: unknown): { message: string; hint?: string } | undefined {
  const decimalHint = 'Money is never a float: use a whole number of minor units (4 = 4 cents) or a quoted decimal string such as "0.004" for sub-cent amounts.';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { message: `must be a whole number of minor units, got ${value}`, hint: decimalHint };
    if (value < 0) return { message: `must not be negative, got ${value}`, hint: 'Amounts are 0 or more minor units (cents for usd).' };
    if (!Number.isInteger(value)) return { message: `must be a whole number of minor units, got the float ${value}`, hint: `Money is never a float: quote it as a decimal string, "${value}", to mean ${value} minor units (e.g. cents).` };
    if (value > LIMITS.amount) return tooLarge(value);
    return undefined;
  }
  if (typeof value === 'string') {
    if (/^\s*-/.test(value)) return { message: `must not be negative, got '${value}'`, hint: 'Amounts are 0 or more minor units (cents for usd).' };
    if (!DECIMAL_AMOUNT.test(value)) return { message: `must be a whole number or a decimal string of minor units, got '${truncate(value)}'`, hint: 'Write e.g. 4 for 4 cents, or "0.004" for 0.004 cents (no currency symbols, separators or exponents).' };
    const decimals = value.split('.')[1]?.length ?? 0;
    if (decimals > LIMITS.decimalPlaces) return { message: `has ${decimals} decimal places; Stripe allows at most ${LIMITS.decimalPlaces}`, hint: 'Round the amount to 12 decimal places.' };
    if (exceedsMaxAmount(value)) return tooLarge(value);
    return undefined;
  }
  return { message: `must be a whole number of minor units or a decimal string, got ${describeValue(value)}`, hint: decimalHint };
}

export function issueToProblems(issue: z.core.$ZodIssue, data: unknown, knownKeysAt: (path: PathSegment[]) => string[]): RawProblem[] {
  const path = issue.path as PathSegment[];
  const value = valueAt(data, path);
  const last = path[path.length - 1];
  // products.<p>.prices.<price>.unit_amount and deeper: not a product or price that happens to be named "amount".
  const isAmount = path[0] === 'products' && path.length >= 5 && typeof last === 'string' && AMOUNT_KEYS.has(last) && value !== undefined;
  if (isAmount) {
    const p = amountProblem(value);
    if (p) return [{ path, ...p }];
  }

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(path);
      return issue.keys.map((key) => {
        const alias = KEY_ALIASES[key];
        const meant = alias && known.includes(alias) ? alias : closest(key, known);
        const suggestion = meant && `Did you mean '${meant}'?`;
        return {
          path: [...path, key],
          target: 'key' as const,
          meant,
          message: `unknown key '${key}'`,
          hint: suggestion ? `${suggestion} Known keys here: ${known.join(', ')}.` : `Known keys here: ${known.join(', ')}.`,
        };
      });
    }
    case 'invalid_type': {
      if (value === undefined) return [{ path, message: `missing required key '${String(last)}'`, missing: [path] }];
      if (value === null && issue.expected === 'record') return [{ path, message: 'is empty', hint: 'Remove the key, or write {} for none.' }];
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const hint = issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean') ? `Quote it: '${String(value)}'.` : undefined;
      return [{ path, message: `must be ${expected}, got ${describeValue(value)}`, hint }];
    }
    case 'invalid_value': {
      const options = issue.values.map(String);
      if (last === 'version') return [{ path, message: `must be 1, got ${describeValue(value)}`, hint: 'This tool reads version 1 of the pricing file format.' }];
      const suggestion = typeof value === 'string' ? didYouMean(value, options) : undefined;
      return [{ path, message: `must be one of ${options.join(', ')}; got ${describeValue(value)}`, hint: suggestion }];
    }
    case 'invalid_union': {
      if (last === 'up_to') return [{ path, message: `must be a whole number ≥ 1 or 'inf', got ${describeValue(value)}`, hint: "The last tier is up_to: inf (a plain word, or quoted 'inf')." }];
      return [{ path, message: `has an invalid value: ${describeValue(value)}` }];
    }
    case 'too_small': {
      if (issue.origin === 'string') return [{ path, message: 'must not be empty', hint: 'Stripe refuses empty strings: remove the key instead.' }];
      if (issue.origin === 'array') return [{ path, message: `needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}` }];
      if (typeof value === 'number' && Number.isInteger(value)) return [{ path, message: `must be at least ${issue.minimum}, got ${value}` }];
      return [{ path, message: `must be at least ${issue.minimum}, got ${describeValue(value)}` }];
    }
    case 'too_big': {
      if (issue.origin === 'string') return [{ path, message: `is ${(value as string).length} characters long; Stripe allows at most ${issue.maximum}` }];
      return [{ path, message: `must be at most ${issue.maximum}, got ${describeValue(value)}` }];
    }
    case 'invalid_key': {
      const inner = issue.issues[0];
      const key = String(last);
      if (inner?.code === 'too_big') return [{ path, target: 'key', message: `metadata key '${truncate(key)}' is ${key.length} characters long; Stripe allows at most ${LIMITS.metadataKeyLength}` }];
      if (inner?.code === 'invalid_format') return [{ path, target: 'key', message: `metadata key '${key}' contains square brackets, which Stripe does not allow` }];
      return [{ path, target: 'key', message: `invalid key '${key}'` }];
    }
    case 'invalid_format': {
      if (issue.format === 'regex' && typeof value === 'string' && path.includes('events')) {
        return [{ path, message: `'${truncate(value)}' is not an event type`, hint: "Event types look like invoice.paid or customer.subscription.updated; '*' means all." }];
      }
      return [{ path, message: `has an invalid format: ${describeValue(value)}` }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

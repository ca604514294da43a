/**
 * Billing credits for the `credits` commands: reading the flags (money in major units as a decimal
 * string, an expiry as a duration or a time), the idempotency key, and the `--json` views. Pure.
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { minorUnitExponent } from '../core/money.js';
import { UserError } from '../errors.js';
import { addDuration } from './test-clock.js';
import { timeFlag } from '../core/time.js';

/** "10.00" usd → 1000. Never through a float: digits are moved, not multiplied. */
export function parseMajorAmount(value: string, currency: string): number {
  const text = value.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new UserError(`--amount '${value}' is not an amount.`, { hint: 'Give it in major units as a plain decimal, e.g. --amount 10.00 (no currency sign or thousands separator).' });
  const exponent = minorUnitExponent(currency);
  const fraction = m[2] ?? '';
  if (fraction.length > exponent) throw new UserError(`--amount '${value}' has ${fraction.length} decimals; ${currency} has ${exponent}.`, { hint: `e.g. --amount ${m[1]}${exponent ? `.${'0'.repeat(exponent)}` : ''}` });
  const minor = BigInt(m[1] + fraction.padEnd(exponent, '0'));
  if (minor <= 0n) throw new UserError(`--amount '${value}' must be more than zero.`);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new UserError(`--amount '${value}' is too large.`);
  return Number(minor);
}

export function parseCurrency(value: string): string {
  if (!/^[A-Za-z]{3}$/.test(value.trim())) throw new UserError(`--currency '${value}' is not a currency code.`, { hint: 'Give a three-letter ISO code, e.g. --currency usd.' });
  return value.trim().toLowerCase();
}

/** `--expires 30d` (after `now`, the customer's time) or `--expires 2026-03-01`; it must be after `now`. */
export function parseExpiry(value: string, now: number): number {
  const at = /^\d+\s*(mo|min|m|h|d|w|y)$/.test(value.trim()) ? addDuration(now, value) : timeFlag('--expires', value);
  if (at <= now) throw new UserError(`--expires '${value}' is not in the future for this customer.`, { hint: 'Give a duration such as 30d, or a later time.' });
  return at;
}

/**
 * Without --idempotency-key, a key derived from the customer and the flags as typed: an identical
 * command repeated (a retry after a lost response) grants once while Stripe keeps the key (24 h).
 */
export function grantIdempotencyKey(parts: Record<string, string | number | undefined>): string {
  const text = JSON.stringify(Object.entries(parts).sort(([a], [b]) => a.localeCompare(b)));
  return `alpaca-billing-credit-grant-${createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
}

export interface CreditGrantView {
  id: string;
  customer: string;
  name: string | null;
  category: string;
  /** Minor units. */
  amount: number;
  currency: string;
  priority: number | null;
  /** `metered` (all metered prices) or the price ids the grant is limited to. */
  applies_to: 'metered' | string[];
  effective_at: number | null;
  expires_at: number | null;
  voided_at: number | null;
  created: number;
}

export function creditGrantView(g: Stripe.Billing.CreditGrant): CreditGrantView {
  const scope = g.applicability_config.scope;
  return {
    id: g.id,
    customer: typeof g.customer === 'string' ? g.customer : g.customer.id,
    name: g.name,
    category: g.category,
    amount: g.amount.monetary?.value ?? 0,
    currency: g.amount.monetary?.currency ?? '',
    priority: g.priority,
    applies_to: scope.prices ? scope.prices.map((p) => p.id ?? '') : 'metered',
    effective_at: g.effective_at,
    expires_at: g.expires_at,
    voided_at: g.voided_at,
    created: g.created,
  };
}

/** A grant's state at `now` (the customer's time). */
export function grantState(g: CreditGrantView, now: number): 'voided' | 'expired' | 'scheduled' | 'active' {
  if (g.voided_at !== null) return 'voided';
  if (g.expires_at !== null && g.expires_at <= now) return 'expired';
  if (g.effective_at !== null && g.effective_at > now) return 'scheduled';
  return 'active';
}

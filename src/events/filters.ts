/**
 * Which events `events tail` shows: type patterns with `*` wildcards (as Stripe's own `type`
 * filter takes them), a customer, and a start time. Pure.
 */
import type Stripe from 'stripe';
import { UserError } from '../errors.js';
import { METER_ERROR_EVENT_TYPES } from './meter-errors.js';
import { summarizeEvent } from './summary.js';

/** What a subscription business watches when no --type is given. */
export const DEFAULT_TYPE_PATTERNS = ['customer.subscription.*', 'invoice.*', 'setup_intent.*', 'checkout.session.*'];

const PATTERN = /^[a-z0-9_*]+(\.[a-z0-9_*]+)*$/;

/** Splits `--type a,b --type c` and rejects anything that cannot be an event type. */
export function parseTypePatterns(values: string[]): string[] {
  const patterns = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const p of patterns) {
    if (!PATTERN.test(p)) {
      throw new UserError(`--type '${p}' is not an event type or pattern`, { hint: "Use names like invoice.paid, or * as a wildcard: 'customer.subscription.*'." });
    }
  }
  return [...new Set(patterns)];
}

function patternRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((part) => part.replace(/[.]/g, '\\.')).join('.*');
  return new RegExp(`^${body}$`);
}

export function matchesAny(type: string, patterns: string[]): boolean {
  return patterns.some((p) => patternRegExp(p).test(type));
}

/**
 * The server-side filter for `/v1/events` that narrows the listing without hiding anything the
 * patterns match: one pattern goes as `type` (wildcards allowed), up to 20 exact names as `types`.
 * Anything else is listed unfiltered and matched here: one listing keeps Stripe's own order of
 * events within a second, which separate listings per pattern could not merge back.
 */
export function serverTypeFilter(patterns: string[]): { type?: string; types?: string[] } {
  if (patterns.includes('*')) return {};
  if (patterns.length === 1) return { type: patterns[0] };
  if (patterns.length > 1 && patterns.length <= 20 && patterns.every((p) => !p.includes('*'))) return { types: patterns };
  return {};
}

/** Metering error reports are v2 events; they show by default and whenever a pattern names them. */
export function wantsMeterErrors(patterns: string[], explicit: boolean): string[] {
  if (!explicit) return [...METER_ERROR_EVENT_TYPES];
  return METER_ERROR_EVENT_TYPES.filter((t) => matchesAny(t, patterns));
}

export function matchesCustomer(event: Stripe.Event, customer: string | undefined): boolean {
  return customer === undefined || summarizeEvent(event).customer === customer;
}

/**
 * One usage record (an NDJSON object or a CSV row) checked and turned into a meter event. Pure:
 * the customer reference is resolved, the identifier derived (`identity.ts`) and the time window
 * checked (`time.ts`) afterwards, as they depend on Stripe, the rest of the source and the clock.
 */
import { parseTimestamp } from '../core/time.js';

export interface UsageEvent {
  /** 1-based line of the source the event came from. */
  line: number;
  /** The meter's `event_name`. */
  eventName: string;
  /** The customer as written (a cus_ id, an email or an external id) until resolved, then its cus_ id. */
  customer: string;
  /** A whole number as a decimal string (Stripe's payload values are strings). */
  value: string;
  /** Unix seconds. */
  timestamp: number;
  /** The record's own identifier, or one derived from its content (`identity.ts`). */
  identifier: string;
  /** True when the identifier was derived by us rather than given in the record. */
  derived: boolean;
  /** The journal's key for the event (64 bits) and a 32-bit hash of its content. */
  keyHi: number;
  keyLo: number;
  check: number;
}

export type ParseResult = { ok: true; event: UsageEvent } | { ok: false; reason: string };

export interface ParseContext {
  line: number;
  /** `--meter`: used when a record has no `meter`. */
  defaultMeter?: string;
  /** A pricing.yaml meter key or an event name → the event name, or why it cannot be used. */
  resolveMeter(meter: string): { eventName: string; countsEvents?: boolean } | { reason: string };
}

export const IDENTIFIER_MAX = 100;
const MAX_VALUE_DIGITS = 15;
const VALUE_LIMIT = 10 ** MAX_VALUE_DIGITS;

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** A whole number within ±10^15 as a canonical string ("007" → "7"), else why not. */
const CANONICAL = /^-?[1-9]\d{0,14}$/;
/** Unix seconds as plain digits, below 10^11 (parseTimestamp reads them the same). */
const UNIX_SECONDS = /^\d{1,11}$/;

export function parseWholeNumber(v: unknown): { ok: true; value: string } | { ok: false; reason: string } {
  // Fast paths for what nearly every line holds: an integer, or its canonical decimal string.
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < VALUE_LIMIT) return { ok: true, value: String(v) };
  if (typeof v === 'string' && (v === '0' || CANONICAL.test(v))) return { ok: true, value: v };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return { ok: false, reason: `value ${v} is not a whole number (Stripe accepts only integers)` };
    v = String(v);
  }
  if (typeof v !== 'string' || !/^[+-]?\d+$/.test(v.trim())) {
    return { ok: false, reason: `value ${JSON.stringify(v)} is not a whole number (Stripe accepts only integers)` };
  }
  const digits = v.trim().replace(/^[+-]/, '').replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_VALUE_DIGITS) return { ok: false, reason: `value ${v.trim()} is too large` };
  const negative = v.trim().startsWith('-') && digits !== '0';
  return { ok: true, value: (negative ? '-' : '') + digits };
}

export function parseUsageRecord(record: Record<string, unknown>, ctx: ParseContext): ParseResult {
  const customer = text(record.customer);
  const rawTimestamp = record.timestamp;
  const meter = text(record.meter) ?? ctx.defaultMeter;
  const resolved = meter === undefined ? undefined : ctx.resolveMeter(meter);
  // A `count` meter counts events and ignores their value, so a value may be left out.
  let rawValue = record.value;
  if ((rawValue === undefined || rawValue === '') && resolved && 'eventName' in resolved && resolved.countsEvents) rawValue = 1;
  const noValue = rawValue === undefined || rawValue === null || rawValue === '';
  const noTimestamp = rawTimestamp === undefined || rawTimestamp === null || rawTimestamp === '';
  if (customer === undefined || noValue || noTimestamp || meter === undefined) {
    const missing = [
      customer === undefined && 'customer',
      noValue && 'value',
      noTimestamp && 'timestamp',
      meter === undefined && 'meter (add a `meter` field or pass --meter)',
    ].filter((m): m is string => Boolean(m));
    return { ok: false, reason: `missing ${missing.join(', ')}` };
  }
  // Plain integers (nearly every NDJSON line) skip the general parsers and their result objects.
  let value: string;
  if (typeof rawValue === 'number' && Number.isInteger(rawValue) && Math.abs(rawValue) < VALUE_LIMIT) value = String(rawValue);
  else if (typeof rawValue === 'string' && (rawValue === '0' || CANONICAL.test(rawValue))) value = rawValue; // a CSV's digits
  else {
    const parsed = parseWholeNumber(rawValue);
    if (!parsed.ok) return parsed;
    value = parsed.value;
  }
  let timestamp: number;
  if (typeof rawTimestamp === 'number' && Number.isInteger(rawTimestamp) && Math.abs(rawTimestamp) < 1e12) timestamp = rawTimestamp;
  else if (typeof rawTimestamp === 'string' && UNIX_SECONDS.test(rawTimestamp)) timestamp = Number(rawTimestamp); // a CSV's digits
  else {
    const parsed = parseTimestamp(rawTimestamp);
    if (!parsed.ok) return parsed;
    timestamp = parsed.seconds;
  }
  if ('reason' in resolved!) return { ok: false, reason: resolved.reason };
  const eventName = resolved!.eventName;
  const identifier = text(record.identifier);
  if (identifier !== undefined && identifier.length > IDENTIFIER_MAX) return { ok: false, reason: `identifier is longer than ${IDENTIFIER_MAX} characters` };
  return {
    ok: true,
    event: { line: ctx.line, eventName, customer: customer!, value, timestamp, identifier: identifier ?? '', derived: identifier === undefined, keyHi: 0, keyLo: 0, check: 0 },
  };
}

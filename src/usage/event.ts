/**
 * One usage record (an NDJSON object or a CSV row) checked and turned into a meter event.
 * Pure apart from hashing; the time window is checked separately (see `time.ts`) because it
 * depends on the clock, while everything here depends only on the record and its position.
 */
import { hash } from 'node:crypto';
import { parseTimestamp } from './time.js';

export interface UsageEvent {
  /** 1-based line of the source the event came from. */
  line: number;
  /** The meter's `event_name`. */
  eventName: string;
  customer: string;
  /** A whole number as a decimal string (Stripe's payload values are strings). */
  value: string;
  /** Unix seconds. */
  timestamp: number;
  identifier: string;
  /** True when the identifier was derived by us rather than given in the record. */
  derived: boolean;
  /** The source text, kept only for the rejects file. */
  raw?: string;
}

export type ParseResult = { ok: true; event: UsageEvent } | { ok: false; reason: string };

export interface ParseContext {
  line: number;
  /** Names the source in derived identifiers (the file's base name, or `stdin`/--source-name). */
  sourceKey: string;
  /** `--meter`: used when a record has no `meter`. */
  defaultMeter?: string;
  /** A pricing.yaml meter key or an event name → the event name, or why it cannot be used. */
  resolveMeter(meter: string): { eventName: string; countsEvents?: boolean } | { reason: string };
}

export const IDENTIFIER_MAX = 100;
const MAX_VALUE_DIGITS = 15;

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** A whole number within ±10^15 as a canonical string ("007" → "7"), else why not. */
export function parseWholeNumber(v: unknown): { ok: true; value: string } | { ok: false; reason: string } {
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

/**
 * The identifier scheme, documented in src/usage/README.md:
 * `alp_<source tag>_<line in base 36>_<content hash in base 36>`, where the source tag is the first
 * 12 base64url characters of SHA-256 over the source key and the content hash is a 53-bit hash
 * (cyrb53) of the event name, customer, value and timestamp. Source and line make it unique; the
 * content hash makes an edited line a new event. Deterministic, so a resent batch is deduplicated
 * by Stripe. (A cryptographic hash per event cost more CPU than the rest of the parsing together.)
 */
export function deriveIdentifier(sourceKey: string, line: number, eventName: string, customer: string, value: string, timestamp: number): string {
  return `alp_${sourceTag(sourceKey)}_${line.toString(36)}_${cyrb53(`${eventName}\0${customer}\0${value}\0${timestamp}`).toString(36)}`;
}

let lastSource: { key: string; tag: string } | undefined;

function sourceTag(sourceKey: string): string {
  if (lastSource?.key !== sourceKey) lastSource = { key: sourceKey, tag: hash('sha256', `alp1\0${sourceKey}`, 'base64url').slice(0, 12) };
  return lastSource.tag;
}

/** cyrb53 (bryc, public domain): a fast, well-mixed 53-bit string hash. */
export function cyrb53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function parseUsageRecord(record: Record<string, unknown>, ctx: ParseContext): ParseResult {
  const customer = text(record.customer);
  const rawTimestamp = record.timestamp;
  const meter = text(record.meter) ?? ctx.defaultMeter;
  const resolved = meter === undefined ? undefined : ctx.resolveMeter(meter);
  // A `count` meter counts events and ignores their value, so a value may be left out.
  let rawValue = record.value;
  if ((rawValue === undefined || rawValue === '') && resolved && 'eventName' in resolved && resolved.countsEvents) rawValue = 1;
  const missing = [
    customer === undefined && 'customer',
    (rawValue === undefined || rawValue === null || rawValue === '') && 'value',
    (rawTimestamp === undefined || rawTimestamp === null || rawTimestamp === '') && 'timestamp',
    meter === undefined && 'meter (add a `meter` field or pass --meter)',
  ].filter((m): m is string => Boolean(m));
  if (missing.length) return { ok: false, reason: `missing ${missing.join(', ')}` };
  if (!/^cus_[A-Za-z0-9]+$/.test(customer!)) return { ok: false, reason: `customer '${customer}' is not a Stripe customer id (cus_…)` };
  const value = parseWholeNumber(rawValue);
  if (!value.ok) return value;
  const ts = parseTimestamp(rawTimestamp);
  if (!ts.ok) return ts;
  if ('reason' in resolved!) return { ok: false, reason: resolved.reason };
  const eventName = resolved!.eventName;
  let identifier = text(record.identifier);
  if (identifier !== undefined && identifier.length > IDENTIFIER_MAX) return { ok: false, reason: `identifier is longer than ${IDENTIFIER_MAX} characters` };
  const derived = identifier === undefined;
  identifier ??= deriveIdentifier(ctx.sourceKey, ctx.line, eventName, customer!, value.value, ts.seconds);
  return { ok: true, event: { line: ctx.line, eventName, customer: customer!, value: value.value, timestamp: ts.seconds, identifier, derived } };
}

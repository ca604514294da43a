/**
 * Times as users type them and as we print them: one parser for every time flag (`--since`,
 * `--from`, `--to`, `--timestamp`, `--frozen-time`, `--expires`) and for usage files, one formatter.
 * Pure: `now` is always passed in.
 */
import { UserError } from '../errors.js';

export type TimestampResult = { ok: true; seconds: number } | { ok: false; reason: string };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Unix seconds (number or digit string) or ISO 8601. A date alone is midnight UTC. A date-time must
 * carry its zone (Z or an offset): a zoneless time would silently mean the machine's local time. A
 * 13-digit number is refused as it is almost certainly milliseconds, which Stripe would place
 * 50,000 years ahead.
 */
export function parseTimestamp(input: unknown): TimestampResult {
  if (typeof input === 'number') return fromSeconds(input, String(input));
  if (typeof input !== 'string' || input.trim() === '') return { ok: false, reason: 'timestamp must be Unix seconds or an ISO 8601 date-time' };
  const text = input.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return fromSeconds(Number(text), text);
  if (ISO_DATE.test(text) || ISO_DATE_TIME.test(text)) {
    const ms = Date.parse(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
    if (Number.isFinite(ms)) return { ok: true, seconds: Math.floor(ms / 1000) };
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) return { ok: false, reason: `timestamp '${text}' has no time zone (add Z or an offset such as +02:00)` };
  return { ok: false, reason: `timestamp '${text}' is neither Unix seconds nor ISO 8601` };
}

function fromSeconds(n: number, text: string): TimestampResult {
  if (!Number.isFinite(n)) return { ok: false, reason: `timestamp '${text}' is not a number` };
  if (Math.abs(n) >= 1e12) return { ok: false, reason: `timestamp '${text}' looks like milliseconds; give Unix seconds` };
  return { ok: true, seconds: Math.floor(n) };
}

const AGO = /^(\d+)\s*(s|m|h|d)$/;
const AGO_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * A time flag's value as Unix seconds, or a UserError naming the flag. With `ago` (the current
 * time), a duration back from it is accepted too: `30m`, `2h`, `7d`.
 */
export function timeFlag(flag: string, value: string, options: { ago?: number } = {}): number {
  const rel = options.ago !== undefined ? AGO.exec(value.trim()) : null;
  if (rel) return options.ago! - Number(rel[1]) * AGO_SECONDS[rel[2]];
  const t = parseTimestamp(value);
  if (t.ok) return t.seconds;
  const forms = `${options.ago !== undefined ? 'a duration back from now (30m, 2h, 7d), ' : ''}a date (2026-11-01, midnight UTC), a time with its zone (2026-11-01T12:00:00Z) or Unix seconds`;
  // The reason reads "timestamp 'x' has no time zone…": said of the flag instead.
  throw new UserError(`${flag} '${value}' ${t.reason.replace(/^timestamp ('[^']*' )?/, '')}.`, { hint: `Give ${forms}.` });
}

/** RFC 3339 in whole seconds, UTC, so lines from different machines line up: `2026-11-26T18:58:38Z`. */
export function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const isoCache = new Map<number, string>();

/** `iso`, memoised: a usage file repeats the same seconds many times over. */
export function isoSeconds(seconds: number): string {
  let text = isoCache.get(seconds);
  if (text === undefined) {
    if (isoCache.size >= 50_000) isoCache.clear();
    text = iso(seconds);
    isoCache.set(seconds, text);
  }
  return text;
}

/**
 * Timestamps and Stripe's acceptance window for meter events: at most 35 days back and 5 minutes
 * ahead (the allowance is for clock drift). Pure: `now` is always passed in.
 */

export const WINDOW_PAST_SECONDS = 35 * 86_400;
export const WINDOW_FUTURE_SECONDS = 5 * 60;

export type TimestampResult = { ok: true; seconds: number } | { ok: false; reason: string };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Unix seconds (number or digit string) or ISO 8601. A date-time must carry its zone (Z or an
 * offset): a zoneless time would silently mean the machine's local time. A 13-digit number is
 * refused as it is almost certainly milliseconds, which Stripe would place 50,000 years ahead.
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

/** Undefined when Stripe would accept the timestamp now; otherwise why not. */
export function checkWindow(seconds: number, nowSeconds: number): string | undefined {
  if (seconds < nowSeconds - WINDOW_PAST_SECONDS) {
    return `timestamp ${new Date(seconds * 1000).toISOString()} is more than 35 days in the past (Stripe refuses it)`;
  }
  if (seconds > nowSeconds + WINDOW_FUTURE_SECONDS) {
    return `timestamp ${new Date(seconds * 1000).toISOString()} is more than 5 minutes in the future`;
  }
  return undefined;
}

const isoCache = new Map<number, string>();

/** RFC 3339 in whole seconds. Memoised: a usage file repeats the same seconds many times over. */
export function isoSeconds(seconds: number): string {
  let text = isoCache.get(seconds);
  if (text === undefined) {
    if (isoCache.size >= 50_000) isoCache.clear();
    text = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    isoCache.set(seconds, text);
  }
  return text;
}

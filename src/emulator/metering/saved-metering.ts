// The shape of the metering slice in a --state file, and its check: a hand-edited or damaged
// file must be refused with the field named, not crash the emulator while it loads.
import type { Contribution, SerializedAggregates } from './aggregate-store.js';
import type { IdentifierRecord } from './identifier-log.js';

export interface SavedMetering {
  aggregates?: SerializedAggregates;
  identifiers?: IdentifierRecord[];
  /** Events sent without an identifier that were still inside the aggregation delay. */
  pending?: Contribution[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Problems as `path: message`, at most `limit` of them; empty when the slice is usable. */
export function checkSavedMetering(value: unknown, path: string, limit = 10): string[] {
  const problems: string[] = [];
  const add = (p: string, message: string) => {
    if (problems.length < limit) problems.push(`${p}: ${message}`);
  };
  if (!isObject(value)) {
    add(path, 'must be an object');
    return problems;
  }
  const { aggregates, identifiers, pending } = value;
  if (aggregates !== undefined) {
    if (!Array.isArray(aggregates)) add(`${path}.aggregates`, 'must be an array');
    else
      aggregates.forEach((a, i) => {
        const at = `${path}.aggregates[${i}]`;
        if (!isObject(a)) return add(at, 'must be an object');
        if (typeof a.meterId !== 'string') add(`${at}.meterId`, 'must be a string');
        if (typeof a.customerId !== 'string') add(`${at}.customerId`, 'must be a string');
        if (!Array.isArray(a.rows)) return add(`${at}.rows`, 'must be an array');
        a.rows.forEach((row, j) => {
          if (!Array.isArray(row) || row.length !== 6 || !row.every(isNumber)) add(`${at}.rows[${j}]`, 'must be 6 numbers [minute, sum, count, lastValue, lastTimestamp, lastSeq]');
        });
      });
  }
  if (identifiers !== undefined) {
    if (!Array.isArray(identifiers)) add(`${path}.identifiers`, 'must be an array');
    else
      identifiers.forEach((r, i) => {
        const at = `${path}.identifiers[${i}]`;
        if (!isObject(r)) return add(at, 'must be an object');
        if (typeof r.hash !== 'string' || !/^[0-9a-f]{16}$/.test(r.hash)) add(`${at}.hash`, 'must be 16 hex digits');
        if (typeof r.eventName !== 'string') add(`${at}.eventName`, 'must be a string');
        if (!isNumber(r.receivedAt)) add(`${at}.receivedAt`, 'must be a number');
        if (r.state !== 'pending' && r.state !== 'applied' && r.state !== 'cancelled') add(`${at}.state`, 'must be "pending", "applied" or "cancelled"');
        checkContribution(r.contribution, `${at}.contribution`, add);
      });
  }
  if (pending !== undefined) {
    if (!Array.isArray(pending)) add(`${path}.pending`, 'must be an array');
    else pending.forEach((c, i) => checkContribution(c, `${path}.pending[${i}]`, add));
  }
  return problems;
}

function checkContribution(c: unknown, at: string, add: (p: string, m: string) => void): void {
  if (!isObject(c)) return add(at, 'must be an object');
  for (const k of ['meterId', 'customerId'] as const) if (typeof c[k] !== 'string') add(`${at}.${k}`, 'must be a string');
  for (const k of ['minute', 'value', 'timestamp', 'seq'] as const) if (!isNumber(c[k])) add(`${at}.${k}`, 'must be a number');
}

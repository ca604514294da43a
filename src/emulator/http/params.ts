import type { EmuRequest } from '../types.js';
import { invalid, parameterMissing, parameterUnknown } from './errors.js';

/**
 * Readers for form-encoded parameters. v1 sends every value as a string (`true`, `42`), v2 sends JSON,
 * so each reader accepts both and names the parameter (bracket style, as Stripe does) when it refuses.
 */

/** Refuses any top-level key not in `allowed` (`expand` is always allowed). */
export function checkParams(body: Record<string, unknown>, allowed: readonly string[], prefix?: string): void {
  for (const key of Object.keys(body)) {
    if (key === 'expand' && !prefix) continue;
    if (!allowed.includes(key)) throw parameterUnknown(prefix ? `${prefix}[${key}]` : key);
  }
}

/** Checks the keys of a nested object parameter such as `recurring`. */
export function checkNested(value: unknown, param: string, allowed: readonly string[]): Record<string, unknown> {
  const obj = asObject(value, param);
  checkParams(obj, allowed, param);
  return obj;
}

export function asObject(value: unknown, param: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(param, `Invalid object: ${param} must be a hash (e.g. ${param}[key]=value).`, 'parameter_invalid_object');
  }
  return value as Record<string, unknown>;
}

export function asInt(value: unknown, param: string, range: { min?: number; max?: number } = {}): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw invalid(param, `Invalid integer: ${String(value)}`, 'parameter_invalid_integer');
  if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
    const bound = range.max !== undefined && range.min !== undefined ? `between ${range.min} and ${range.max}` : range.min !== undefined ? `at least ${range.min}` : `at most ${range.max}`;
    throw invalid(param, `This value must be ${bound}.`, 'parameter_invalid_integer');
  }
  return n;
}

export function asBool(value: unknown, param: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalid(param, `Invalid boolean: ${String(value)}`);
}

export function asString(value: unknown, param: string, options: { max?: number; oneOf?: readonly string[]; allowEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw invalid(param, `Invalid string: ${param} must be a string.`);
  if (!options.allowEmpty && value.trim() === '') throw invalid(param, `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`, 'parameter_invalid_empty');
  if (options.max !== undefined && value.length > options.max) throw invalid(param, `Invalid ${param}: must be at most ${options.max} characters.`);
  if (options.oneOf && !options.oneOf.includes(value)) throw invalid(param, `Invalid ${param}: must be one of ${oneOfList(options.oneOf)}`);
  return value;
}

/** Stripe's wording of the allowed values, sorted: "day, month, week, or year" (⚠ two: "good or service"). */
export function oneOfList(values: readonly string[]): string {
  const sorted = [...values].sort();
  if (sorted.length < 3) return sorted.join(' or ');
  return `${sorted.slice(0, -1).join(', ')}, or ${sorted[sorted.length - 1]}`;
}

/** A decimal string such as "0.04" (at most 12 decimal places), kept as a string: money is never a float. */
export function asDecimalString(value: unknown, param: string): string {
  const s = typeof value === 'number' ? String(value) : value;
  if (typeof s !== 'string' || !/^\d+(\.\d{1,12})?$/.test(s.trim())) throw invalid(param, `Invalid decimal: ${String(value)}`, 'parameter_invalid_decimal');
  return normalizeDecimal(s.trim());
}

/** "0.50" → "0.5", "007" → "7": Stripe echoes decimals without redundant zeros. */
export function normalizeDecimal(s: string): string {
  let [int, frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

export function asStringArray(value: unknown, param: string): string[] {
  if (value === '' || value === undefined) return [];
  const arr = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : [value];
  return arr.map((v, i) => asString(v, `${param}[${i}]`));
}

export function required<T>(value: T | undefined, param: string): T {
  if (value === undefined || value === null) throw parameterMissing(param);
  return value;
}

export function int(req: EmuRequest, name: string, range?: { min?: number; max?: number }): number | undefined {
  const v = req.body[name];
  return v === undefined || v === '' ? undefined : asInt(v, name, range);
}

export function bool(req: EmuRequest, name: string): boolean | undefined {
  const v = req.body[name];
  return v === undefined || v === '' ? undefined : asBool(v, name);
}

export function str(req: EmuRequest, name: string, options?: { max?: number; oneOf?: readonly string[] }): string | undefined {
  const v = req.body[name];
  return v === undefined ? undefined : asString(v, name, options);
}

/** Stripe's metadata limits: 50 keys, keys ≤ 40 chars without brackets, values ≤ 500 chars. */
function checkMetadataEntry(key: string, value: unknown, param: string): string {
  if (key.length > 40 || /[[\]]/.test(key)) throw invalid(`${param}[${key}]`, `Invalid metadata key '${key}': keys are at most 40 characters and cannot contain '[' or ']'.`);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw invalid(`${param}[${key}]`, 'Metadata values must be strings.');
  const s = String(value);
  if (s.length > 500) throw invalid(`${param}[${key}]`, `Metadata value for '${key}' is longer than 500 characters.`);
  return s;
}

/**
 * Merges a metadata update into `existing` and returns the new object: an empty value removes the
 * key, and `metadata=''` clears all of it (as Stripe does).
 */
export function mergeMetadata(existing: Record<string, string>, update: unknown, param = 'metadata'): Record<string, string> {
  if (update === undefined) return existing;
  if (update === '' || update === null) return {};
  const obj = asObject(update, param);
  const merged: Record<string, string> = { ...existing };
  for (const [key, value] of Object.entries(obj)) {
    if (value === '' || value === null) delete merged[key];
    else merged[key] = checkMetadataEntry(key, value, param);
  }
  if (Object.keys(merged).length > 50) throw invalid(param, 'Metadata can have at most 50 keys.');
  return merged;
}

/** Metadata for a create call. */
export function newMetadata(update: unknown, param = 'metadata'): Record<string, string> {
  return mergeMetadata({}, update, param);
}

/**
 * Checks a JSON value the emulator sent against the shape the SDK's types give its `object`: every
 * non-optional field present, no field the type lacks, primitives, nullability, literal unions,
 * nested objects, and expandable fields as an id unless the request expanded them (then the object).
 */
import type { Definition, Schema, Shape } from './derive.js';

export interface Divergence {
  /** The top-level `object` of the response (or `(none)`). */
  object: string;
  /** Where in the response, with array indices as `[]` (`data[].items.data[].price.recurring`). */
  path: string;
  expected: string;
  got: string;
}

export interface CheckOptions {
  /** The request's `expand[]` paths; they name fields from the response's root. */
  expand?: readonly string[];
}

export function checkResponse(schema: Schema, body: unknown, options: CheckOptions = {}): Divergence[] {
  const out: Divergence[] = [];
  const top = isObject(body) && typeof body.object === 'string' ? body.object : '(none)';
  // `a.b.c` expands `a` and `a.b` too.
  const expand = new Set((options.expand ?? []).flatMap((p) => p.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))));
  const ctx: Context = { schema, out, top };
  if (isObject(body) && body.object === undefined && Array.isArray(body.data)) {
    // A v2 list (`{data, next_page_url, previous_page_url}`) has no `object` of its own.
    checkFields(ctx, body, { name: 'V2List', fields: { data: { shape: { array: 'dispatch' } }, next_page_url: { shape: { union: ['string', 'null'] } }, previous_page_url: { shape: { union: ['string', 'null'] } } } }, '', '', expand);
  } else if (isObject(body) && Object.keys(body).length === 0) {
    // The v2 meter event stream answers `{}`, as Stripe does.
  } else {
    check(ctx, body, 'dispatch', '', '', expand);
  }
  return out;
}

interface Context {
  schema: Schema;
  out: Divergence[];
  top: string;
}

/**
 * `path` is where the value is in the response (for the report); `from` is its path as `expand[]`
 * names it (without array indices: `data.customer`, `items.data.price.product`).
 */
function check(ctx: Context, value: unknown, shape: Shape, path: string, from: string, expand: Set<string>): void {
  const problem = mismatch(ctx, value, shape, path, from, expand);
  if (problem) ctx.out.push({ object: ctx.top, path: path || '(root)', expected: describe(ctx.schema, shape), got: problem });
}

/** Returns what is wrong at this value itself (nested problems are pushed as they are found), or ''. */
function mismatch(ctx: Context, value: unknown, shape: Shape, path: string, from: string, expand: Set<string>): string {
  if (shape === 'any') return '';
  if (shape === 'absent') return `${gotOf(value)} (the type says the field is never sent)`;
  if (shape === 'string' || shape === 'number' || shape === 'boolean') return typeof value === shape ? '' : gotOf(value);
  if (shape === 'null') return value === null ? '' : gotOf(value);
  if (shape === 'decimal') return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? '' : gotOf(value);
  if (shape === 'dispatch') {
    if (!isObject(value) || typeof value.object !== 'string') return `${gotOf(value)} (an object with an \`object\` field)`;
    const known = ctx.schema.objects[value.object];
    if (!known) return `object '${value.object}', which test/helpers/shapes/object-types.ts does not map to an SDK type (add it there)`;
    return mismatch(ctx, value, known, path, from, expand);
  }
  if ('lit' in shape) return value === shape.lit ? '' : gotOf(value);
  if ('array' in shape) {
    if (!Array.isArray(value)) return gotOf(value);
    for (const item of value) check(ctx, item, shape.array, `${path}[]`, from, expand);
    return '';
  }
  if ('map' in shape) return isObject(value) ? '' : gotOf(value);
  if ('ref' in shape) {
    if (!isObject(value)) return gotOf(value);
    checkFields(ctx, value, ctx.schema.defs[shape.ref], path, from, expand);
    return '';
  }
  return union(ctx, value, shape.union, path, from, expand);
}

function union(ctx: Context, value: unknown, members: Shape[], path: string, from: string, expand: Set<string>): string {
  const objectMembers = members.filter((m): m is { ref: string } => typeof m === 'object' && 'ref' in m);
  if (isObject(value) && objectMembers.length) {
    // Members whose literal fields (`object`, `type`, `deleted`) all match; the report uses the best.
    const candidates = membersFor(ctx.schema, members, objectMembers, value).filter((m) => discriminantsMatch(ctx.schema.defs[m.ref], value));
    let best: Divergence[] | undefined;
    for (const m of candidates.length ? candidates : objectMembers) {
      const trial: Context = { ...ctx, out: [] };
      checkFields(trial, value, ctx.schema.defs[m.ref], path, from, expand);
      if (trial.out.length === 0) return '';
      if (!best || trial.out.length < best.length) best = trial.out;
    }
    ctx.out.push(...best!);
    return '';
  }
  for (const m of members) {
    if (typeof m === 'object' && 'ref' in m) continue;
    const trial: Context = { ...ctx, out: [] };
    if (!mismatch(trial, value, m, path, from, expand) && trial.out.length === 0) return '';
  }
  return gotOf(value);
}

/** An event is one of ~250 types told apart by `type`: index such unions once, by that literal. */
const byType = new WeakMap<object, Map<unknown, Array<{ ref: string }>> | null>();

function membersFor(schema: Schema, union: Shape[], members: Array<{ ref: string }>, value: Record<string, unknown>): Array<{ ref: string }> {
  let index = byType.get(union);
  if (index === undefined) {
    const types = members.map((m) => schema.defs[m.ref].fields.type?.shape);
    index = types.every((t) => typeof t === 'object' && 'lit' in t) ? new Map() : null;
    members.forEach((m, i) => index?.set((types[i] as { lit: unknown }).lit, [...(index.get((types[i] as { lit: unknown }).lit) ?? []), m]));
    byType.set(union, index);
  }
  return index ? (index.get(value.type) ?? []) : members;
}

/** Each definition's literal-typed fields (`object`, `type`, `deleted`), found once. */
const literalFields = new WeakMap<Definition, Array<{ name: string; lit: unknown; optional: boolean }>>();

function discriminantsMatch(def: Definition, value: Record<string, unknown>): boolean {
  let lits = literalFields.get(def);
  if (!lits) {
    lits = Object.entries(def.fields).flatMap(([name, f]) => (typeof f.shape === 'object' && 'lit' in f.shape ? [{ name, lit: f.shape.lit, optional: !!f.optional }] : []));
    literalFields.set(def, lits);
  }
  return lits.every(({ name, lit, optional }) => (!(name in value) && optional) || value[name] === lit);
}

function checkFields(ctx: Context, value: Record<string, unknown>, def: Definition, path: string, from: string, expand: Set<string>): void {
  const push = (field: string, expected: string, got: string) => ctx.out.push({ object: ctx.top, path: join(path, field), expected, got });
  for (const [name, field] of Object.entries(def.fields)) {
    const at = join(from, name);
    const present = name in value;
    if (field.includable) {
      if (present && !expand.has(at)) push(name, 'absent unless expanded (Stripe sends it only on request)', gotOf(value[name]));
      // Requested but absent is wrong only where the type requires the field (⚠ SPEC: a price
      // that is not tiered has no `tiers` even when expanded).
      else if (!present && expand.has(at) && !field.optional) push(name, `${describe(ctx.schema, field.shape)} (requested with expand)`, 'missing');
      if (!present || !expand.has(at)) continue;
    } else if (!present) {
      if (!field.optional) push(name, describe(ctx.schema, field.shape), 'missing');
      continue;
    }
    const v = value[name];
    if (field.expandable && v !== null) {
      if (typeof v === 'string' && expand.has(at)) push(name, 'the expanded object (requested with expand)', `id ${JSON.stringify(v)}`);
      if (typeof v === 'object' && !expand.has(at)) push(name, 'an id (not requested with expand)', 'an object');
    }
    check(ctx, v, field.shape, join(path, name), at, expand);
  }
  for (const name of Object.keys(value)) {
    if (name in def.fields) continue;
    if (def.rest) check(ctx, value[name], def.rest, join(path, name), join(from, name), expand);
    else push(name, `no such field on ${def.name}`, gotOf(value[name]));
  }
}

function describe(schema: Schema, shape: Shape): string {
  if (typeof shape === 'string') return shape === 'dispatch' ? 'an API object' : shape === 'absent' ? 'never sent' : shape;
  if ('lit' in shape) return JSON.stringify(shape.lit);
  if ('array' in shape) return `${describe(schema, shape.array)}[]`;
  if ('map' in shape) return 'object';
  if ('ref' in shape) return schema.defs[shape.ref]?.name ?? shape.ref;
  const parts = shape.union.map((m) => describe(schema, m));
  return parts.length > 8 ? `${parts.slice(0, 8).join(' | ')} | … (${parts.length} in all)` : parts.join(' | ');
}

function gotOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return isObject(value) && typeof value.object === 'string' ? `an object '${value.object}'` : 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}…` : text}`;
}

function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

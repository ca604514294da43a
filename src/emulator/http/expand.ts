import type { EmulatorCore } from '../core.js';
import { invalid } from './errors.js';
import { EXPANDABLE, INCLUDABLE } from './expandable-fields.js';

/** Stripe refuses expansions deeper than four levels. */
const MAX_DEPTH = 4;

/**
 * Applies `expand[]` paths to a response without touching stored objects: every object along a
 * path is shallow-copied before its field is replaced. What can be expanded is what the SDK's
 * types mark expandable (expandable-fields.ts): an id becomes the object (through a route module's
 * retriever), a null stays null, and a field Stripe sends only on request (`tiers`, `total_count`,
 * `line_items`) is computed by the route module's expander. `data.x` on a list expands `x` on each
 * item; paths go through nested hashes (`invoice_settings.default_payment_method`) and through
 * objects that are not expandable themselves (`items.data.price.product`).
 */
export function applyExpansions(body: unknown, paths: unknown, core: EmulatorCore): unknown {
  if (paths === undefined || paths === '') return body;
  const list = Array.isArray(paths) ? paths : typeof paths === 'object' && paths !== null ? Object.values(paths) : [paths];
  let result = body;
  for (const p of list) {
    if (typeof p !== 'string' || p === '') throw invalid('expand', `Invalid expand path: ${String(p)}`);
    const parts = p.split('.');
    if (parts.length > MAX_DEPTH) throw invalid('expand', `You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${p}`);
    result = expandPath(result, parts, core, '', '');
  }
  return result;
}

/**
 * `owner` is the API object (by its `object`) whose field table applies, and `prefix` the path
 * from it to `value` when `value` is a hash nested in it.
 */
function expandPath(value: unknown, parts: string[], core: EmulatorCore, owner: string, prefix: string): unknown {
  if (parts.length === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => expandPath(item, parts, core, owner, prefix));
  const obj = value as Record<string, any>;
  if (typeof obj.object === 'string') {
    owner = obj.object;
    prefix = '';
  }
  const [field, ...rest] = parts;
  if ((obj.object === 'list' || obj.object === 'search_result') && field === 'data' && Array.isArray(obj.data)) {
    return { ...obj, data: obj.data.map((item: unknown) => expandPath(item, rest, core, '', '')) };
  }
  const path = prefix ? `${prefix}.${field}` : field;
  let current = obj[field];
  if (EXPANDABLE[owner]?.[path]) {
    current = Array.isArray(current) ? current.map((v) => expandOne(v, obj, owner, path, core)) : expandOne(current, obj, owner, path, core);
    return { ...obj, [field]: expandPath(current, rest, core, '', '') };
  }
  // Not expandable itself, but a path may go through it to an expandable field further in (and
  // through a hash that is null here, as Stripe: nothing to expand).
  if (rest.length > 0 && current !== null && typeof current === 'object') return { ...obj, [field]: expandPath(current, rest, core, owner, path) };
  if (rest.length > 0 && (current === null || current === undefined) && leadsToExpandable(owner, `${path}.${rest.join('.')}`)) return obj;
  throw invalid('expand', `This property cannot be expanded (${path}).`);
}

function leadsToExpandable(owner: string, path: string): boolean {
  return Object.keys(EXPANDABLE[owner] ?? {}).some((p) => p === path || path.startsWith(`${p}.`));
}

function expandOne(value: unknown, parent: Record<string, any>, owner: string, path: string, core: EmulatorCore): unknown {
  if (value !== null && typeof value === 'object') return value;
  const expander = core.expander(owner, path);
  if (expander) {
    const expanded = expander(value, parent, core);
    return expanded === undefined ? value : expanded;
  }
  if (value === undefined) {
    // A field sent only on request that the emulator cannot compute (invoices' `payments`).
    if (INCLUDABLE[owner]?.includes(path)) throw invalid('expand', `The emulator does not model \`${path}\` on ${owner} objects (see src/emulator/SPEC.md).`);
    return value;
  }
  if (typeof value !== 'string') return value;
  for (const target of EXPANDABLE[owner][path]) {
    const found = core.retriever(target)?.(value);
    if (found !== undefined) return found;
  }
  return value;
}

/**
 * Removes the fields Stripe sends only on request (INCLUDABLE) from a response that did not
 * request them, wherever such an object appears. Objects are copied, never changed in place.
 */
export function omitIncludable(body: unknown, paths: unknown): unknown {
  const requested = new Set<string>();
  if (paths !== undefined && paths !== '') {
    const list = Array.isArray(paths) ? paths : typeof paths === 'object' && paths !== null ? Object.values(paths) : [paths];
    for (const p of list) if (typeof p === 'string') requested.add(p);
  }
  return omit(body, '', requested);
}

function omit(value: unknown, path: string, requested: Set<string>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = omit(v, path, requested);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  const obj = value as Record<string, unknown>;
  const hidden = typeof obj.object === 'string' ? INCLUDABLE[obj.object] : undefined;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const at = path ? `${path}.${key}` : key;
    if (hidden?.includes(key) && !requested.has(at)) {
      out ??= { ...obj };
      delete out[key];
      continue;
    }
    const v = obj[key];
    if (v === null || typeof v !== 'object') continue;
    const r = omit(v, at, requested);
    if (r !== v) (out ??= { ...obj })[key] = r;
  }
  return out ?? obj;
}

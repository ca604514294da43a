import type { EmulatorCore } from '../core.js';
import { invalid } from './errors.js';

/** Stripe refuses expansions deeper than four levels. */
const MAX_DEPTH = 4;

/**
 * Applies `expand[]` paths to a response without touching stored objects: every object along a
 * path is shallow-copied before its field is replaced. `data.x` on a list expands `x` on each item.
 */
export function applyExpansions(body: unknown, paths: unknown, core: EmulatorCore): unknown {
  if (paths === undefined || paths === '') return body;
  const list = Array.isArray(paths) ? paths : typeof paths === 'object' && paths !== null ? Object.values(paths) : [paths];
  let result = body;
  for (const p of list) {
    if (typeof p !== 'string' || p === '') throw invalid('expand', `Invalid expand path: ${String(p)}`);
    const parts = p.split('.');
    if (parts.length > MAX_DEPTH) throw invalid('expand', `You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${p}`);
    result = expandPath(result, parts, p, core);
  }
  return result;
}

function expandPath(value: unknown, parts: string[], full: string, core: EmulatorCore): unknown {
  if (parts.length === 0 || value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, any>;
  const [field, ...rest] = parts;
  if ((obj.object === 'list' || obj.object === 'search_result') && field === 'data' && Array.isArray(obj.data)) {
    return { ...obj, data: obj.data.map((item: unknown) => expandPath(item, rest, full, core)) };
  }
  const expander = core.expander(obj.object, field);
  let current = obj[field];
  if (expander) {
    if (!isExpanded(current)) {
      const expanded = expander(current, obj, core);
      if (expanded !== undefined) current = expanded;
    }
  } else if (!(field in obj) || typeof current === 'string') {
    throw invalid('expand', `This property cannot be expanded (${field}).`);
  }
  return { ...obj, [field]: expandPath(current, rest, full, core) };
}

function isExpanded(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'object' in value;
}

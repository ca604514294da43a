/**
 * What the SDK's types say can be expanded on each object the emulator serves, rendered as
 * src/emulator/http/expandable-fields.ts (the emulator's own copy: it ships without the SDK's
 * types). test/emulator/expand.test.ts fails while the copy differs from the types.
 */
import type { Definition, Schema, Shape } from './derive.js';

export interface ExpandableTable {
  /** object → expandable path (nested hashes as `a.b`) → the `object` values it expands to. */
  expandable: Record<string, Record<string, string[]>>;
  /** object → fields sent only when expanded. */
  includable: Record<string, string[]>;
}

export function expandableTable(schema: Schema): ExpandableTable {
  const expandable: ExpandableTable['expandable'] = {};
  const includable: ExpandableTable['includable'] = {};
  for (const [object, shape] of Object.entries(schema.objects).sort(([a], [b]) => a.localeCompare(b))) {
    const fields: Record<string, string[]> = {};
    const included = new Set<string>();
    for (const ref of refsOf(shape)) walk(schema, schema.defs[ref], '', fields, included, new Set());
    if (Object.keys(fields).length) expandable[object] = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
    if (included.size) includable[object] = [...included].sort();
  }
  return { expandable, includable };
}

export function renderExpandableTable(table: ExpandableTable): string {
  const q = (text: string) => (/^[a-z_]+$/.test(text) ? text : `'${text}'`);
  const list = (items: readonly string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;
  const expandable = Object.entries(table.expandable).map(([object, fields]) => `  ${q(object)}: {\n${Object.entries(fields).map(([path, targets]) => `    ${q(path)}: ${list(targets)},`).join('\n')}\n  },`);
  const includable = Object.entries(table.includable).map(([object, fields]) => `  ${q(object)}: ${list(fields)},`);
  return `// Generated from the stripe SDK's types by test/helpers/shapes/expandable.ts: do not edit.
// \`UPDATE_EXPANDABLE=1 npm test -- test/emulator/expand.test.ts\` rewrites it.

/** object → field path that \`expand[]\` may name (nested hashes as \`a.b\`) → the objects it expands to. */
export const EXPANDABLE: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
${expandable.join('\n')}
};

/** object → fields Stripe sends only when the request expands them. */
export const INCLUDABLE: Readonly<Record<string, readonly string[]>> = {
${includable.join('\n')}
};
`;
}

function walk(schema: Schema, def: Definition, prefix: string, out: Record<string, string[]>, included: Set<string>, seen: Set<Definition>): void {
  if (seen.has(def)) return;
  seen.add(def);
  for (const [name, field] of Object.entries(def.fields)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const item = typeof field.shape === 'object' && 'array' in field.shape ? field.shape.array : field.shape;
    if (field.includable) {
      out[path] = targetsOf(schema, item);
      if (!prefix) included.add(name);
    } else if (isExpandable(item)) {
      out[path] = targetsOf(schema, item);
    } else {
      // Into nested hashes (no `object` of their own); an API object nested here has its own table.
      for (const ref of refsOf(item)) {
        const nested = schema.defs[ref];
        if (!('object' in nested.fields)) walk(schema, nested, path, out, included, seen);
      }
    }
  }
  seen.delete(def);
}

function refsOf(shape: Shape): string[] {
  if (typeof shape !== 'object') return [];
  if ('ref' in shape) return [shape.ref];
  if ('union' in shape) return shape.union.flatMap(refsOf);
  return [];
}

function isExpandable(shape: Shape): boolean {
  return typeof shape === 'object' && 'union' in shape && shape.union.includes('string') && refsOf(shape).length > 0;
}

/** The `object` values an expandable field can become (from each type's `object` literal). */
function targetsOf(schema: Schema, shape: Shape): string[] {
  const targets = new Set<string>();
  for (const ref of refsOf(shape)) {
    const lit = schema.defs[ref].fields.object?.shape;
    if (typeof lit === 'object' && 'lit' in lit) targets.add(String(lit.lit));
  }
  return [...targets].sort();
}

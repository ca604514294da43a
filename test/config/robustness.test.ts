import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { parsePricing } from '../../src/config/validate.js';

const canonical = parse(readFileSync(resolve(import.meta.dirname, '../../pricing.yaml'), 'utf8'));

/** Every path to a value in a JSON-like tree. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...children.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (!path.length) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]] = value;
  return copy;
}

const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.constantFrom('inf', 'usd', 'USD', 'month', '0.5', '-1'));
const junk = fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.constantFrom('name', 'foo', 'unit_amount', 'tiers', 'up_to'), leaf, { maxKeys: 3 }));

describe('parsePricing on damaged files', () => {
  it('never throws, and every problem has a position, a path and a message', () => {
    const allPaths = paths(canonical);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...allPaths), junk), { minLength: 1, maxLength: 3 }), (edits) => {
        let doc: unknown = canonical;
        for (const [path, value] of edits) {
          try {
            doc = setAt(doc, path, value);
          } catch {
            // an earlier edit replaced a parent of this path: skip it
          }
        }
        const text = stringify(doc);
        const { config, problems } = parsePricing(text, 'p.yaml');
        const lines = text.split('\n').length;
        for (const p of problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lines);
          expect(p.col).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeGreaterThan(0);
          expect(p.message).not.toMatch(/Invalid input|expected \w+, received/); // zod's own wording never leaks
        }
        expect(Boolean(config)).toBe(problems.length === 0);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const { config, problems } = parsePricing(text, 'p.yaml');
        expect(config !== undefined || problems.length > 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

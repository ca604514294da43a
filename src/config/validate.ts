/**
 * Pure validation of pricing.yaml text (no fs, no network): every problem at once, each with
 * file:line:col, the YAML path, a message and a hint. `load.ts` is the thin reader around it.
 */
import type { ConfigProblem } from '../errors.js';
import type { PricingConfig } from './model.js';
import { crossCheck } from './cross-checks.js';
import { normalisePricing } from './normalise.js';
import { pricingFileSchema } from './pricing-schema.js';
import { issueToProblems, type RawProblem } from './schema-issues.js';
import { parseYamlSource, type PathSegment } from './yaml-source.js';

export interface ParseResult {
  config?: PricingConfig;
  problems: ConfigProblem[];
}

export function parsePricing(text: string, file: string): ParseResult {
  const source = parseYamlSource(text);
  const problem = (line: number, col: number, path: string, message: string, hint?: string): ConfigProblem => ({ file, line, col, path, message, ...(hint ? { hint } : {}) });

  if (source.syntaxErrors.length) {
    return {
      problems: source.syntaxErrors.map((e) => problem(e.position.line, e.position.col, '', `YAML syntax error: ${e.message}`, 'Check indentation, colons and quotes around this position.')),
    };
  }
  const { data, error } = source.toData();
  if (error) return { problems: [problem(error.position.line, error.position.col, '', `YAML error: ${error.message}`, 'Define each &anchor before its *alias, and keep aliases few.')] };
  if (data === null || data === undefined) {
    return { problems: [problem(1, 1, '', 'the file is empty', 'Start from the example in the README: version: 1, meters, products.')] };
  }

  const raw: RawProblem[] = [];
  for (const dup of source.duplicateKeys()) {
    raw.push({ path: dup.path, target: 'key', message: `duplicate key '${String(dup.path[dup.path.length - 1])}' (first at line ${dup.first.line}:${dup.first.col})`, hint: 'YAML keeps only the last one: remove or rename one of them.' });
  }
  const parsed = pricingFileSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) raw.push(...issueToProblems(issue, data, knownKeysAt));
  }
  raw.push(...crossCheck(data));

  const problems = dedupe(raw).map((p) => {
    const { line, col } = source.locate(p.path, p.target);
    return problem(line, col, formatPath(p.path), p.message, p.hint);
  });
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  if (problems.length || !parsed.success) return { problems };
  return { config: normalisePricing(parsed.data), problems: [] };
}

/** `products.alpaca_ai.prices.x.tiered.tiers[1].up_to` */
export function formatPath(path: PathSegment[]): string {
  return path.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
}

/** One mistake, one problem: drops repeats, and "missing 'events'" when "unknown key 'enabled_events'" already says it. */
function dedupe(problems: RawProblem[]): RawProblem[] {
  const seen = new Set<string>();
  const misspelt = new Set(problems.filter((p) => p.meant).map((p) => formatPath([...p.path.slice(0, -1), p.meant!])));
  return problems.filter((p) => {
    if (p.missing?.some((m) => misspelt.has(formatPath(m)))) return false;
    const key = `${formatPath(p.path)}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  valueType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  innerType?: { _zod: { def: SchemaDef } };
}

/** The keys the schema allows at `path` (for "did you mean"), found by walking the zod schema itself. */
function knownKeysAt(path: PathSegment[]): string[] {
  let def = (pricingFileSchema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const unwrap = () => {
    while ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) def = def.innerType._zod.def;
  };
  unwrap();
  for (const segment of path) {
    if (def.type === 'object' && def.shape?.[segment]) def = def.shape[segment]._zod.def;
    else if (def.type === 'record' && def.valueType) def = def.valueType._zod.def;
    else if (def.type === 'array' && def.element) def = def.element._zod.def;
    else return [];
    unwrap();
  }
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

// Stripe's search query language, as documented at docs.stripe.com/search:
// `field:value` (exact), `field~value` (substring), numeric `> < = >= <=`,
// `-` negates a clause, `metadata['key']:'value'`, clauses joined by spaces /
// AND, or by OR, but never both in one query. Pure: parse once, then match.

export type Operator = ':' | '~' | '>' | '<' | '>=' | '<=' | '=';

export interface Clause {
  field: string;
  /** Set for `metadata['key']`. */
  metadataKey?: string;
  operator: Operator;
  value: string;
  negated: boolean;
}

export interface SearchQuery {
  join: 'AND' | 'OR';
  clauses: Clause[];
}

export class SearchQueryError extends Error {}

export interface SearchFields {
  /** Fields matched as text (`:` and `~`). */
  text: readonly string[];
  /** Fields compared as numbers (`:` `=` `>` `<` `>=` `<=`). */
  numeric: readonly string[];
  /** Whether `metadata['key']` is searchable. */
  metadata: boolean;
}

// A clause: optional '-', a field (word or metadata['k'] / metadata["k"]), an operator, a value
// (quoted with ' or ", or a bare token such as a number).
const CLAUSE_RE =
  /^\s*(-)?(metadata\[(?:'([^']*)'|"([^"]*)")\]|[a-z_][a-z0-9_.]*)\s*(>=|<=|:|~|>|<|=)\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^\s'"]+))/i;
const JOIN_RE = /^\s+(AND|OR)\s+|^\s+/;

export function parseSearchQuery(query: string, fields: SearchFields): SearchQuery {
  if (query.trim() === '') throw new SearchQueryError('The query is empty.');
  const clauses: Clause[] = [];
  const joins = new Set<'AND' | 'OR'>();
  let rest = query;
  for (;;) {
    const m = CLAUSE_RE.exec(rest);
    if (!m) throw new SearchQueryError(`Could not parse the query near: ${JSON.stringify(rest.trim().slice(0, 40))}`);
    const metadataKey = m[3] ?? m[4];
    const field = metadataKey !== undefined ? 'metadata' : m[2].toLowerCase();
    const operator = m[5] as Operator;
    const value = unescape(m[6] ?? m[7] ?? m[8] ?? '');
    checkClause(field, metadataKey, operator, value, fields);
    clauses.push({ field, ...(metadataKey !== undefined ? { metadataKey } : {}), operator, value, negated: m[1] === '-' });
    rest = rest.slice(m[0].length);
    if (rest.trim() === '') break;
    const j = JOIN_RE.exec(rest);
    if (!j) throw new SearchQueryError(`Expected AND, OR or a space before: ${JSON.stringify(rest.trim().slice(0, 40))}`);
    joins.add(j[1]?.toUpperCase() === 'OR' ? 'OR' : 'AND');
    rest = rest.slice(j[0].length);
  }
  if (joins.size > 1) throw new SearchQueryError('AND and OR cannot be combined in one query; use one or the other.');
  return { join: joins.has('OR') ? 'OR' : 'AND', clauses };
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

function checkClause(field: string, metadataKey: string | undefined, operator: Operator, value: string, fields: SearchFields): void {
  if (field === 'metadata') {
    if (!fields.metadata || metadataKey === undefined) throw new SearchQueryError(`Field 'metadata' is not searchable this way; use metadata['key']:'value'.`);
  } else if (!fields.text.includes(field) && !fields.numeric.includes(field)) {
    const known = [...fields.text, ...fields.numeric, ...(fields.metadata ? ["metadata['key']"] : [])].join(', ');
    throw new SearchQueryError(`Field '${field}' is not supported for search. Searchable fields: ${known}.`);
  }
  const numeric = fields.numeric.includes(field);
  if (numeric) {
    if (operator === '~') throw new SearchQueryError(`Field '${field}' is numeric and does not support '~'.`);
    if (!/^-?\d+$/.test(value)) throw new SearchQueryError(`Field '${field}' needs an integer value, got '${value}'.`);
  } else {
    if (!['~', ':'].includes(operator)) throw new SearchQueryError(`Field '${field}' only supports ':' and '~'.`);
    if (operator === '~' && value.length < 3) throw new SearchQueryError(`A substring search ('~') needs at least 3 characters; got '${value}'.`);
  }
}

/** Reads a field of the object being matched (metadata handled by the caller's `read`). */
export type FieldReader = (field: string, metadataKey?: string) => string | number | null | undefined;

export function matchesQuery(query: SearchQuery, read: FieldReader): boolean {
  const results = query.clauses.map((c) => matchesClause(c, read));
  return query.join === 'OR' ? results.some(Boolean) : results.every(Boolean);
}

function matchesClause(clause: Clause, read: FieldReader): boolean {
  const actual = read(clause.field, clause.metadataKey);
  let hit: boolean;
  if (actual === null || actual === undefined) {
    hit = false;
  } else if (typeof actual === 'number') {
    const v = Number(clause.value);
    hit = { ':': actual === v, '=': actual === v, '>': actual > v, '<': actual < v, '>=': actual >= v, '<=': actual <= v, '~': false }[clause.operator];
  } else if (clause.operator === '~') {
    hit = actual.toLowerCase().includes(clause.value.toLowerCase());
  } else {
    // Stripe's exact match ignores case (unlike the customer list's `email` filter).
    hit = actual.toLowerCase() === clause.value.toLowerCase();
  }
  return clause.negated ? !hit : hit;
}

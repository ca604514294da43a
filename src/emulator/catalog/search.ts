import { matchesQuery, parseSearchQuery, SearchQueryError, type SearchFields } from '../http/search-query.js';
import { invalid, parameterMissing } from '../http/errors.js';
import { searchResponse, type SearchResponse } from '../http/list.js';
import { asString } from '../http/params.js';
import type { EmuRequest } from '../types.js';

/** Searchable fields per Stripe's search docs (booleans match as 'true' / 'false'). */
export const PRODUCT_SEARCH_FIELDS: SearchFields = { text: ['active', 'description', 'name', 'shippable', 'url'], numeric: ['created'], metadata: true };
export const PRICE_SEARCH_FIELDS: SearchFields = { text: ['active', 'currency', 'lookup_key', 'product', 'type'], numeric: ['created'], metadata: true };

/** Runs `query` over `items` (oldest first) and returns a search page, newest first. */
export function searchCatalog<T extends { metadata: Record<string, string> }>(req: EmuRequest, items: T[], fields: SearchFields): SearchResponse<T> {
  if (req.body.query === undefined) throw parameterMissing('query');
  let query;
  try {
    query = parseSearchQuery(asString(req.body.query, 'query'), fields);
  } catch (err) {
    if (err instanceof SearchQueryError) throw invalid('query', err.message);
    throw err;
  }
  const found = items.filter((item) =>
    matchesQuery(query, (field, key) => {
      if (field === 'metadata') return item.metadata[key ?? ''];
      const v = (item as Record<string, unknown>)[field];
      return typeof v === 'boolean' ? String(v) : (v as string | number | null | undefined);
    }),
  );
  return searchResponse(found.reverse(), req.body, req.path);
}

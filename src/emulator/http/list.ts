import type { EmuRequest } from '../types.js';
import { invalid, resourceMissing } from './errors.js';
import { asInt } from './params.js';

export interface ListResponse<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export interface SearchResponse<T> {
  object: 'search_result';
  data: T[];
  has_more: boolean;
  next_page: string | null;
  url: string;
  total_count?: number;
}

function limitOf(query: Record<string, any>): number {
  return query.limit === undefined || query.limit === '' ? 10 : asInt(query.limit, 'limit', { min: 1, max: 100 });
}

/**
 * A Stripe list page. `items` come oldest first (as `Collection.all()` returns them); the page is
 * newest first, with `limit` (1-100, default 10) and `starting_after` / `ending_before` cursors.
 */
export function listResponse<T extends { id: string }>(items: T[], query: Record<string, any>, url: string): ListResponse<T> {
  const limit = limitOf(query);
  const after = query.starting_after as string | undefined;
  const before = query.ending_before as string | undefined;
  if (after && before) throw invalid('ending_before', 'You may only specify one of these parameters: ending_before, starting_after.', 'parameters_exclusive');
  const newest = items.slice().reverse();
  if (before) {
    const i = newest.findIndex((x) => x.id === before);
    if (i < 0) throw resourceMissing('object', before, 'ending_before');
    const start = Math.max(0, i - limit);
    return { object: 'list', data: newest.slice(start, i), has_more: start > 0, url };
  }
  let start = 0;
  if (after) {
    const i = newest.findIndex((x) => x.id === after);
    if (i < 0) throw resourceMissing('object', after, 'starting_after');
    start = i + 1;
  }
  return { object: 'list', data: newest.slice(start, start + limit), has_more: start + limit < newest.length, url };
}

/** A search page: `page` is the opaque `next_page` token of the previous page. */
export function searchResponse<T>(items: T[], query: Record<string, any>, url: string): SearchResponse<T> {
  const limit = limitOf(query);
  let offset = 0;
  if (query.page !== undefined && query.page !== '') {
    const decoded = /^off_(\d+)$/.exec(Buffer.from(String(query.page), 'base64url').toString('utf8'));
    if (!decoded) throw invalid('page', `Invalid page token: ${String(query.page)}`);
    offset = Number(decoded[1]);
  }
  const data = items.slice(offset, offset + limit);
  const hasMore = offset + limit < items.length;
  return {
    object: 'search_result',
    data,
    has_more: hasMore,
    next_page: hasMore ? Buffer.from(`off_${offset + limit}`).toString('base64url') : null,
    url,
    total_count: items.length,
  };
}

/** The list/search `url` field: the request path without the query string. */
export function listUrl(req: EmuRequest): string {
  return req.path;
}

/** Applies a `created` filter: a Unix time, or a range `{gt, gte, lt, lte}`. */
export function filterCreated<T extends { created: number }>(items: T[], created: unknown, param = 'created'): T[] {
  if (created === undefined || created === '') return items;
  if (typeof created !== 'object' || created === null) {
    const at = asInt(created, param);
    return items.filter((x) => x.created === at);
  }
  const range = created as Record<string, unknown>;
  const bound = (k: string) => (range[k] === undefined ? undefined : asInt(range[k], `${param}[${k}]`));
  for (const k of Object.keys(range)) if (!['gt', 'gte', 'lt', 'lte'].includes(k)) throw invalid(`${param}[${k}]`, `Received unknown parameter: ${param}[${k}]`, 'parameter_unknown');
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  return items.filter((x) => (gt === undefined || x.created > gt) && (gte === undefined || x.created >= gte) && (lt === undefined || x.created < lt) && (lte === undefined || x.created <= lte));
}

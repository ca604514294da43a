// GET /v2/core/events and /v2/core/events/:id. v2 lists page with `next_page_url`; our page token
// carries the filters and the last id seen, so a page stays put while new events arrive.
import { StripeHttpError } from '../http/errors.js';
import { asInt, asString, asStringArray, checkNested } from '../http/params.js';
import { publishDueReports } from '../metering/publish.js';
import type { EmuRequest, Route } from '../types.js';
import { v2EventWire, v2Events, type V2EventRecord } from './v2-event-store.js';

interface PageState {
  object_id?: string;
  types?: string[];
  /** Bounds in ms. */
  created?: Record<string, number>;
  limit: number;
  after?: string;
}

function v2Invalid(field: string, message: string): StripeHttpError {
  return new StripeHttpError(400, { type: 'invalid_request_error', code: 'invalid_fields', param: field, message });
}

function readQuery(b: Record<string, any>): PageState {
  if (b.page !== undefined) {
    try {
      return JSON.parse(Buffer.from(asString(b.page, 'page'), 'base64url').toString('utf8')) as PageState;
    } catch {
      throw v2Invalid('page', `Invalid page token: ${String(b.page)}`);
    }
  }
  const state: PageState = { limit: b.limit === undefined ? 20 : asInt(b.limit, 'limit', { min: 1, max: 100 }) };
  if (b.object_id !== undefined) state.object_id = asString(b.object_id, 'object_id');
  if (b.types !== undefined) state.types = asStringArray(b.types, 'types');
  if (state.types && state.types.length > 20) throw v2Invalid('types', 'types can hold at most 20 event types.');
  if (b.created !== undefined) {
    const range = checkNested(b.created, 'created', ['gt', 'gte', 'lt', 'lte']);
    state.created = {};
    // The SDK's type says Unix seconds; Stripe's v2 docs use RFC 3339. Both are accepted.
    for (const [k, v] of Object.entries(range)) {
      const s = typeof v === 'number' ? String(v) : asString(v, `created[${k}]`);
      const ms = /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s);
      if (Number.isNaN(ms)) throw v2Invalid(`created.${k}`, `created.${k} must be Unix seconds or an RFC 3339 timestamp.`);
      state.created[k] = ms;
    }
  }
  return state;
}

function listV2Events(req: EmuRequest) {
  publishDueReports(req.core);
  const q = readQuery(req.body);
  const bound = (k: string) => q.created?.[k];
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  const matches = (e: V2EventRecord) =>
    (q.object_id === undefined || e.related_object?.id === q.object_id) &&
    (q.types === undefined || q.types.includes(e.type)) &&
    (gt === undefined || e.createdMs > gt) &&
    (gte === undefined || e.createdMs >= gte) &&
    (lt === undefined || e.createdMs < lt) &&
    (lte === undefined || e.createdMs <= lte);
  const newest = v2Events(req.core).all().filter(matches).reverse();
  const start = q.after === undefined ? 0 : newest.findIndex((e) => e.id === q.after) + 1;
  const data = newest.slice(start, start + q.limit);
  const more = start + q.limit < newest.length && data.length > 0;
  const token = more ? Buffer.from(JSON.stringify({ ...q, after: data[data.length - 1].id })).toString('base64url') : undefined;
  return { data: data.map(v2EventWire), next_page_url: token ? `/v2/core/events?page=${token}` : null, previous_page_url: null };
}

export const v2Routes: Route[] = [
  { method: 'GET', path: '/v2/core/events', params: ['object_id', 'types', 'created', 'limit', 'page'], handler: listV2Events },
  {
    method: 'GET',
    path: '/v2/core/events/:id',
    params: [],
    handler: (req) => {
      publishDueReports(req.core);
      const e = v2Events(req.core).get(req.params.id);
      if (!e) throw new StripeHttpError(404, { type: 'not_found', code: 'not_found', message: `No such event: '${req.params.id}'` });
      return v2EventWire(e);
    },
  },
];

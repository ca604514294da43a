// Webhook endpoints: CRUD. The `whsec_` secret is shown only in the create response and is kept
// in memory only (never in --state files: secrets are never written anywhere).
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { invalid, parameterMissing } from '../http/errors.js';
import { listResponse, listUrl } from '../http/list.js';
import { asBool, asString, asStringArray, mergeMetadata, newMetadata, oneOfList } from '../http/params.js';
import type { EmuRequest, Route } from '../types.js';
import { newWebhookSecret } from './signing.js';
import { WEBHOOK_EVENT_TYPES } from '../../core/webhook-event-types.js';
import { COLLECTIONS } from '../collection-names.js';

export type EndpointRecord = Omit<Stripe.WebhookEndpoint, 'secret'>;

const secrets = new WeakMap<EmulatorCore, Map<string, string>>();

export function endpointSecrets(core: EmulatorCore): Map<string, string> {
  let m = secrets.get(core);
  if (!m) secrets.set(core, (m = new Map()));
  return m;
}

export function endpoints(core: EmulatorCore) {
  return core.collection<EndpointRecord>(COLLECTIONS.webhookEndpoints);
}

const PAGE = ['limit', 'starting_after', 'ending_before'];

function readUrl(value: unknown): string {
  const url = asString(value, 'url', { max: 5000 });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('url', `Invalid URL: ${url}. Webhook endpoints need an absolute http(s) URL.`, 'url_invalid');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid('url', `Invalid URL: ${url}. Webhook endpoints need an absolute http(s) URL.`, 'url_invalid');
  return url;
}

function readEnabledEvents(value: unknown): string[] {
  const events = asStringArray(value, 'enabled_events');
  if (events.length === 0) throw invalid('enabled_events', 'enabled_events needs at least one event type (or "*" for all).');
  events.forEach((e, i) => {
    // ⚠ A group (`customer.*`) is accepted when it covers at least one type Stripe lists.
    const group = e.endsWith('.*') ? `${e.slice(0, -1)}` : undefined;
    const known = e === '*' || WEBHOOK_EVENT_TYPES.has(e) || (group !== undefined && [...WEBHOOK_EVENT_TYPES].some((t) => t.startsWith(group)));
    // Stripe's enum error, which lists every allowed type.
    if (!known) throw invalid(`enabled_events[${i}]`, `Invalid enabled_events[${i}]: must be one of ${oneOfList(['*', ...WEBHOOK_EVENT_TYPES])}`);
  });
  return events;
}

function create(req: EmuRequest): Stripe.WebhookEndpoint {
  const b = req.body;
  if (b.url === undefined) throw parameterMissing('url');
  if (b.enabled_events === undefined) throw parameterMissing('enabled_events');
  const record: EndpointRecord = {
    id: req.core.id('we_'),
    object: 'webhook_endpoint',
    api_version: b.api_version === undefined ? null : asString(b.api_version, 'api_version'),
    application: null,
    created: req.core.now(),
    description: b.description === undefined || b.description === '' ? null : asString(b.description, 'description', { max: 5000 }),
    enabled_events: readEnabledEvents(b.enabled_events),
    livemode: false,
    metadata: newMetadata(b.metadata),
    status: 'enabled',
    url: readUrl(b.url),
  };
  const secret = newWebhookSecret();
  endpoints(req.core).insert(record);
  endpointSecrets(req.core).set(record.id, secret);
  return { ...record, secret };
}

function update(req: EmuRequest): EndpointRecord {
  const all = endpoints(req.core);
  const current = all.require(req.params.id, 'webhook endpoint');
  const b = req.body;
  const patch: Partial<EndpointRecord> = {};
  if (b.url !== undefined) patch.url = readUrl(b.url);
  if (b.enabled_events !== undefined) patch.enabled_events = readEnabledEvents(b.enabled_events);
  if (b.description !== undefined) patch.description = b.description === '' ? null : asString(b.description, 'description', { max: 5000 });
  if (b.metadata !== undefined) patch.metadata = mergeMetadata(current.metadata, b.metadata);
  if (b.disabled !== undefined) patch.status = asBool(b.disabled, 'disabled') ? 'disabled' : 'enabled';
  return all.update(current.id, patch);
}

function remove(req: EmuRequest): Stripe.DeletedWebhookEndpoint {
  const all = endpoints(req.core);
  const current = all.require(req.params.id, 'webhook endpoint');
  all.delete(current.id);
  endpointSecrets(req.core).delete(current.id);
  return { id: current.id, object: 'webhook_endpoint', deleted: true };
}

export const webhookRoutes: Route[] = [
  { method: 'POST', path: '/v1/webhook_endpoints', params: ['url', 'enabled_events', 'api_version', 'description', 'metadata', 'connect'], handler: create },
  { method: 'GET', path: '/v1/webhook_endpoints', params: PAGE, handler: (req) => listResponse(endpoints(req.core).all(), req.body, listUrl(req)) },
  { method: 'GET', path: '/v1/webhook_endpoints/:id', params: [], handler: (req) => endpoints(req.core).require(req.params.id, 'webhook endpoint') },
  { method: 'POST', path: '/v1/webhook_endpoints/:id', params: ['url', 'enabled_events', 'description', 'metadata', 'disabled'], handler: update },
  { method: 'DELETE', path: '/v1/webhook_endpoints/:id', params: [], handler: remove },
];

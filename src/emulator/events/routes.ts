// Route module for events: v1 events (list, retrieve), webhook endpoints and deliveries, and the
// v2 core events that carry metering error reports.
import { invalid } from '../http/errors.js';
import { filterCreated, listResponse, listUrl } from '../http/list.js';
import { asBool, asString, asStringArray } from '../http/params.js';
import type { EmuRequest, Route, RouteModule } from '../types.js';
import { WebhookDeliverer } from './delivery.js';
import { eventRecords, recordEvent, typeMatcher } from './event-log.js';
import { v2Routes } from './v2-routes.js';
import { endpointSecrets, endpoints, webhookRoutes } from './webhook-endpoints.js';

function listEvents(req: EmuRequest) {
  const b = req.body;
  if (b.type !== undefined && b.types !== undefined) throw invalid('types', 'You may only specify one of these parameters: type, types.', 'parameters_exclusive');
  let matches: ((t: string) => boolean) | undefined;
  if (b.type !== undefined) matches = typeMatcher(asString(b.type, 'type'));
  if (b.types !== undefined) {
    const types = asStringArray(b.types, 'types');
    if (types.length > 20) throw invalid('types', `types can hold at most 20 event types (got ${types.length}).`);
    const set = new Set(types);
    matches = (t) => set.has(t);
  }
  const delivered = b.delivery_success === undefined ? undefined : asBool(b.delivery_success, 'delivery_success');
  let records = eventRecords(req.core).all();
  if (matches) records = records.filter((r) => matches(r.event.type));
  if (delivered !== undefined) records = records.filter((r) => (delivered ? r.delivery === 'ok' : r.delivery === 'failed' || r.delivery === 'pending'));
  const events = filterCreated(records.map((r) => r.event), b.created);
  return listResponse(events, b, listUrl(req));
}

const routesList: Route[] = [
  { method: 'GET', path: '/v1/events', params: ['type', 'types', 'created', 'delivery_success', 'limit', 'starting_after', 'ending_before'], handler: listEvents },
  { method: 'GET', path: '/v1/events/:id', params: [], handler: (req) => eventRecords(req.core).require(req.params.id, 'event').event },
  ...webhookRoutes,
  ...v2Routes,
];

export const routes = routesList;

export const setup: RouteModule['setup'] = (core) => {
  const deliverer = new WebhookDeliverer(core, () => endpoints(core).values(), (id) => endpointSecrets(core).get(id));
  core.onEvent((type, object, previous) => deliverer.deliver(recordEvent(core, type, object, previous)));
  core.onClose(() => deliverer.close());
};

import type Stripe from 'stripe';
import { previousAttributes, snapshot } from '../changes.js';
import type { EmulatorCore } from '../core.js';
import { invalid } from '../http/errors.js';
import { listResponse } from '../http/list.js';
import { asString, checkNested, required, str } from '../http/params.js';
import type { EmuRequest, Route } from '../types.js';
import { meters } from './store.js';

type Meter = Stripe.Billing.Meter;

const FORMULAS = ['count', 'sum', 'last'] as const;

/**
 * The meter that holds `eventName`, if any. Inactive meters keep their name unless the emulator
 * was started with `releaseInactiveMeterNames` (Stripe's behaviour there is not documented).
 */
function holderOf(core: EmulatorCore, eventName: string, except?: string): Meter | undefined {
  for (const m of meters(core).values()) {
    if (m.id === except || m.event_name !== eventName) continue;
    if (m.status === 'inactive' && core.options.releaseInactiveMeterNames) continue;
    return m;
  }
  return undefined;
}

function nameTaken(holder: Meter): never {
  throw invalid('event_name', `A meter with event_name '${holder.event_name}' already exists (${holder.id}${holder.status === 'inactive' ? ', inactive' : ''}). Event names are unique across the account's meters.`);
}

function create(req: EmuRequest): Meter {
  const { core, body } = req;
  const displayName = asString(required(body.display_name, 'display_name'), 'display_name', { max: 250 });
  const eventName = asString(required(body.event_name, 'event_name'), 'event_name', { max: 100 });
  const aggregation = checkNested(required(body.default_aggregation, 'default_aggregation'), 'default_aggregation', ['formula']);
  const formula = asString(required(aggregation.formula, 'default_aggregation[formula]'), 'default_aggregation[formula]', { oneOf: FORMULAS }) as Stripe.Billing.Meter.DefaultAggregation.Formula;
  let customerKey = 'stripe_customer_id';
  if (body.customer_mapping !== undefined) {
    const mapping = checkNested(body.customer_mapping, 'customer_mapping', ['type', 'event_payload_key']);
    asString(required(mapping.type, 'customer_mapping[type]'), 'customer_mapping[type]', { oneOf: ['by_id'] });
    customerKey = asString(required(mapping.event_payload_key, 'customer_mapping[event_payload_key]'), 'customer_mapping[event_payload_key]', { max: 100 });
  }
  let valueKey = 'value';
  if (body.value_settings !== undefined) {
    const settings = checkNested(body.value_settings, 'value_settings', ['event_payload_key']);
    valueKey = asString(required(settings.event_payload_key, 'value_settings[event_payload_key]'), 'value_settings[event_payload_key]', { max: 100 });
  }
  const window = str(req, 'event_time_window', { oneOf: ['day', 'hour'] }) as Stripe.Billing.Meter.EventTimeWindow | undefined;
  const holder = holderOf(core, eventName);
  if (holder) nameTaken(holder);
  const now = core.now();
  const meter: Meter = {
    id: core.id('mtr_'),
    object: 'billing.meter',
    created: now,
    customer_mapping: { event_payload_key: customerKey, type: 'by_id' },
    default_aggregation: { formula },
    display_name: displayName,
    event_name: eventName,
    event_time_window: window ?? null,
    livemode: false,
    status: 'active',
    status_transitions: { deactivated_at: null },
    updated: now,
    value_settings: { event_payload_key: valueKey },
  };
  meters(core).insert(meter);
  core.emit('billing.meter.created', meter);
  return meter;
}

function update(req: EmuRequest): Meter {
  const meter = meters(req.core).require(req.params.id, 'meter');
  if (req.body.display_name === undefined) return meter;
  const before = snapshot(meter);
  meters(req.core).update(meter.id, { display_name: asString(req.body.display_name, 'display_name', { max: 250 }), updated: req.core.now() });
  req.core.emit('billing.meter.updated', meter, previousAttributes(before, meter));
  return meter;
}

function setStatus(req: EmuRequest, status: 'active' | 'inactive'): Meter {
  const { core } = req;
  const meter = meters(core).require(req.params.id, 'meter');
  if (meter.status === status) {
    throw invalid(undefined, `This meter (${meter.id}) is already ${status}.`);
  }
  if (status === 'active') {
    const holder = holderOf(core, meter.event_name, meter.id);
    if (holder) nameTaken(holder);
  }
  const before = snapshot(meter);
  const now = core.now();
  meters(core).update(meter.id, { status, status_transitions: { deactivated_at: status === 'inactive' ? now : null }, updated: now });
  core.emit(status === 'inactive' ? 'billing.meter.deactivated' : 'billing.meter.reactivated', meter, previousAttributes(before, meter));
  return meter;
}

function list(req: EmuRequest): Stripe.ApiList<Meter> {
  const status = str(req, 'status', { oneOf: ['active', 'inactive'] });
  const all = meters(req.core).all();
  return listResponse(status ? all.filter((m) => m.status === status) : all, req.body, req.path);
}

const PAGE = ['limit', 'starting_after', 'ending_before'];

export const routes: Route[] = [
  { method: 'POST', path: '/v1/billing/meters', params: ['display_name', 'event_name', 'default_aggregation', 'customer_mapping', 'value_settings', 'event_time_window'], handler: create },
  { method: 'GET', path: '/v1/billing/meters', params: [...PAGE, 'status'], handler: list },
  { method: 'GET', path: '/v1/billing/meters/:id', params: [], handler: (req) => meters(req.core).require(req.params.id, 'meter') },
  { method: 'POST', path: '/v1/billing/meters/:id', params: ['display_name'], handler: update },
  { method: 'POST', path: '/v1/billing/meters/:id/deactivate', params: [], handler: (req) => setStatus(req, 'inactive') },
  { method: 'POST', path: '/v1/billing/meters/:id/reactivate', params: [], handler: (req) => setStatus(req, 'active') },
];

export function setup(core: EmulatorCore): void {
  core.registerRetriever('billing.meter', (id) => meters(core).get(id));
}

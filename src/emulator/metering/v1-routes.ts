// v1 meter events, adjustments and event summaries.
import type Stripe from 'stripe';
import { StripeHttpError, invalid, parameterMissing, resourceMissing } from '../http/errors.js';
import { listResponse, listUrl } from '../http/list.js';
import { asInt, asObject, asString, checkNested } from '../http/params.js';
import type { EmuRequest, Route } from '../types.js';
import { isDuplicate, type AcceptResult } from './metering-engine.js';
import { meterById, meteringFor, meteringSettings } from './metering-state.js';
import { buildSummaries, checkAlignment, WINDOW_SECONDS, type GroupingWindow } from './summaries.js';
import { publishDueReports } from './publish.js';
import { customers } from '../customers/store.js';

/** Stripe caps identifiers at 100 characters. */
const IDENTIFIER_MAX = 100;

/** Payload values arrive as strings (the SDK stringifies numbers); they are echoed as strings. */
export function readPayload(value: unknown, param = 'payload'): Record<string, string> {
  if (value === undefined) throw parameterMissing(param);
  const obj = asObject(value, param);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string' && typeof v !== 'number') throw invalid(`${param}[${k}]`, `Invalid ${param}[${k}]: payload values must be strings.`);
    out[k] = String(v);
  }
  return out;
}

export function readIdentifier(value: unknown, param = 'identifier'): string | undefined {
  return value === undefined ? undefined : asString(value, param, { max: IDENTIFIER_MAX });
}

/** The 400 for a synchronous problem or a repeated identifier; `v2` uses v2's error body. */
export function refusal(r: Exclude<AcceptResult, { ok: true }>, paramPrefix = ''): StripeHttpError {
  if (isDuplicate(r)) {
    // What Stripe answers to a repeat within the window (seen in the wild, see SPEC.md).
    return new StripeHttpError(
      400,
      { type: 'invalid_request_error', param: `${paramPrefix}identifier`, message: `An event already exists with identifier ${r.duplicate}.` },
      { 'Stripe-Should-Retry': 'false' },
    );
  }
  return invalid(`${paramPrefix}${r.problem.param}`, r.problem.message);
}

function createMeterEvent(req: EmuRequest): Stripe.Billing.MeterEvent {
  const engine = meteringFor(req.core);
  const b = req.body;
  if (b.event_name === undefined) throw parameterMissing('event_name');
  const eventName = asString(b.event_name, 'event_name', { max: 100 });
  const payload = readPayload(b.payload);
  const identifier = readIdentifier(b.identifier);
  const timestamp = b.timestamp === undefined ? undefined : asInt(b.timestamp, 'timestamp', { min: 0 });
  const r = engine.accept({ event_name: eventName, payload, identifier, timestamp }, 'sync');
  if (isDuplicate(r) && meteringSettings(req.core).duplicateIdentifier === 'ignore') {
    return { object: 'billing.meter_event', created: req.core.now(), event_name: eventName, identifier: r.duplicate, livemode: false, payload, timestamp: timestamp ?? req.core.now() };
  }
  if (!r.ok) throw refusal(r);
  return { object: 'billing.meter_event', created: req.core.now(), event_name: eventName, identifier: r.identifier, livemode: false, payload, timestamp: r.timestamp };
}

export function readCancel(req: EmuRequest): { eventName: string; identifier: string } {
  const b = req.body;
  if (b.event_name === undefined) throw parameterMissing('event_name');
  const eventName = asString(b.event_name, 'event_name', { max: 100 });
  if (b.type === undefined) throw parameterMissing('type');
  asString(b.type, 'type', { oneOf: ['cancel'] });
  if (b.cancel === undefined) throw parameterMissing('cancel');
  const cancel = checkNested(b.cancel, 'cancel', ['identifier']);
  if (cancel.identifier === undefined) throw parameterMissing('cancel[identifier]');
  return { eventName, identifier: asString(cancel.identifier, 'cancel[identifier]', { max: IDENTIFIER_MAX }) };
}

/** Cancels, or throws the 400 explaining why not. Returns whether the event was still delayed. */
export function cancelOrThrow(req: EmuRequest, eventName: string, identifier: string): { pending: boolean } {
  const r = meteringFor(req.core).cancel(eventName, identifier);
  if (r.ok) return { pending: r.pending };
  const param = 'cancel[identifier]';
  if (r.reason === 'already_cancelled') throw invalid(param, `The meter event with identifier ${identifier} has already been cancelled.`);
  if (r.reason === 'wrong_event_name') throw invalid(param, `The meter event with identifier ${identifier} was not sent with event_name '${eventName}'.`);
  throw invalid(param, `No meter event with identifier ${identifier} was received in the last 24 hours; only those can be cancelled.`, 'resource_missing');
}

function createAdjustment(req: EmuRequest): Stripe.Billing.MeterEventAdjustment {
  const { eventName, identifier } = readCancel(req);
  cancelOrThrow(req, eventName, identifier);
  // The cancellation is applied at once, so it is reported as complete.
  return { object: 'billing.meter_event_adjustment', cancel: { identifier }, event_name: eventName, livemode: false, status: 'complete', type: 'cancel' };
}

function listSummaries(req: EmuRequest) {
  const core = req.core;
  const meter = meterById(core, req.params.id);
  if (!meter) throw resourceMissing('billing.meter', req.params.id);
  const b = req.body;
  for (const p of ['customer', 'start_time', 'end_time']) if (b[p] === undefined || b[p] === '') throw parameterMissing(p);
  const customer = asString(b.customer, 'customer');
  if (!customers(core).has(customer)) throw resourceMissing('customer', customer, 'customer');
  const start = asInt(b.start_time, 'start_time', { min: 0 });
  const end = asInt(b.end_time, 'end_time', { min: 0 });
  const window = b.value_grouping_window === undefined ? undefined : asString(b.value_grouping_window, 'value_grouping_window');
  const [problem] = checkAlignment({ start, end, window });
  if (problem) throw invalid(problem.param, problem.message);
  const grouping = window as GroupingWindow | undefined;
  const formula = meter.default_aggregation.formula;
  const engine = meteringFor(core);
  const windows = engine.windows(meter.id, formula, customer, start, end, grouping ? WINDOW_SECONDS[grouping] : end - start);
  publishDueReports(core);
  const summaries = buildSummaries({ meterId: meter.id, customerId: customer, start, end, window: grouping }, windows);
  // listResponse takes items oldest first and pages newest first, like every Stripe list.
  return listResponse(summaries, b, listUrl(req));
}

export const routes: Route[] = [
  { method: 'POST', path: '/v1/billing/meter_events', params: ['event_name', 'payload', 'identifier', 'timestamp'], handler: createMeterEvent },
  { method: 'POST', path: '/v1/billing/meter_event_adjustments', params: ['event_name', 'type', 'cancel'], handler: createAdjustment },
  {
    method: 'GET',
    path: '/v1/billing/meters/:id/event_summaries',
    params: ['customer', 'start_time', 'end_time', 'value_grouping_window', 'limit', 'starting_after', 'ending_before'],
    handler: listSummaries,
  },
];

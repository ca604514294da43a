// v2 metering: sessions, the high-throughput stream (session-token auth, asynchronous
// validation) and the synchronous v2 meter events and adjustments. v2 speaks JSON with ISO
// timestamps.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError, authenticationError } from '../http/errors.js';
import type { EmuRequest, Route, RouteModule } from '../types.js';
import { meterById, meteringFor, meteringSettings } from './metering-state.js';
import { isDuplicate } from './metering-engine.js';
import { publishDueReports } from './publish.js';
import { cancelOrThrow, readCancel, readIdentifier, readPayload, refusal } from './v1-routes.js';
import type { RawMeterEvent } from './validate-event.js';

export const MAX_STREAM_EVENTS = 100;
const EVENT_FIELDS = new Set(['event_name', 'payload', 'identifier', 'timestamp']);

interface Session {
  id: string;
  expiresMs: number;
}

const sessions = new WeakMap<EmulatorCore, Map<string, Session>>();

function sessionsOf(core: EmulatorCore): Map<string, Session> {
  let m = sessions.get(core);
  if (!m) sessions.set(core, (m = new Map()));
  return m;
}

function v2Invalid(field: string, message: string): StripeHttpError {
  return new StripeHttpError(400, { type: 'invalid_request_error', code: 'invalid_fields', param: field, message });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** One v2 event body, checked for shape only (content is validated by the engine). */
/** `at` is the event's place in the body (`events[3]`), or '' for a top-level event. */
function readV2Event(value: unknown, at: string): RawMeterEvent {
  const field = (name: string) => (at ? `${at}.${name}` : name);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw v2Invalid(at, `${at} must be an object.`);
  const e = value as Record<string, unknown>;
  for (const key of Object.keys(e)) if (!EVENT_FIELDS.has(key)) throw v2Invalid(field(key), `Unknown field ${field(key)}.`);
  if (typeof e.event_name !== 'string' || e.event_name === '') throw v2Invalid(field('event_name'), `Missing required field ${field('event_name')}.`);
  if (e.payload === undefined) throw v2Invalid(field('payload'), `Missing required field ${field('payload')}.`);
  let timestamp: number | undefined;
  if (e.timestamp !== undefined) {
    const ms = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : NaN;
    if (Number.isNaN(ms)) throw v2Invalid(field('timestamp'), `${field('timestamp')} must be an RFC 3339 timestamp, got ${JSON.stringify(e.timestamp)}.`);
    timestamp = Math.floor(ms / 1000);
  }
  let payload: Record<string, string>;
  let identifier: string | undefined;
  try {
    payload = readPayload(e.payload, field('payload'));
    identifier = readIdentifier(e.identifier, field('identifier'));
  } catch (err) {
    throw err instanceof StripeHttpError ? v2Invalid(err.body.param ?? field('payload'), err.body.message) : err;
  }
  return { event_name: e.event_name, payload, identifier, timestamp };
}

function createSession(req: EmuRequest): Stripe.V2.Billing.MeterEventSession {
  const core = req.core;
  const now = core.nowMs();
  const map = sessionsOf(core);
  for (const [token, s] of map) if (s.expiresMs <= now) map.delete(token);
  const session = { id: core.id('mes_'), expiresMs: now + core.options.sessionTtlSeconds * 1000 };
  const token = core.id('mes_token_');
  map.set(token, session);
  return { id: session.id, object: 'v2.billing.meter_event_session', authentication_token: token, created: iso(now), expires_at: iso(session.expiresMs), livemode: false };
}

/** Session-token auth for the stream: unknown tokens are 401, expired ones 401 temporary_session_expired. */
function authenticateSession(token: string, req: EmuRequest): void {
  const session = sessionsOf(req.core).get(token);
  if (!session) throw authenticationError('Invalid meter event session token. Create a session with POST /v2/billing/meter_event_session.');
  if (req.core.nowMs() >= session.expiresMs) {
    throw new StripeHttpError(401, {
      type: 'temporary_session_expired',
      code: 'billing_meter_event_session_expired',
      message: 'The temporary session token has expired. Create a new meter event session and retry.',
    });
  }
}

function stream(req: EmuRequest): Record<string, never> {
  const events = req.body.events;
  if (events === undefined) throw v2Invalid('events', 'Missing required field: events.');
  if (!Array.isArray(events) || events.length === 0) throw v2Invalid('events', 'events must be a non-empty array of meter events.');
  if (events.length > MAX_STREAM_EVENTS) throw v2Invalid('events', `A request can hold at most ${MAX_STREAM_EVENTS} events; this one has ${events.length}.`);
  // Shape first, for the whole batch, so a malformed request records nothing.
  const parsed = events.map((e, i) => readV2Event(e, `events[${i}]`));
  const engine = meteringFor(req.core);
  for (const e of parsed) engine.accept(e, 'async');
  publishDueReports(req.core);
  return {};
}

function createV2MeterEvent(req: EmuRequest): Stripe.V2.Billing.MeterEvent {
  const e = readV2Event(req.body, '');
  const r = meteringFor(req.core).accept(e, 'sync');
  const ignored = isDuplicate(r) && meteringSettings(req.core).duplicateIdentifier === 'ignore';
  if (!r.ok && !ignored) {
    const err = refusal(r);
    throw new StripeHttpError(400, { ...err.body, code: 'invalid_fields' }, err.headers);
  }
  return {
    object: 'v2.billing.meter_event',
    created: iso(req.core.nowMs()),
    event_name: e.event_name,
    identifier: r.ok ? r.identifier : e.identifier!,
    livemode: false,
    payload: e.payload as Record<string, string>,
    timestamp: iso((r.ok ? r.timestamp : (e.timestamp ?? req.core.now())) * 1000),
  };
}

function createV2Adjustment(req: EmuRequest): Stripe.V2.Billing.MeterEventAdjustment {
  const { eventName, identifier } = readCancel(req);
  cancelOrThrow(req, eventName, identifier);
  return {
    id: req.core.id('mea_'),
    object: 'v2.billing.meter_event_adjustment',
    cancel: { identifier },
    created: iso(req.core.nowMs()),
    event_name: eventName,
    livemode: false,
    status: 'complete',
    type: 'cancel',
  };
}

export const routes: Route[] = [
  { method: 'POST', path: '/v2/billing/meter_event_session', params: [], handler: createSession },
  { method: 'POST', path: '/v2/billing/meter_event_stream', auth: 'session', params: ['events'], handler: stream },
  { method: 'POST', path: '/v2/billing/meter_events', handler: createV2MeterEvent },
  { method: 'POST', path: '/v2/billing/meter_event_adjustments', params: ['event_name', 'type', 'cancel'], handler: createV2Adjustment },
];

export const setup: RouteModule['setup'] = (core) => {
  core.setSessionAuthenticator(authenticateSession);
  const engine = meteringFor(core);
  // Stopping: whatever is still inside the aggregation delay is applied, so the final save keeps it.
  core.onClose(() => engine.flushAll());
  // Invoice previews bill what the summaries show (after the aggregation delay).
  // The formula comes from the stored meter when we have it: callers may pass a stand-in.
  core.setUsageSource({
    aggregate: (meter, customer, start, end) => engine.aggregate(meter.id, (meterById(core, meter.id) ?? meter).default_aggregation.formula, customer, start, end),
  });
};

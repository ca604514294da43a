import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError, parameterMissing, resourceMissing } from '../http/errors.js';
import { listResponse, listUrl } from '../http/list.js';
import { asString, newMetadata, str } from '../http/params.js';
import { catchUp } from '../billing/cycle.js';
import { createSetupIntent, succeedSetupIntent } from '../billing/lifecycle.js';
import { cardDeclined, declineDetails, resolvePaymentMethod, setupDeclineOf } from '../billing/payment-methods.js';
import { customers, paymentMethods, setupIntents, type SetupIntentRecord } from '../billing/records.js';
import type { EmuRequest, Route } from '../types.js';

function requireIntent(core: EmulatorCore, id: string): SetupIntentRecord {
  catchUp(core);
  const si = setupIntents(core).get(id);
  if (!si) throw resourceMissing('setup_intent', id);
  return si;
}

function create(req: EmuRequest): SetupIntentRecord {
  const core = req.core;
  const customerId = str(req, 'customer');
  if (customerId !== undefined) customers(core).require(customerId, 'customer', 'customer');
  const usage = str(req, 'usage', { oneOf: ['off_session', 'on_session'] }) ?? 'off_session';
  const si = createSetupIntent(core, customerId ?? null, usage, newMetadata(req.body.metadata));
  core.emit('setup_intent.created', si);
  if (req.body.payment_method !== undefined) {
    setupIntents(core).update(si.id, { payment_method: resolvePaymentMethod(core, asString(req.body.payment_method, 'payment_method'), 'payment_method').id, status: 'requires_confirmation' });
  }
  if (req.body.confirm === 'true' || req.body.confirm === true) return confirmIntent(core, si, undefined);
  return si;
}

/**
 * Confirms with `payment_method` (a test token or a pm_ id). A working card succeeds at once (no
 * 3-D Secure is modelled); a declining one answers 402 card_declined, keeps the intent in
 * requires_payment_method with last_setup_error, and emits setup_intent.setup_failed.
 */
function confirmIntent(core: EmulatorCore, si: SetupIntentRecord, pmParam: unknown): SetupIntentRecord {
  if (si.status !== 'requires_payment_method' && si.status !== 'requires_confirmation') {
    throw new StripeHttpError(400, {
      type: 'invalid_request_error',
      code: 'setup_intent_unexpected_state',
      message: `You cannot confirm this SetupIntent because it has a status of ${si.status}.`,
      setup_intent: si,
    });
  }
  let pmId = typeof si.payment_method === 'string' ? si.payment_method : si.payment_method?.id;
  if (pmParam !== undefined) pmId = resolvePaymentMethod(core, asString(pmParam, 'payment_method'), 'payment_method').id;
  if (!pmId) throw parameterMissing('payment_method');
  const pm = paymentMethods(core).require(pmId, 'payment_method', 'payment_method');
  const decline = setupDeclineOf(pm);
  if (decline) {
    setupIntents(core).update(si.id, { status: 'requires_payment_method', payment_method: null, last_setup_error: declineDetails(decline, pm) });
    core.emit('setup_intent.setup_failed', si);
    throw cardDeclined(decline, { param: '', setup_intent: si, payment_method: pm });
  }
  succeedSetupIntent(core, si, pm.id);
  return si;
}

function confirm(req: EmuRequest): SetupIntentRecord {
  return confirmIntent(req.core, requireIntent(req.core, req.params.id), req.body.payment_method);
}

function cancel(req: EmuRequest): SetupIntentRecord {
  const core = req.core;
  const si = requireIntent(core, req.params.id);
  if (si.status === 'succeeded' || si.status === 'canceled') {
    throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'setup_intent_unexpected_state', message: `You cannot cancel this SetupIntent because it has a status of ${si.status}.` });
  }
  const reason = str(req, 'cancellation_reason', { oneOf: ['abandoned', 'duplicate', 'requested_by_customer'] }) ?? null;
  setupIntents(core).update(si.id, { status: 'canceled', cancellation_reason: reason as Stripe.SetupIntent.CancellationReason | null });
  core.emit('setup_intent.canceled', si);
  return si;
}

function list(req: EmuRequest) {
  const customer = str(req, 'customer');
  const pm = str(req, 'payment_method');
  const items = setupIntents(req.core)
    .all()
    .filter((si) => (customer === undefined || si.customer === customer) && (pm === undefined || si.payment_method === pm));
  return listResponse(items, req.body, listUrl(req));
}

export const routes: Route[] = [
  { method: 'POST', path: '/v1/setup_intents', params: ['customer', 'usage', 'metadata', 'payment_method', 'payment_method_types', 'confirm', 'return_url'], handler: create },
  { method: 'GET', path: '/v1/setup_intents', params: ['customer', 'payment_method', 'limit', 'starting_after', 'ending_before', 'created'], handler: list },
  { method: 'GET', path: '/v1/setup_intents/:id', params: ['client_secret'], handler: (req) => requireIntent(req.core, req.params.id) },
  { method: 'POST', path: '/v1/setup_intents/:id/confirm', params: ['payment_method', 'return_url', 'mandate_data', 'use_stripe_sdk'], handler: confirm },
  { method: 'POST', path: '/v1/setup_intents/:id/cancel', params: ['cancellation_reason'], handler: cancel },
];

export function setup(core: EmulatorCore): void {
  core.registerExpander('setup_intent', 'payment_method', (value) => (typeof value === 'string' ? paymentMethods(core).get(value) : undefined));
  core.registerExpander('checkout.session', 'setup_intent', (value) => (typeof value === 'string' ? setupIntents(core).get(value) : undefined));
}

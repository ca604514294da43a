import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError, parameterMissing, resourceMissing } from '../http/errors.js';
import { listResponse, listUrl } from '../http/list.js';
import { asString, newMetadata, str } from '../http/params.js';
import { catchUp } from '../billing/cycle.js';
import { createSetupIntent, succeedSetupIntent } from '../billing/lifecycle.js';
import { requireClientSecret } from '../http/auth.js';
import { authenticatesOnSetup, cardDeclined, declineDetails, resolvePaymentMethod, setupDeclineOf } from './payment-methods.js';
import { methodFromData } from './card-data.js';
import { customers, paymentMethods, setupIntents, type SetupIntentRecord } from './store.js';
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
 * Confirms with `payment_method` (a test token or a pm_ id) or raw card details. A working card
 * succeeds at once, a 3-D Secure card waits in requires_action for `three_d_secure`; a declining
 * one answers 402 card_declined, keeps the intent in requires_payment_method with
 * last_setup_error, and emits setup_intent.setup_failed.
 */
function confirmIntent(core: EmulatorCore, si: SetupIntentRecord, pmParam: unknown, pmData?: unknown): SetupIntentRecord {
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
  else if (pmData !== undefined) pmId = methodFromData(core, pmData).id;
  if (!pmId) throw parameterMissing('payment_method');
  const pm = paymentMethods(core).require(pmId, 'payment_method', 'payment_method');
  const decline = setupDeclineOf(pm);
  if (decline) {
    setupIntents(core).update(si.id, { status: 'requires_payment_method', payment_method: null, last_setup_error: declineDetails(decline, pm) });
    core.emit('setup_intent.setup_failed', si);
    throw cardDeclined(decline, { param: '', setup_intent: si, payment_method: pm });
  }
  if (authenticatesOnSetup(pm)) {
    // Stripe.js reads next_action.use_stripe_sdk to run the challenge; the stand-in shows a dialog.
    setupIntents(core).update(si.id, { status: 'requires_action', payment_method: pm.id, next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } } });
    core.emit('setup_intent.requires_action', si);
    return si;
  }
  succeedSetupIntent(core, si, pm.id);
  return si;
}

/**
 * The emulator's stand-in for the cardholder's 3-D Secure challenge (on Stripe it runs on
 * Stripe's own pages): `result=authenticated` sets the card up, `failed` leaves the intent
 * waiting for another card with Stripe's setup_intent_authentication_failure.
 */
function threeDSecure(req: EmuRequest): SetupIntentRecord {
  const core = req.core;
  const si = requireIntent(core, req.params.id);
  requireClientSecret(req.apiKey, req.body.client_secret, si.client_secret, 'SetupIntent');
  const result = str(req, 'result', { oneOf: ['authenticated', 'failed'] });
  if (result === undefined) throw parameterMissing('result');
  if (si.status !== 'requires_action' || typeof si.payment_method !== 'string') {
    throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'setup_intent_unexpected_state', message: `This SetupIntent has a status of ${si.status}; only one in requires_action waits for authentication.` });
  }
  const pm = paymentMethods(core).require(si.payment_method, 'payment_method');
  setupIntents(core).update(si.id, { next_action: null });
  if (result === 'authenticated') {
    succeedSetupIntent(core, si, pm.id);
    return si;
  }
  const error = {
    type: 'invalid_request_error',
    code: 'setup_intent_authentication_failure',
    message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
    payment_method: pm,
  } as Stripe.SetupIntent.LastSetupError;
  setupIntents(core).update(si.id, { status: 'requires_payment_method', payment_method: null, last_setup_error: error });
  core.emit('setup_intent.setup_failed', si);
  return si;
}

function retrieve(req: EmuRequest): SetupIntentRecord {
  const si = requireIntent(req.core, req.params.id);
  requireClientSecret(req.apiKey, req.body.client_secret, si.client_secret, 'SetupIntent');
  return si;
}

function confirm(req: EmuRequest): SetupIntentRecord {
  const si = requireIntent(req.core, req.params.id);
  requireClientSecret(req.apiKey, req.body.client_secret, si.client_secret, 'SetupIntent');
  return confirmIntent(req.core, si, req.body.payment_method, req.body.payment_method_data);
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
  // The two a browser calls with a publishable key and the intent's client secret (Stripe.js).
  { method: 'GET', path: '/v1/setup_intents/:id', auth: 'client', params: ['client_secret'], handler: retrieve },
  { method: 'POST', path: '/v1/setup_intents/:id/confirm', auth: 'client', params: ['payment_method', 'payment_method_data', 'client_secret', 'return_url', 'mandate_data', 'use_stripe_sdk'], handler: confirm },
  { method: 'POST', path: '/v1/setup_intents/:id/three_d_secure', auth: 'client', params: ['client_secret', 'result'], handler: threeDSecure },
  { method: 'POST', path: '/v1/setup_intents/:id/cancel', params: ['cancellation_reason'], handler: cancel },
];

// /v1/payment_intents: standalone payments of one amount (payment-intents.ts holds the
// status machine). Retrieve, confirm and the 3-D Secure stand-in also take a publishable key with
// the intent's client secret, as Stripe.js calls them.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError, invalid, parameterMissing } from '../http/errors.js';
import { filterCreated, listResponse, listUrl } from '../http/list.js';
import { asBool, asInt, asObject, asString, asStringArray, checkNested, mergeMetadata, newMetadata, str } from '../http/params.js';
import { isPublishableKey, requireClientSecret } from '../http/auth.js';
import { isStripeCurrency } from '../../core/stripe-currencies.js';
import { methodFromData } from './card-data.js';
import { resolvePaymentMethod } from './payment-methods.js';
import { customers, paymentMethods, type PaymentMethodRecord } from './store.js';
import {
  assertConfirmable,
  assertUpdatable,
  cancelPaymentIntent,
  confirmWith,
  createPaymentIntent,
  finishAuthentication,
  paymentIntents,
  type PaymentIntentRecord,
} from './payment-intents.js';
import type { EmuRequest, Route } from '../types.js';

const REDIRECT_MESSAGE =
  'This PaymentIntent is configured to accept payment methods enabled in your Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents. If you do want to accept redirect-based payment methods, set the `return_url` parameter when confirming a Setup Intent or Payment Intent.';

function requireIntent(core: EmulatorCore, id: string): PaymentIntentRecord {
  return paymentIntents(core).require(id, 'payment_intent');
}

function amountOf(value: unknown): number {
  return asInt(value, 'amount', { min: 1 });
}

function currencyOf(value: unknown): string {
  const currency = asString(value, 'currency').toLowerCase();
  if (!isStripeCurrency(currency)) throw invalid('currency', `Invalid currency: ${currency}. Pass a three-letter ISO currency code in lowercase that Stripe supports, such as usd.`);
  return currency;
}

function customerOf(core: EmulatorCore, value: unknown): string {
  return customers(core).require(asString(value, 'customer'), 'customer', 'customer').id;
}

const futureUsage = (value: unknown) => (value === '' ? null : (asString(value, 'setup_future_usage', { oneOf: ['off_session', 'on_session'] }) as Stripe.PaymentIntent.SetupFutureUsage));

/** The emulator has card payment methods only. */
function cardTypes(value: unknown, param: string): ['card'] {
  const types = asStringArray(value, param);
  const other = types.find((t) => t !== 'card');
  if (other !== undefined) throw invalid(param, `The emulator models card payment methods only; '${other}' is not one of them.`);
  return ['card'];
}

/**
 * `allowed_payment_method_types` (the SDK's API version) or `payment_method_types` (older
 * versions): a fixed list, no automatic payment methods. Neither: Stripe's default since
 * 2023-08-16, automatic payment methods with redirects allowed.
 */
function methodChoice(body: Record<string, unknown>): Pick<PaymentIntentRecord, 'allowed_payment_method_types' | 'automatic_payment_methods'> {
  const given = ['allowed_payment_method_types', 'payment_method_types', 'automatic_payment_methods'].filter((p) => body[p] !== undefined);
  if (given.length > 1) throw invalid(given[1], `You may only specify one of these parameters: ${given.join(', ')}.`);
  if (body.allowed_payment_method_types !== undefined) return { allowed_payment_method_types: cardTypes(body.allowed_payment_method_types, 'allowed_payment_method_types'), automatic_payment_methods: null };
  if (body.payment_method_types !== undefined) return { allowed_payment_method_types: null, automatic_payment_methods: (cardTypes(body.payment_method_types, 'payment_method_types'), null) };
  if (body.automatic_payment_methods === undefined) return { allowed_payment_method_types: null, automatic_payment_methods: { allow_redirects: 'always', enabled: true } };
  const apm = checkNested(body.automatic_payment_methods, 'automatic_payment_methods', ['enabled', 'allow_redirects']);
  if (apm.enabled === undefined) throw parameterMissing('automatic_payment_methods[enabled]');
  const enabled = asBool(apm.enabled, 'automatic_payment_methods[enabled]');
  const allow = apm.allow_redirects === undefined ? 'always' : asString(apm.allow_redirects, 'automatic_payment_methods[allow_redirects]', { oneOf: ['always', 'never'] });
  return { allowed_payment_method_types: null, automatic_payment_methods: { allow_redirects: allow as 'always' | 'never', enabled } };
}

/** The card a confirm names (`payment_method`: pm_ id or test token) or types (`payment_method_data`). */
function methodOf(core: EmulatorCore, body: Record<string, unknown>) {
  if (body.payment_method !== undefined) return resolvePaymentMethod(core, asString(body.payment_method, 'payment_method'), 'payment_method');
  if (body.payment_method_data !== undefined) return methodFromData(core, asObject(body.payment_method_data, 'payment_method_data'));
  return undefined;
}

/**
 * A server-side confirm (secret key) of an intent that allows redirects needs a return_url, as
 * Stripe answers; Stripe.js's path (publishable key) only ever collects a card here, which never
 * redirects.
 */
function checkReturnUrl(req: EmuRequest, apm: Stripe.PaymentIntent.AutomaticPaymentMethods | null): void {
  if (req.body.return_url !== undefined) {
    asString(req.body.return_url, 'return_url');
    return;
  }
  if (!isPublishableKey(req.apiKey) && apm?.enabled && apm.allow_redirects !== 'never') throw invalid(undefined, REDIRECT_MESSAGE);
}

const offSessionOf = (value: unknown) => value !== undefined && (typeof value === 'boolean' || value === 'true' || value === 'false' ? asBool(value, 'off_session') : ['one_off', 'recurring'].includes(asString(value, 'off_session')));

/** The confirm shared by `confirm=true` at create and POST …/confirm; `given` is the card the request names, if any. */
function confirmIntent(req: EmuRequest, pi: PaymentIntentRecord, given: PaymentMethodRecord | undefined): PaymentIntentRecord {
  const core = req.core;
  const pmId = given?.id ?? (typeof pi.payment_method === 'string' ? pi.payment_method : pi.payment_method?.id);
  if (!pmId) {
    throw new StripeHttpError(400, {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message: "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      payment_intent: pi,
    });
  }
  return confirmWith(core, pi, given ?? paymentMethods(core).require(pmId, 'payment_method', 'payment_method'), offSessionOf(req.body.off_session));
}

function create(req: EmuRequest): PaymentIntentRecord {
  const core = req.core;
  const b = req.body;
  if (b.amount === undefined) throw parameterMissing('amount');
  if (b.currency === undefined) throw parameterMissing('currency');
  const confirm = b.confirm !== undefined && asBool(b.confirm, 'confirm');
  for (const param of ['return_url', 'off_session', 'payment_method_data']) {
    if (b[param] !== undefined && !confirm) throw invalid(param, `You can only pass \`${param}\` when \`confirm\` is true.`);
  }
  const fields = {
    amount: amountOf(b.amount),
    currency: currencyOf(b.currency),
    customer: b.customer === undefined ? null : customerOf(core, b.customer),
    description: str(req, 'description') ?? null,
    metadata: newMetadata(b.metadata),
    receipt_email: str(req, 'receipt_email') ?? null,
    setup_future_usage: b.setup_future_usage === undefined ? null : futureUsage(b.setup_future_usage),
    capture_method: (str(req, 'capture_method', { oneOf: ['automatic', 'automatic_async'] }) ?? 'automatic_async') as 'automatic' | 'automatic_async',
    ...methodChoice(b),
  };
  // Checked before anything is stored: a request refused here leaves no intent behind.
  if (confirm) checkReturnUrl(req, fields.automatic_payment_methods);
  const pm = methodOf(core, b);
  const pi = createPaymentIntent(core, fields);
  if (pm) paymentIntents(core).update(pi.id, { payment_method: pm.id, status: 'requires_confirmation' });
  return confirm ? confirmIntent(req, pi, pm) : pi;
}

function retrieve(req: EmuRequest): PaymentIntentRecord {
  const pi = requireIntent(req.core, req.params.id);
  requireClientSecret(req.apiKey, req.body.client_secret, pi.client_secret, 'PaymentIntent');
  return pi;
}

function confirm(req: EmuRequest): PaymentIntentRecord {
  const pi = requireIntent(req.core, req.params.id);
  requireClientSecret(req.apiKey, req.body.client_secret, pi.client_secret, 'PaymentIntent');
  assertConfirmable(pi);
  checkReturnUrl(req, pi.automatic_payment_methods);
  offSessionOf(req.body.off_session);
  const setupFutureUsage = req.body.setup_future_usage === undefined ? undefined : futureUsage(req.body.setup_future_usage);
  const given = methodOf(req.core, req.body);
  if (setupFutureUsage !== undefined) paymentIntents(req.core).update(pi.id, { setup_future_usage: setupFutureUsage });
  return confirmIntent(req, pi, given);
}

function update(req: EmuRequest): PaymentIntentRecord {
  const core = req.core;
  const b = req.body;
  const pi = requireIntent(core, req.params.id);
  const patch: Partial<PaymentIntentRecord> = {};
  const guarded = (field: string) => (assertUpdatable(pi, field), true);
  if (b.amount !== undefined && guarded('amount')) patch.amount = amountOf(b.amount);
  if (b.currency !== undefined && guarded('currency')) patch.currency = currencyOf(b.currency);
  if (b.customer !== undefined && guarded('customer')) patch.customer = customerOf(core, b.customer);
  if (b.setup_future_usage !== undefined && guarded('setup_future_usage')) patch.setup_future_usage = futureUsage(b.setup_future_usage);
  for (const param of ['allowed_payment_method_types', 'payment_method_types']) {
    if (b[param] !== undefined && guarded(param)) cardTypes(b[param], param);
  }
  if (b.payment_method !== undefined && guarded('payment_method')) {
    patch.payment_method = resolvePaymentMethod(core, asString(b.payment_method, 'payment_method'), 'payment_method').id;
    patch.status = 'requires_confirmation';
    patch.next_action = null;
  }
  if (b.description !== undefined) patch.description = b.description === '' ? null : asString(b.description, 'description');
  if (b.receipt_email !== undefined) patch.receipt_email = b.receipt_email === '' ? null : asString(b.receipt_email, 'receipt_email');
  if (b.metadata !== undefined) patch.metadata = mergeMetadata(pi.metadata, b.metadata);
  // Stripe has no payment_intent.updated event: an update is silent.
  return paymentIntents(core).update(pi.id, patch);
}

function cancel(req: EmuRequest): PaymentIntentRecord {
  const pi = requireIntent(req.core, req.params.id);
  const reason = str(req, 'cancellation_reason', { oneOf: ['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer'] }) ?? null;
  return cancelPaymentIntent(req.core, pi, reason);
}

/** The emulator's stand-in for the cardholder's 3-D Secure challenge (see setup-intents.ts). */
function threeDSecure(req: EmuRequest): PaymentIntentRecord {
  const core = req.core;
  const pi = requireIntent(core, req.params.id);
  requireClientSecret(req.apiKey, req.body.client_secret, pi.client_secret, 'PaymentIntent');
  const result = str(req, 'result', { oneOf: ['authenticated', 'failed'] });
  if (result === undefined) throw parameterMissing('result');
  if (pi.status !== 'requires_action' || typeof pi.payment_method !== 'string') {
    throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message: `This PaymentIntent has a status of ${pi.status}; only one in requires_action waits for authentication.` });
  }
  return finishAuthentication(core, pi, paymentMethods(core).require(pi.payment_method, 'payment_method'), result === 'authenticated');
}

function list(req: EmuRequest) {
  const customer = str(req, 'customer');
  const items = paymentIntents(req.core)
    .all()
    .filter((pi) => customer === undefined || pi.customer === customer);
  return listResponse(filterCreated(items, req.body.created), req.body, listUrl(req));
}

const CONFIRM_PARAMS = ['payment_method', 'payment_method_data', 'return_url', 'off_session', 'setup_future_usage', 'mandate_data', 'use_stripe_sdk'];

export const routes: Route[] = [
  {
    method: 'POST',
    path: '/v1/payment_intents',
    params: ['amount', 'currency', 'customer', 'description', 'metadata', 'receipt_email', 'setup_future_usage', 'capture_method', 'allowed_payment_method_types', 'payment_method_types', 'automatic_payment_methods', 'confirm', ...CONFIRM_PARAMS],
    handler: create,
  },
  { method: 'GET', path: '/v1/payment_intents', params: ['customer', 'created', 'limit', 'starting_after', 'ending_before'], handler: list },
  // The ones a browser calls with a publishable key and the intent's client secret (Stripe.js).
  { method: 'GET', path: '/v1/payment_intents/:id', auth: 'client', params: ['client_secret'], handler: retrieve },
  { method: 'POST', path: '/v1/payment_intents/:id/confirm', auth: 'client', params: ['client_secret', ...CONFIRM_PARAMS], handler: confirm },
  { method: 'POST', path: '/v1/payment_intents/:id/three_d_secure', auth: 'client', params: ['client_secret', 'result'], handler: threeDSecure },
  { method: 'POST', path: '/v1/payment_intents/:id', params: ['amount', 'currency', 'customer', 'description', 'metadata', 'receipt_email', 'setup_future_usage', 'payment_method', 'allowed_payment_method_types', 'payment_method_types'], handler: update },
  { method: 'POST', path: '/v1/payment_intents/:id/cancel', params: ['cancellation_reason'], handler: cancel },
];

export function setup(core: EmulatorCore): void {
  // Its `customer` and `payment_method` expand through those objects' retrievers (http/expand.ts).
  core.registerRetriever('payment_intent', (id) => paymentIntents(core).get(id));
}

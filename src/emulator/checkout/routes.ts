import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { invalid, parameterMissing, resourceMissing } from '../http/errors.js';
import { listResponse, listUrl } from '../http/list.js';
import { asString, checkNested, newMetadata, str } from '../http/params.js';
import { createSetupIntent, newSubscriptionRecord, startSubscription, succeedSetupIntent } from '../billing/lifecycle.js';
import { AUTHENTICATION_REQUIRED, attachPaymentMethod, cardDeclined, declineOf, resolvePaymentMethod, setupDeclineOf } from '../customers/payment-methods.js';
import { checkoutSessions, type CheckoutSessionRecord } from './store.js';
import { customers, type CustomerRecord } from '../customers/store.js';
import { prices } from '../catalog/store.js';
import { subscriptions } from '../billing/store.js';
import { renderSubscription } from '../billing/render.js';
import { RawResponse, type EmuRequest, type Route } from '../types.js';
import { parseNewItems } from '../billing/subscription-routes.js';

const DAY = 86_400;

function baseUrl(req: EmuRequest): string {
  const host = req.headers.host;
  return `http://${typeof host === 'string' ? host : `${req.core.options.host}:${req.core.options.port}`}`;
}

function create(req: EmuRequest): Stripe.Checkout.Session {
  const core = req.core;
  const b = req.body;
  if (b.mode === undefined) throw parameterMissing('mode');
  const mode = asString(b.mode, 'mode') as Stripe.Checkout.Session.Mode;
  if (mode === 'payment') throw invalid('mode', 'The emulator models Checkout in `subscription` and `setup` modes only (see src/emulator/SPEC.md).');
  if (mode !== 'subscription' && mode !== 'setup') throw invalid('mode', `Invalid mode: must be one of payment, setup, or subscription.`);
  const customerId = str(req, 'customer');
  if (customerId !== undefined) customers(core).require(customerId, 'customer', 'customer');
  let items: CheckoutSessionRecord['items'] = [];
  let currency: string | null = str(req, 'currency') ?? null;
  if (mode === 'subscription') {
    const parsed = parseNewItems(core, b.line_items, 'line_items');
    currency = parsed[0].price.currency;
    items = parsed.map(({ record }) => ({ price: record.price, ...(record.quantity !== undefined ? { quantity: record.quantity } : {}) }));
  } else if (b.line_items !== undefined) {
    throw invalid('line_items', 'You cannot pass `line_items` in `setup` mode.');
  } else if (currency === null && b.allowed_payment_method_types === undefined && b.payment_method_types === undefined) {
    // The SDK's type: currency is "Required in `setup` mode when `allowed_payment_method_types` is not set."
    throw parameterMissing('currency');
  }
  const subscriptionData = b.subscription_data === undefined ? {} : checkNested(b.subscription_data, 'subscription_data', ['metadata', 'description']);
  const id = core.id('cs_test_');
  const now = core.now();
  const session = {
    id,
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: null,
    amount_total: null,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: str(req, 'cancel_url') ?? null,
    client_reference_id: str(req, 'client_reference_id') ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: customerId ?? null,
    customer_account: null,
    customer_creation: customerId ? null : 'always',
    customer_details: null,
    customer_email: str(req, 'customer_email') ?? null,
    discounts: [],
    expires_at: now + DAY,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: newMetadata(b.metadata),
    mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    // What Stripe sends for a card-only session.
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
    permissions: null,
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: str(req, 'success_url') ?? null,
    total_details: null,
    ui_mode: 'hosted_page',
    url: `${baseUrl(req)}/checkout/${id}`,
    wallet_options: null,
  } satisfies Stripe.Checkout.Session;
  const subscriptionDescription = subscriptionData.description === undefined ? null : asString(subscriptionData.description, 'subscription_data[description]', { max: 500 });
  checkoutSessions(core).insert({ id, session, items, subscriptionMetadata: newMetadata(subscriptionData.metadata, 'subscription_data[metadata]'), subscriptionDescription });
  return session;
}

function requireSession(core: EmulatorCore, id: string): CheckoutSessionRecord {
  const rec = checkoutSessions(core).get(id);
  if (!rec) throw resourceMissing('checkout.session', id);
  return rec;
}

/** The customer the session pays for: the given one, or a new one as Checkout creates. */
function sessionCustomer(core: EmulatorCore, session: Stripe.Checkout.Session, email: string | undefined): CustomerRecord {
  if (typeof session.customer === 'string') return customers(core).require(session.customer, 'customer');
  const customer = {
    id: core.id('cus_'), object: 'customer', address: null, balance: 0, created: core.now(), currency: null, default_source: null, delinquent: false,
    description: null, discount: null, email: email ?? session.customer_email ?? null, invoice_prefix: core.id('').slice(0, 8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null }, livemode: false, metadata: {},
    name: null, next_invoice_sequence: 1, phone: null, preferred_locales: [], shipping: null, tax_exempt: 'none', test_clock: null,
  } as unknown as CustomerRecord;
  customers(core).insert(customer);
  core.emit('customer.created', customer);
  return customer;
}

/**
 * What the hosted page does when the customer pays: a card (default `pm_card_visa`) is attached,
 * then the subscription is created and charged with it (or, in setup mode, a SetupIntent succeeds).
 * A declining card answers 402 and leaves the session open.
 */
function complete(req: EmuRequest): Stripe.Checkout.Session | RawResponse {
  const core = req.core;
  const rec = requireSession(core, req.params.id);
  const session = rec.session;
  if (session.status !== 'open') throw invalid(undefined, `This Checkout Session is ${session.status}; only open sessions can be completed.`, 'checkout_session_not_open');
  if (session.expires_at <= core.now()) throw invalid(undefined, 'This Checkout Session has expired.', 'checkout_session_expired');
  const card = req.body.card === undefined || req.body.card === '' ? 'pm_card_visa' : asString(req.body.card, 'card');
  const pm = resolvePaymentMethod(core, card, 'card');
  // Setup mode only saves the card: a card that declines only charges (…0341) is fine there.
  const decline = session.mode === 'setup' ? setupDeclineOf(pm) : declineOf(pm);
  // ⚠ The hosted page runs the 3-D Secure challenge, which the stand-in takes as passed.
  if (decline && decline !== AUTHENTICATION_REQUIRED) throw cardDeclined(decline);
  const email = req.body.email === undefined || req.body.email === '' ? undefined : asString(req.body.email, 'email');
  const customer = sessionCustomer(core, session, email);
  attachPaymentMethod(core, pm, customer.id);
  const patch: Partial<Stripe.Checkout.Session> = { status: 'complete', customer: customer.id, customer_details: { address: null, business_name: null, email: customer.email, individual_name: null, name: null, phone: null, tax_exempt: 'none', tax_ids: [] } };
  if (session.mode === 'setup') {
    const si = createSetupIntent(core, customer.id);
    core.emit('setup_intent.created', si);
    succeedSetupIntent(core, si, pm.id);
    patch.setup_intent = si.id;
  } else {
    const sub = newSubscriptionRecord(core, {
      customer: customer.id,
      currency: session.currency ?? 'usd',
      items: rec.items.map((item) => ({ id: core.id('si_'), created: core.now(), price: item.price, ...(item.quantity !== undefined ? { quantity: item.quantity } : {}), metadata: {} })),
      metadata: { ...rec.subscriptionMetadata },
      description: rec.subscriptionDescription ?? null,
      default_payment_method: pm.id,
    });
    const outcome = startSubscription(core, sub, { authenticated: true });
    subscriptions(core).insert(sub);
    core.emit('customer.subscription.created', renderSubscription(core, sub));
    for (const [type, object] of outcome.events) core.emit(type, object);
    const amount = outcome.invoice.invoice.amount_due;
    Object.assign(patch, { subscription: sub.id, invoice: outcome.invoice.id, amount_subtotal: amount, amount_total: amount, payment_status: amount > 0 ? 'paid' : 'no_payment_required' });
  }
  Object.assign(session, patch);
  core.markDirty();
  core.emit('checkout.session.completed', session);
  if (wantsHtml(req) && session.success_url) {
    return new RawResponse('', 'text/html; charset=utf-8', 303, { Location: session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id) });
  }
  return session;
}

function wantsHtml(req: EmuRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The hosted page: says what it is and offers the completion form (a test POSTs to the same URL + /complete). */
function page(req: EmuRequest): RawResponse {
  const rec = checkoutSessions(req.core).get(req.params.id);
  if (!rec) return new RawResponse('<!doctype html><title>Not found</title><p>No such Checkout Session.</p>', 'text/html; charset=utf-8', 404);
  const s = rec.session;
  const what = s.mode === 'setup' ? 'save a card for future payments' : `subscribe to ${rec.items.map((i) => escapeHtml(i.price)).join(', ')}`;
  const body = `<!doctype html>
<html><head><meta charset="utf-8"><title>Emulated Stripe Checkout ${escapeHtml(s.id)}</title></head>
<body>
<h1>Emulated Stripe Checkout</h1>
<p>This page is served by the alpaca-billing Stripe emulator, not by Stripe. No real payment happens.</p>
<p>Session <code>${escapeHtml(s.id)}</code> (${escapeHtml(String(s.mode))} mode, status <strong>${escapeHtml(String(s.status))}</strong>): ${what}.</p>
<form method="post" action="/checkout/${escapeHtml(s.id)}/complete">
<label>Test card <select name="card"><option value="pm_card_visa">Visa 4242 (succeeds)</option><option value="pm_card_chargeDeclined">Visa 0002 (declined)</option></select></label>
<label>Email <input name="email" type="email" value="${escapeHtml(s.customer_email ?? '')}"></label>
<button type="submit">Complete</button>
</form>
<p>Automated tests: <code>POST ${escapeHtml(baseUrl(req))}/checkout/${escapeHtml(s.id)}/complete</code> with an optional form field <code>card</code> (default <code>pm_card_visa</code>).</p>
</body></html>`;
  return new RawResponse(body);
}

function list(req: EmuRequest) {
  const customer = str(req, 'customer');
  const subscription = str(req, 'subscription');
  const status = str(req, 'status', { oneOf: ['open', 'complete', 'expired'] });
  const items = checkoutSessions(req.core)
    .all()
    .filter((r) => (customer === undefined || r.session.customer === customer) && (subscription === undefined || r.session.subscription === subscription) && (status === undefined || r.session.status === status));
  const pageOut = listResponse(items, req.body, listUrl(req));
  return { ...pageOut, data: pageOut.data.map((r) => r.session) };
}

/** Checkout's `item` objects: licensed prices priced at quantity × unit amount, metered ones at 0 (billed later). */
function lineItemsOf(core: EmulatorCore, rec: CheckoutSessionRecord): Stripe.LineItem[] {
  return rec.items.map((item, i) => {
    const price = prices(core).get(item.price);
    const amount = price && price.recurring?.usage_type !== 'metered' ? (price.unit_amount ?? 0) * (item.quantity ?? 1) : 0;
    return {
      id: `li_${rec.id.slice(8, 28)}${i}`,
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price?.currency ?? rec.session.currency ?? 'usd',
      description: price?.nickname ?? null,
      metadata: {},
      price: price ?? null,
      ...(item.quantity !== undefined ? { quantity: item.quantity } : { quantity: null }),
    } as unknown as Stripe.LineItem;
  });
}

function listLineItems(req: EmuRequest) {
  const rec = requireSession(req.core, req.params.id);
  // listResponse pages newest first; line items keep their order, so feed it reversed.
  return listResponse(lineItemsOf(req.core, rec).reverse(), req.body, listUrl(req));
}

function expire(req: EmuRequest): Stripe.Checkout.Session {
  const rec = requireSession(req.core, req.params.id);
  if (rec.session.status !== 'open') throw invalid(undefined, `Only open Checkout Sessions can be expired; this one is ${rec.session.status}.`, 'checkout_session_not_open');
  Object.assign(rec.session, { status: 'expired' });
  req.core.markDirty();
  req.core.emit('checkout.session.expired', rec.session);
  return rec.session;
}

const CREATE_PARAMS = ['mode', 'line_items', 'success_url', 'cancel_url', 'customer', 'customer_email', 'client_reference_id', 'metadata', 'subscription_data', 'payment_method_types', 'allowed_payment_method_types', 'currency', 'ui_mode'];

export const routes: Route[] = [
  { method: 'POST', path: '/v1/checkout/sessions', params: CREATE_PARAMS, handler: create },
  { method: 'GET', path: '/v1/checkout/sessions', params: ['customer', 'subscription', 'status', 'limit', 'starting_after', 'ending_before', 'created'], handler: list },
  { method: 'GET', path: '/v1/checkout/sessions/:id', params: [], handler: (req) => requireSession(req.core, req.params.id).session },
  { method: 'GET', path: '/v1/checkout/sessions/:id/line_items', params: ['limit', 'starting_after', 'ending_before'], handler: listLineItems },
  { method: 'POST', path: '/v1/checkout/sessions/:id/expire', params: [], handler: expire },
  { method: 'GET', path: '/checkout/:id', auth: 'none', handler: page },
  { method: 'POST', path: '/checkout/:id/complete', auth: 'none', params: ['card', 'email'], handler: complete },
];

export function setup(core: EmulatorCore): void {
  core.registerRetriever('checkout.session', (id) => checkoutSessions(core).get(id)?.session);
  core.registerExpander('checkout.session', 'line_items', (_value, parent) => {
    const rec = typeof parent.id === 'string' ? checkoutSessions(core).get(parent.id) : undefined;
    return rec ? { object: 'list', data: lineItemsOf(core, rec), has_more: false, url: `/v1/checkout/sessions/${rec.id}/line_items` } : undefined;
  });
}

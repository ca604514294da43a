// The state machine around subscriptions: the first invoice and whether it is
// paid, pending SetupIntents, activation once payment details arrive, and
// cancellation. The rules chosen where Stripe's behaviour is uncertain are
// written down in SPEC.md; invoice storage lives in invoice-ledger.ts.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError } from '../http/errors.js';
import { buildInvoice, buildLine, isMetered, itemPeriod, priceOf, type LinePlan } from './invoice-builder.js';
import { defaultPaymentMethod, issueFinalInvoice, markPaid, persistInvoice, secretFor } from './invoice-ledger.js';
import { AUTHENTICATION_REQUIRED, attachPaymentMethod, cardDeclined, declineOf } from '../customers/payment-methods.js';
import { billingSettings, invoices, nowFor, subscriptions, type InvoiceRecord, type SubscriptionRecord } from './store.js';
import { customers, paymentMethods, setupIntents, type SetupIntentRecord, type CustomerRecord } from '../customers/store.js';
import { renderSubscription } from './render.js';

/** A subscription record with Stripe's defaults; the caller overrides what its request sets. */
export function newSubscriptionRecord(core: EmulatorCore, fields: Pick<SubscriptionRecord, 'customer' | 'items' | 'currency'> & Partial<SubscriptionRecord>): SubscriptionRecord {
  // A customer on a test clock subscribes at the clock's time.
  const now = nowFor(core, fields.customer);
  const clock = customers(core).get(fields.customer)?.test_clock;
  return {
    id: core.id('sub_'),
    created: now,
    status: 'incomplete',
    billing_cycle_anchor: now,
    start_date: now,
    metadata: {},
    cancel_at_period_end: false,
    cancel_at: null,
    canceled_at: null,
    ended_at: null,
    cancellation_details: null,
    collection_method: 'charge_automatically',
    days_until_due: null,
    default_payment_method: null,
    description: null,
    latest_invoice: null,
    pending_setup_intent: null,
    payment_behavior: 'allow_incomplete',
    save_default_payment_method: 'off',
    test_clock: typeof clock === 'string' ? clock : null,
    ...fields,
  };
}

export function createSetupIntent(core: EmulatorCore, customerId: string | null, usage = 'off_session', metadata: Record<string, string> = {}): SetupIntentRecord {
  const id = core.id('seti_');
  const si = {
    id,
    object: 'setup_intent',
    allowed_payment_method_types: null,
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: secretFor(core, id),
    created: core.now(),
    customer: customerId,
    customer_account: null,
    description: null,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    single_use_mandate: null,
    status: 'requires_payment_method',
    usage,
  } as unknown as SetupIntentRecord;
  setupIntents(core).insert(si);
  return si;
}

/** The lines of the first invoice: licensed items for the first period in advance, metered items at 0 (billed in arrears). */
function firstInvoicePlans(core: EmulatorCore, sub: SubscriptionRecord): LinePlan[] {
  return sub.items.map((item) => {
    const price = priceOf(core, item);
    return { item, price, quantity: isMetered(price) ? 0 : (item.quantity ?? 1), period: itemPeriod(sub, price, sub.start_date) };
  });
}

export interface CreateOutcome {
  sub: SubscriptionRecord;
  invoice: InvoiceRecord;
  setupIntent?: SetupIntentRecord;
  /** Events to emit once the subscription is stored, in Stripe's order. */
  events: Array<[string, object]>;
}

/**
 * Issues the first invoice of a new (not yet stored) subscription, charges it when a payment method
 * is on file, and decides the status. A refused `error_if_incomplete` throws before anything is stored.
 */
export function startSubscription(core: EmulatorCore, sub: SubscriptionRecord, options: { authenticated?: boolean } = {}): CreateOutcome {
  const customer = customers(core).get(sub.customer);
  const invoiceId = core.id('in_');
  const lines = firstInvoicePlans(core, sub).map((plan) => buildLine(core, sub, plan, invoiceId));
  const period = { start: sub.start_date, end: sub.start_date };
  const at = sub.start_date;
  const draft = buildInvoice(core, { id: invoiceId, customer, customerId: sub.customer, sub, billingReason: 'subscription_create', lines, period, status: 'open', paid: false, at });
  const due = draft.amount_due;
  const pmId = defaultPaymentMethod(core, sub);
  const pm = pmId ? paymentMethods(core).get(pmId) : undefined;
  let decline = pm ? declineOf(pm) : undefined;
  // A payment page (Checkout) has the cardholder at hand to authenticate the first payment.
  if (options.authenticated && decline === AUTHENTICATION_REQUIRED) decline = undefined;

  const events: Array<[string, object]> = [];
  if (sub.collection_method === 'send_invoice') {
    // Invoiced customers pay by the due date; the subscription is active from the start.
    const rec = persistInvoice(core, { ...draft, due_date: at + (sub.days_until_due ?? 30) * 86_400 } as Stripe.Invoice, false);
    sub.latest_invoice = invoiceId;
    sub.status = 'active';
    events.push(['invoice.created', rec.invoice], ['invoice.finalized', rec.invoice]);
    if (due === 0) {
      markPaid(core, rec, null, at);
      events.push(['invoice.paid', rec.invoice]);
    } else {
      events.push(['invoice.sent', rec.invoice]);
    }
    return { sub, invoice: rec, events };
  }

  if (sub.payment_behavior === 'error_if_incomplete' && due > 0) {
    if (!pm) {
      throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'resource_missing', param: 'customer', message: 'This customer has no attached payment source or default payment method. Please consider adding a default payment method.' });
    }
    if (decline) throw cardDeclined(decline);
  }

  const rec = persistInvoice(core, draft, due > 0);
  sub.latest_invoice = invoiceId;
  events.push(['invoice.created', rec.invoice], ['invoice.finalized', rec.invoice]);
  let setupIntent: SetupIntentRecord | undefined;

  if (due === 0 || (pm && !decline)) {
    markPaid(core, rec, pm?.id ?? null, at);
    events.push(['invoice.paid', rec.invoice], ['invoice.payment_succeeded', rec.invoice]);
    sub.status = 'active';
    const settings = billingSettings(core);
    if (due === 0 && !pm && settings.setupIntentBehaviors.includes(sub.payment_behavior)) {
      setupIntent = createSetupIntent(core, sub.customer, 'off_session', { subscription: sub.id });
      sub.pending_setup_intent = setupIntent.id;
      sub.status = settings.zeroInvoiceSetupStatus;
      events.push(['setup_intent.created', setupIntent]);
    }
  } else {
    sub.status = 'incomplete';
    if (decline === AUTHENTICATION_REQUIRED) events.push(['invoice.payment_action_required', rec.invoice]);
    if (decline) events.push(['invoice.payment_failed', rec.invoice]);
  }
  return { sub, invoice: rec, setupIntent, events };
}

/** Applies `changes` (e.g. `incomplete` → `active`); emits customer.subscription.updated with what changed. */
export function activate(core: EmulatorCore, sub: SubscriptionRecord, changes: Partial<SubscriptionRecord>): void {
  const previous: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    const old = (sub as unknown as Record<string, unknown>)[key];
    if (old !== value) previous[key] = old;
  }
  if (Object.keys(previous).length === 0) return;
  subscriptions(core).update(sub.id, changes);
  core.emit('customer.subscription.updated', renderSubscription(core, sub), previous);
}

/**
 * A SetupIntent confirmed with a working card: the method is attached, becomes the customer's
 * default, and any subscription waiting on this SetupIntent drops it and turns active.
 */
export function succeedSetupIntent(core: EmulatorCore, si: SetupIntentRecord, pmId: string): void {
  const customerId = typeof si.customer === 'string' ? si.customer : (si.customer?.id ?? null);
  if (customerId) {
    attachPaymentMethod(core, paymentMethods(core).require(pmId, 'payment_method'), customerId);
    const customer = customers(core).get(customerId);
    if (customer && customer.invoice_settings.default_payment_method !== pmId) {
      const previous = { invoice_settings: { ...customer.invoice_settings } };
      customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: pmId };
      core.markDirty();
      core.emit('customer.updated', customer, previous);
    }
  }
  setupIntents(core).update(si.id, { status: 'succeeded', payment_method: pmId, last_setup_error: null });
  core.emit('setup_intent.succeeded', si);
  for (const sub of subscriptions(core).all()) {
    if (sub.pending_setup_intent !== si.id) continue;
    const changes: Partial<SubscriptionRecord> = { pending_setup_intent: null };
    if (sub.status === 'incomplete') changes.status = 'active';
    if (sub.save_default_payment_method === 'on_subscription') changes.default_payment_method = pmId;
    activate(core, sub, changes);
  }
}

/** Pays an open invoice with a card (invoices.pay); an incomplete subscription it started turns active. */
export function payInvoice(core: EmulatorCore, rec: InvoiceRecord, pmId: string): void {
  const pm = paymentMethods(core).require(pmId, 'payment_method', 'payment_method');
  const decline = declineOf(pm);
  if (decline) {
    Object.assign(rec.invoice, { attempted: true, attempt_count: rec.invoice.attempt_count + 1 });
    core.markDirty();
    core.emit('invoice.payment_failed', rec.invoice);
    throw cardDeclined(decline);
  }
  if (typeof rec.invoice.customer === 'string') attachPaymentMethod(core, pm, rec.invoice.customer);
  const subId = rec.invoice.parent?.subscription_details?.subscription;
  const sub = typeof subId === 'string' ? subscriptions(core).get(subId) : undefined;
  markPaid(core, rec, pm.id, sub ? nowFor(core, sub.customer) : core.now());
  core.emit('invoice.paid', rec.invoice);
  core.emit('invoice.payment_succeeded', rec.invoice);
  if (!sub) return;
  const changes: Partial<SubscriptionRecord> = {};
  if (sub.latest_invoice === rec.id && sub.status === 'incomplete') changes.status = 'active';
  // A past_due (or unpaid) subscription recovers once none of its invoices is left open.
  if ((sub.status === 'past_due' || sub.status === 'unpaid') && !hasOpenInvoiceOf(core, sub.id)) changes.status = 'active';
  if (sub.latest_invoice === rec.id && sub.save_default_payment_method === 'on_subscription') changes.default_payment_method = pm.id;
  activate(core, sub, changes);
}


/**
 * Ends a subscription now (DELETE /v1/subscriptions/:id, its customer's deletion, or a scheduled
 * cancellation coming due, which keeps the `canceled_at` of the request that scheduled it).
 */
export function cancelNow(core: EmulatorCore, sub: SubscriptionRecord, options: { invoiceNow?: boolean; details?: Stripe.Subscription.CancellationDetails; at?: number; scheduled?: boolean }): void {
  const now = options.at ?? nowFor(core, sub.customer);
  if (options.invoiceNow) sub.latest_invoice = issueFinalInvoice(core, sub, now).id;
  const reason = options.details?.reason ?? 'cancellation_requested';
  Object.assign(sub, {
    status: 'canceled',
    canceled_at: options.scheduled ? (sub.canceled_at ?? now) : now,
    ended_at: now,
    cancel_at: sub.cancel_at,
    cancellation_details: { comment: options.details?.comment ?? null, feedback: options.details?.feedback ?? null, feedback_option: null, reason },
  });
  if (sub.pending_setup_intent) {
    const si = setupIntents(core).get(sub.pending_setup_intent);
    if (si && si.status !== 'succeeded') {
      setupIntents(core).update(si.id, { status: 'canceled', cancellation_reason: 'abandoned' });
      core.emit('setup_intent.canceled', si);
    }
  }
  core.markDirty();
  core.emit('customer.subscription.deleted', renderSubscription(core, sub));
}

/** Whether any invoice of the subscription is still open. */
export function hasOpenInvoiceOf(core: EmulatorCore, subId: string): boolean {
  for (const rec of invoices(core).scan()) {
    if (rec.invoice.status === 'open' && rec.invoice.parent?.subscription_details?.subscription === subId) return true;
  }
  return false;
}

/** Deleted customers stay retrievable as `{deleted: true}` stubs, as on Stripe. */
export function tombstones(core: EmulatorCore): Record<string, true> {
  return core.slice<Record<string, true>>('deleted_customers', () => ({}));
}

/** Deletes a customer (its subscriptions are canceled); a test clock's deletion uses it too. */
export function deleteCustomer(core: EmulatorCore, customer: CustomerRecord): void {
  for (const sub of subscriptions(core).all()) {
    if (sub.customer === customer.id && sub.status !== 'canceled' && sub.status !== 'incomplete_expired') cancelNow(core, sub, {});
  }
  customers(core).delete(customer.id);
  tombstones(core)[customer.id] = true;
  core.markDirty();
  core.emit('customer.deleted', customer);
}

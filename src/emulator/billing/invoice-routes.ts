import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError, invalid, parameterMissing, resourceMissing } from '../http/errors.js';
import { filterCreated, listResponse, listUrl } from '../http/list.js';
import { asBool, asInt, asString, mergeMetadata, str } from '../http/params.js';
import { defaultPaymentMethod, previewInvoice } from './invoice-ledger.js';
import { FINALIZE_GRACE_SECONDS, catchUp } from './cycle.js';
import { payInvoice } from './lifecycle.js';
import { resolvePaymentMethod } from '../customers/payment-methods.js';
import { customers } from '../customers/store.js';
import { invoices, nowFor, subscriptions, type InvoiceRecord, type SubscriptionRecord } from './store.js';
import type { EmuRequest, Route } from '../types.js';

const LIVE = new Set(['active', 'trialing', 'past_due', 'incomplete', 'unpaid']);

/** Without `subscription`, Stripe previews the customer's subscription that renews next. */
function pickSubscription(core: EmulatorCore, customerId: string, subscriptionId: string | undefined): SubscriptionRecord {
  if (subscriptionId !== undefined) {
    const sub = subscriptions(core).require(subscriptionId, 'subscription', 'subscription');
    if (sub.customer !== customerId) throw invalid('subscription', `The subscription ${sub.id} does not belong to customer ${customerId}.`);
    if (!LIVE.has(sub.status)) throw invalid('subscription', `The subscription ${sub.id} is ${sub.status}, so it has no upcoming invoice.`, 'invoice_upcoming_none');
    return sub;
  }
  const live = subscriptions(core)
    .all()
    .filter((s) => s.customer === customerId && LIVE.has(s.status));
  if (live.length === 0) {
    throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'invoice_upcoming_none', param: 'customer', message: `No upcoming invoices for customer: ${customerId}` });
  }
  const renewal = (s: SubscriptionRecord) => previewInvoice(core, s).period_end;
  return live.reduce((best, s) => (renewal(s) < renewal(best) ? s : best));
}

function createPreview(req: EmuRequest): Stripe.Invoice {
  const core = req.core;
  catchUp(core);
  const subscriptionId = str(req, 'subscription');
  let customerId = str(req, 'customer');
  if (customerId === undefined) {
    if (subscriptionId === undefined) throw parameterMissing('customer');
    customerId = subscriptions(core).require(subscriptionId, 'subscription', 'subscription').customer;
  }
  customers(core).require(customerId, 'customer', 'customer');
  if (req.body.preview_mode !== undefined) str(req, 'preview_mode', { oneOf: ['next', 'recurring'] });
  return previewInvoice(core, pickSubscription(core, customerId, subscriptionId));
}

function requireInvoice(core: EmulatorCore, id: string): InvoiceRecord {
  catchUp(core);
  const rec = invoices(core).get(id);
  if (!rec) throw resourceMissing('invoice', id);
  return rec;
}

function list(req: EmuRequest) {
  catchUp(req.core);
  const customer = str(req, 'customer');
  const subscription = str(req, 'subscription');
  const status = str(req, 'status', { oneOf: ['draft', 'open', 'paid', 'uncollectible', 'void'] });
  const items = invoices(req.core)
    .all()
    .filter((r) => customer === undefined || r.invoice.customer === customer)
    .filter((r) => subscription === undefined || r.invoice.parent?.subscription_details?.subscription === subscription)
    .filter((r) => status === undefined || r.invoice.status === status);
  const page = listResponse(filterCreated(items.map((r) => ({ ...r, created: r.invoice.created })), req.body.created), req.body, listUrl(req));
  return { ...page, data: page.data.map((r) => r.invoice) };
}

function lines(req: EmuRequest) {
  const rec = requireInvoice(req.core, req.params.id);
  // Line items are listed in invoice order; listResponse pages newest first, so feed it reversed.
  return listResponse(rec.invoice.lines.data.slice().reverse(), req.body, listUrl(req));
}

/** Without `payment_method`, Stripe charges the subscription's, else the customer's default method. */
function defaultMethodOf(core: EmulatorCore, rec: InvoiceRecord): string {
  const subId = rec.invoice.parent?.subscription_details?.subscription;
  const sub = typeof subId === 'string' ? subscriptions(core).get(subId) : undefined;
  const customerDefault = typeof rec.invoice.customer === 'string' ? customers(core).get(rec.invoice.customer)?.invoice_settings?.default_payment_method : undefined;
  const id = sub ? defaultPaymentMethod(core, sub) : typeof customerDefault === 'string' ? customerDefault : null;
  if (!id) {
    throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'invoice_no_payment_method_types', param: 'payment_method', message: 'This customer has no attached payment source or default payment method. Pass payment_method.' });
  }
  return id;
}

function pay(req: EmuRequest): Stripe.Invoice {
  const core = req.core;
  const rec = requireInvoice(core, req.params.id);
  if (rec.invoice.status !== 'open') {
    throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'invoice_not_open', message: `Invoice ${rec.id} is ${rec.invoice.status}; only open invoices can be paid.` });
  }
  const raw = req.body.payment_method;
  const pmId = raw === undefined ? defaultMethodOf(core, rec) : resolvePaymentMethod(core, asString(raw, 'payment_method'), 'payment_method').id;
  payInvoice(core, rec, pmId);
  return rec.invoice;
}

/** Stripe schedules finalization up to 5 years ahead. */
const FINALIZE_MAX_SECONDS = 5 * 365 * 86_400;

/** `auto_advance`, `automatically_finalizes_at` (drafts only), `description`, `metadata`. */
function update(req: EmuRequest): Stripe.Invoice {
  const core = req.core;
  const rec = requireInvoice(core, req.params.id);
  const inv = rec.invoice;
  const b = req.body;
  const previous: Record<string, unknown> = {};
  const set = (field: keyof Stripe.Invoice, value: unknown) => {
    if (JSON.stringify(inv[field]) === JSON.stringify(value)) return;
    previous[field] = inv[field];
    (inv as unknown as Record<string, unknown>)[field] = value;
  };
  if (b.automatically_finalizes_at !== undefined) {
    if (inv.status !== 'draft') throw invalid('automatically_finalizes_at', `Invoice ${inv.id} is ${inv.status}; only a draft's finalization can be scheduled.`);
    const now = typeof inv.customer === 'string' ? nowFor(core, inv.customer) : core.now();
    const at = asInt(b.automatically_finalizes_at, 'automatically_finalizes_at', { min: now + 1, max: now + FINALIZE_MAX_SECONDS });
    set('automatically_finalizes_at', at);
  }
  if (b.auto_advance !== undefined) set('auto_advance', asBool(b.auto_advance, 'auto_advance'));
  if (b.description !== undefined) set('description', b.description === '' ? null : asString(b.description, 'description', { max: 1500 }));
  if (b.metadata !== undefined) set('metadata', mergeMetadata(inv.metadata ?? {}, b.metadata));
  // A draft without a finalization time (auto_advance turned back on) gets Stripe's default hour.
  if (inv.status === 'draft' && inv.auto_advance && inv.automatically_finalizes_at === null) set('automatically_finalizes_at', nowFor(core, inv.customer as string) + FINALIZE_GRACE_SECONDS);
  if (Object.keys(previous).length > 0) {
    core.markDirty();
    core.emit('invoice.updated', inv, previous);
  }
  return inv;
}

export const routes: Route[] = [
  { method: 'POST', path: '/v1/invoices/:id', params: ['auto_advance', 'automatically_finalizes_at', 'description', 'metadata'], handler: update },
  { method: 'POST', path: '/v1/invoices/create_preview', params: ['customer', 'subscription', 'preview_mode'], handler: createPreview },
  { method: 'GET', path: '/v1/invoices', params: ['customer', 'subscription', 'status', 'limit', 'starting_after', 'ending_before', 'created', 'collection_method'], handler: list },
  { method: 'GET', path: '/v1/invoices/:id', params: [], handler: (req) => requireInvoice(req.core, req.params.id).invoice },
  { method: 'GET', path: '/v1/invoices/:id/lines', params: ['limit', 'starting_after', 'ending_before'], handler: lines },
  { method: 'POST', path: '/v1/invoices/:id/pay', params: ['payment_method', 'off_session'], handler: pay },
];

export function setup(core: EmulatorCore): void {
  // confirmation_secret is expand-only: the stored invoice keeps it beside the wire object.
  core.registerExpander('invoice', 'confirmation_secret', (_value, parent) => {
    const rec = typeof parent.id === 'string' ? invoices(core).get(parent.id) : undefined;
    return rec?.confirmationSecret ? { client_secret: rec.confirmationSecret, type: 'payment_intent' } : null;
  });
}

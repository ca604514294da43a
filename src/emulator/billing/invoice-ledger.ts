// Invoices as stored objects: issuing them (with the expand-only confirmation
// secret kept beside the wire object), marking them paid, the final invoice on
// cancellation, and the never-stored upcoming-invoice preview.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { applyCredits } from './credits.js';
import { buildInvoice, buildLine, isMetered, itemPeriod, nextPeriod, priceOf, usageOf, type LinePlan } from './invoice-builder.js';
import { declineOf } from '../customers/payment-methods.js';
import { customers, paymentMethods } from '../customers/store.js';
import { invoices, nowFor, type InvoiceRecord, type SubscriptionRecord } from './store.js';

/** A client secret in Stripe's `<id>_secret_<random>` shape (SetupIntents, PaymentIntents). */
export function secretFor(core: EmulatorCore, id: string): string {
  return `${id}_secret_${core.id('').slice(0, 24)}`;
}

/** The payment method a charge for this subscription would use. */
export function defaultPaymentMethod(core: EmulatorCore, sub: SubscriptionRecord): string | null {
  if (sub.default_payment_method) return sub.default_payment_method;
  const customer = customers(core).get(sub.customer);
  const pm = customer?.invoice_settings?.default_payment_method;
  return typeof pm === 'string' ? pm : (pm?.id ?? null);
}

/** Stores an issued invoice; one with an amount gets a PaymentIntent-style confirmation secret. */
export function persistInvoice(core: EmulatorCore, invoice: Stripe.Invoice, withSecret: boolean): InvoiceRecord {
  if (invoice.status !== 'draft') assignNumber(core, invoice);
  return invoices(core).insert({ id: invoice.id, invoice, confirmationSecret: withSecret ? secretFor(core, core.id('pi_')) : null });
}

/** Finalized invoices get the customer's next number, `PREFIX-0001`, as Stripe numbers them. */
export function assignNumber(core: EmulatorCore, invoice: Stripe.Invoice): void {
  const customer = typeof invoice.customer === 'string' ? customers(core).get(invoice.customer) : undefined;
  if (!customer) return;
  const sequence = customer.next_invoice_sequence ?? 1;
  invoice.number = `${customer.invoice_prefix ?? 'EMU'}-${String(sequence).padStart(4, '0')}`;
  customer.next_invoice_sequence = sequence + 1;
  core.markDirty();
}

export function markPaid(core: EmulatorCore, rec: InvoiceRecord, pmId: string | null, now = core.now()): void {
  const inv = rec.invoice;
  Object.assign(inv, {
    status: 'paid',
    amount_paid: inv.amount_due,
    amount_remaining: 0,
    attempted: true,
    attempt_count: inv.attempt_count + (inv.amount_due > 0 ? 1 : 0),
    auto_advance: false,
    next_payment_attempt: null,
    default_payment_method: pmId,
    status_transitions: { ...inv.status_transitions, paid_at: now },
  });
  core.markDirty();
}

/**
 * Metered usage from the current period's start up to `until` (cancellation; or a price swap, for
 * the swapped `items` only, with `subscription_update`), on a persisted invoice.
 */
export function issueFinalInvoice(core: EmulatorCore, sub: SubscriptionRecord, until: number, only?: { items: string[]; billingReason: Stripe.Invoice.BillingReason }): InvoiceRecord {
  const invoiceId = core.id('in_');
  const plans: LinePlan[] = [];
  for (const item of sub.items) {
    if (only && !only.items.includes(item.id)) continue;
    const price = priceOf(core, item);
    if (!isMetered(price)) continue;
    const current = itemPeriod(sub, price, until);
    const period = { start: current.start, end: until };
    // Usage is kept per minute: the minute of the cancel instant is billed whole, not dropped.
    const usageEnd = Math.floor(until / 60) * 60 + 60;
    plans.push({ item, price, quantity: usageOf(core, sub, price, { start: period.start, end: usageEnd }), period });
  }
  const lines = plans.map((plan) => buildLine(core, sub, plan, invoiceId));
  const start = Math.min(until, ...plans.map((p) => p.period.start));
  const customer = customers(core).get(sub.customer);
  const draft = buildInvoice(core, { id: invoiceId, customer, customerId: sub.customer, sub, billingReason: only?.billingReason ?? 'subscription_cycle', lines, period: { start, end: until }, status: 'open', paid: false, at: until });
  applyCredits(core, draft, until);
  const rec = persistInvoice(core, draft, draft.amount_due > 0);
  core.emit('invoice.created', rec.invoice);
  core.emit('invoice.finalized', rec.invoice);
  const pmId = defaultPaymentMethod(core, sub);
  const pm = pmId ? paymentMethods(core).get(pmId) : undefined;
  if (draft.amount_due === 0 || (pm && !declineOf(pm))) {
    markPaid(core, rec, pm?.id ?? null, until);
    core.emit('invoice.paid', rec.invoice);
  } else if (pm) {
    core.emit('invoice.payment_failed', rec.invoice);
  }
  return rec;
}

/**
 * The upcoming invoice (never stored): each metered item's usage over its current period, and each
 * licensed item's quantity for the period after it (skipped when the subscription ends by then:
 * cancel_at_period_end, or a cancel_at up to the period end).
 */
export function previewInvoice(core: EmulatorCore, sub: SubscriptionRecord): Stripe.Invoice {
  const now = nowFor(core, sub.customer);
  const plans: LinePlan[] = [];
  for (const item of sub.items) {
    const price = priceOf(core, item);
    const current = itemPeriod(sub, price, now);
    if (isMetered(price)) plans.push({ item, price, quantity: usageOf(core, sub, price, current), period: current });
    else if (!sub.cancel_at_period_end && !(sub.cancel_at !== null && sub.cancel_at <= current.end)) plans.push({ item, price, quantity: item.quantity ?? 1, period: nextPeriod(sub, price, current) });
  }
  const id = `upcoming_${core.id('in_')}`;
  const lines = plans.map((plan) => buildLine(core, sub, plan, id));
  const metered = plans.filter((p) => isMetered(p.price));
  const basis = metered.length > 0 ? metered : plans;
  const period = basis.length > 0 ? { start: Math.min(...basis.map((p) => p.period.start)), end: Math.max(...basis.map((p) => p.period.end)) } : { start: now, end: now };
  const customer = customers(core).get(sub.customer);
  const invoice = buildInvoice(core, { id, customer, customerId: sub.customer, sub, billingReason: 'upcoming', lines, period, status: 'draft', paid: false, at: now });
  // ⚠ The credit that would apply if the invoice finalized now (grants live now, nothing spent).
  applyCredits(core, invoice, now, { preview: true });
  return invoice;
}

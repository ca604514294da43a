// Collecting a finalized renewal invoice: the payment attempt with the default payment method,
// past_due and the retry schedule after a failure, and the subscription's final state once the
// retries run out. Times are the customer's clock time (`at`). Choices marked ⚠ in SPEC.md.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { activate, cancelNow, hasOpenInvoiceOf } from './lifecycle.js';
import { defaultPaymentMethod, markPaid } from './invoice-ledger.js';
import { AUTHENTICATION_REQUIRED, declineOf } from '../customers/payment-methods.js';
import { billingSettings, invoices, subscriptions, type InvoiceRecord, type SubscriptionRecord } from './store.js';
import { customers, paymentMethods } from '../customers/store.js';

const DAY = 86_400;

export function subscriptionOf(core: EmulatorCore, inv: Stripe.Invoice): SubscriptionRecord | undefined {
  const id = inv.parent?.subscription_details?.subscription;
  return typeof id === 'string' ? subscriptions(core).get(id) : undefined;
}

function chargeMethod(core: EmulatorCore, inv: Stripe.Invoice, sub: SubscriptionRecord | undefined): Stripe.PaymentMethod | undefined {
  let id: string | null = sub ? defaultPaymentMethod(core, sub) : null;
  if (!id && typeof inv.customer === 'string') {
    const pm = customers(core).get(inv.customer)?.invoice_settings?.default_payment_method;
    id = typeof pm === 'string' ? pm : (pm?.id ?? null);
  }
  return id ? paymentMethods(core).get(id) : undefined;
}


/**
 * One automatic payment attempt of an open invoice at `at`: paid, or failed with the next retry
 * scheduled in `next_payment_attempt` (null once the schedule is used up, which ends the subscription).
 */
export function attemptPayment(core: EmulatorCore, rec: InvoiceRecord, at: number): void {
  const inv = rec.invoice;
  const sub = subscriptionOf(core, inv);
  if (inv.amount_due === 0) {
    markPaid(core, rec, null, at);
    core.emit('invoice.paid', inv);
    core.emit('invoice.payment_succeeded', inv);
    return;
  }
  if (sub?.status === 'unpaid') {
    // Stripe: an unpaid subscription's invoices "will be created, but then immediately automatically closed".
    Object.assign(inv, { auto_advance: false, next_payment_attempt: null });
    core.markDirty();
    return;
  }
  const pm = chargeMethod(core, inv, sub);
  if (pm && !declineOf(pm)) {
    markPaid(core, rec, pm.id, at);
    core.emit('invoice.paid', inv);
    core.emit('invoice.payment_succeeded', inv);
    if (sub && sub.status === 'past_due' && !hasOpenInvoiceOf(core, sub.id)) activate(core, sub, { status: 'active' });
    return;
  }
  const dunning = rec.dunning ?? { firstFailedAt: at, retries: 0 };
  const days = billingSettings(core).retryDays;
  const next = dunning.retries < days.length ? dunning.firstFailedAt + days[dunning.retries] * DAY : null;
  Object.assign(inv, { attempted: true, attempt_count: inv.attempt_count + 1, next_payment_attempt: next, auto_advance: next !== null });
  invoices(core).update(rec.id, { dunning });
  // Stripe sends both when the charge needs the cardholder's authentication.
  if (pm && declineOf(pm) === AUTHENTICATION_REQUIRED) core.emit('invoice.payment_action_required', inv);
  core.emit('invoice.payment_failed', inv);
  if (!sub) return;
  if (sub.status === 'active') activate(core, sub, { status: 'past_due' });
  if (next === null && sub.status === 'past_due') endAfterRetries(core, sub, at);
}

/** The automatic retry due at `next_payment_attempt`. */
export function retryPayment(core: EmulatorCore, rec: InvoiceRecord, at: number): void {
  if (rec.dunning) invoices(core).update(rec.id, { dunning: { ...rec.dunning, retries: rec.dunning.retries + 1 } });
  attemptPayment(core, rec, at);
}

function endAfterRetries(core: EmulatorCore, sub: SubscriptionRecord, at: number): void {
  if (billingSettings(core).afterRetries === 'unpaid') {
    activate(core, sub, { status: 'unpaid' });
    return;
  }
  cancelNow(core, sub, { at, details: { comment: null, feedback: null, reason: 'payment_failed' } as Stripe.Subscription.CancellationDetails });
}

// The billing cycle as time passes: an incomplete subscription expires after 23 h, a period end
// starts the next period with a draft renewal invoice, the draft is finalized an hour later and
// charged, failed payments are retried. Each customer lives on its test clock's time or on the
// emulator's; `runUntil` replays every due step of one such timeline in order. See SPEC.md.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { applyCredits } from './credits.js';
import { attemptPayment, retryPayment, subscriptionOf } from './dunning.js';
import { buildInvoice, buildLine, intervalOf, isMetered, itemPeriod, nextPeriod, priceOf, usageOf, type LinePlan } from './invoice-builder.js';
import { assignNumber, persistInvoice, secretFor } from './invoice-ledger.js';
import { cancelNow } from './lifecycle.js';
import { periodContaining, type Period } from './periods.js';
import { customers, setupIntents } from '../customers/store.js';
import { invoices, subscriptions, testClocks, type SubscriptionRecord } from './store.js';
import { renderSubscription } from './render.js';
import { advanceSchedule, scheduleBoundary, scheduleCancelsAt } from './schedules.js';

/** Stripe gives an incomplete subscription 23 hours to get its first payment before expiring it. */
export const INCOMPLETE_TTL_SECONDS = 23 * 3600;
/** A renewal invoice stays a draft this long ("about an hour"): usage reported meanwhile is billed. */
export const FINALIZE_GRACE_SECONDS = 3600;
const RENEWING = new Set(['active', 'past_due', 'unpaid', 'trialing']);

interface Step {
  at: number;
  /** Tie-break at the same instant: expiry, finalize, retry, renewal. */
  order: number;
  run(at: number): void;
}

/** The subscription's billing period the cycle has reached (anchored like its items). */
export function cyclePeriod(core: EmulatorCore, sub: SubscriptionRecord): Period {
  const { interval, count } = intervalOf(priceOf(core, sub.items[0]));
  return periodContaining(sub.billing_cycle_anchor, interval, count, sub.cycle_start ?? sub.start_date);
}

function nextStep(core: EmulatorCore, clock: string | null, until: number): Step | undefined {
  let best: Step | undefined;
  const consider = (at: number, order: number, run: (at: number) => void) => {
    if (at <= until && (!best || at < best.at || (at === best.at && order < best.order))) best = { at, order, run };
  };
  for (const sub of subscriptions(core).scan()) {
    if ((sub.test_clock ?? null) !== clock) continue;
    if (sub.status === 'incomplete') consider(sub.created + INCOMPLETE_TTL_SECONDS, 0, (at) => expireIncomplete(core, sub.id, at));
    else if (RENEWING.has(sub.status) && sub.items.length > 0) {
      const period = cyclePeriod(core, sub);
      if (sub.cancel_at !== null && sub.cancel_at < period.end) consider(sub.cancel_at, 3, (at) => cancelScheduled(core, sub.id, at));
      else consider(period.end, 3, () => renew(core, sub.id, period));
      // A phase boundary at the period end runs inside the renewal (order 3) first.
      const boundary = scheduleBoundary(core, sub);
      if (boundary !== undefined) consider(boundary, 4, (at) => advanceSchedule(core, sub, at, false));
    }
  }
  for (const rec of invoices(core).scan()) {
    const inv = rec.invoice;
    if ((inv.test_clock ?? null) !== clock || !inv.auto_advance) continue;
    if (inv.status === 'draft' && inv.automatically_finalizes_at !== null) consider(inv.automatically_finalizes_at, 1, (at) => finalize(core, rec.id, at));
    else if (inv.status === 'open' && inv.next_payment_attempt !== null) consider(inv.next_payment_attempt, 2, (at) => retryPayment(core, invoices(core).get(rec.id)!, at));
  }
  return best;
}

/**
 * Runs every step of one timeline (a test clock's customers, or with `clock` null everyone else)
 * due up to `until`, oldest first. A test clock's frozen_time follows each step, so what the steps
 * create carries the clock's time.
 */
export function runUntil(core: EmulatorCore, clock: string | null, until: number): void {
  for (;;) {
    const step = nextStep(core, clock, until);
    if (!step) return;
    if (clock) {
      const record = testClocks(core).get(clock);
      if (record && step.at > record.frozen_time) record.frozen_time = step.at;
    }
    // What time does is nobody's request, even when a request's read brought the cycle up to date.
    core.withRequest(null, () => step.run(step.at));
  }
}

/** Brings the customers that are not on a test clock up to the emulator's now (run before reads). */
export function catchUp(core: EmulatorCore): void {
  runUntil(core, null, core.now());
}

/** An incomplete subscription expires (terminal): its open first invoice is voided, its SetupIntent canceled. */
function expireIncomplete(core: EmulatorCore, subId: string, at: number): void {
  const sub = subscriptions(core).get(subId)!;
  const rec = sub.latest_invoice ? invoices(core).get(sub.latest_invoice) : undefined;
  if (rec && rec.invoice.status === 'open') {
    Object.assign(rec.invoice, { status: 'void', amount_remaining: 0, auto_advance: false, next_payment_attempt: null, status_transitions: { ...rec.invoice.status_transitions, voided_at: at } });
    core.emit('invoice.voided', rec.invoice);
  }
  if (sub.pending_setup_intent) {
    const si = setupIntents(core).get(sub.pending_setup_intent);
    if (si && si.status !== 'succeeded' && si.status !== 'canceled') {
      setupIntents(core).update(si.id, { status: 'canceled', cancellation_reason: 'abandoned' });
      core.emit('setup_intent.canceled', si);
    }
  }
  subscriptions(core).update(sub.id, { status: 'incomplete_expired', ended_at: at });
  core.emit('customer.subscription.updated', renderSubscription(core, sub), { status: 'incomplete' });
}

/** Metered items bill the closed period's usage; licensed items their quantity for the next period. */
function renewalPlans(core: EmulatorCore, sub: SubscriptionRecord, closedEnd: number, ending: boolean): LinePlan[] {
  const plans: LinePlan[] = [];
  for (const item of sub.items) {
    const price = priceOf(core, item);
    const closed = itemPeriod(sub, price, closedEnd - 1);
    if (isMetered(price)) plans.push({ item, price, quantity: usageOf(core, sub, price, closed), period: closed });
    else if (!ending) plans.push({ item, price, quantity: item.quantity ?? 1, period: nextPeriod(sub, price, closed) });
  }
  return plans;
}

/**
 * A period ends: the next one starts (customer.subscription.updated) with a draft renewal invoice
 * (invoice.created) finalized an hour later. With cancel_at_period_end the subscription ends
 * instead, and the draft bills only the closed period's usage.
 */
function renew(core: EmulatorCore, subId: string, closed: Period): void {
  const sub = subscriptions(core).get(subId)!;
  const at = closed.end;
  const ending = sub.cancel_at_period_end || (sub.cancel_at !== null && sub.cancel_at <= at) || scheduleCancelsAt(core, sub, at);
  const before = renderSubscription(core, sub, at - 1);
  const invoiceId = core.id('in_');
  let plans = renewalPlans(core, sub, at, ending);
  // A schedule's next phase starts now: the closed period's usage bills on the old items, the next period on the new.
  if (advanceSchedule(core, sub, at, true)) plans = [...plans.filter((p) => isMetered(p.price)), ...renewalPlans(core, sub, at, ending).filter((p) => !isMetered(p.price))];
  const lines = plans.map((plan) => buildLine(core, sub, plan, invoiceId));
  const customer = customers(core).get(sub.customer);
  const draft = buildInvoice(core, { id: invoiceId, customer, customerId: sub.customer, sub, billingReason: 'subscription_cycle', lines, period: closed, status: 'draft', paid: false, at });
  draft.automatically_finalizes_at = at + FINALIZE_GRACE_SECONDS;
  const rec = persistInvoice(core, draft, false);
  subscriptions(core).update(sub.id, { cycle_start: at, latest_invoice: invoiceId });
  if (ending) {
    core.emit('invoice.created', rec.invoice);
    cancelNow(core, sub, { at, scheduled: true });
    return;
  }
  core.emit('customer.subscription.updated', renderSubscription(core, sub, at), { items: before.items, latest_invoice: before.latest_invoice });
  core.emit('invoice.created', rec.invoice);
}

/**
 * `cancel_at` inside a period: the subscription ends then. ⚠ Its metered usage so far is billed on a
 * final invoice (as `invoice_now` would); prorations of licensed items are not modelled.
 */
function cancelScheduled(core: EmulatorCore, subId: string, at: number): void {
  const sub = subscriptions(core).get(subId)!;
  const metered = sub.items.some((item) => isMetered(priceOf(core, item)));
  cancelNow(core, sub, { at, invoiceNow: metered, scheduled: true });
}

function retotal(inv: Stripe.Invoice): void {
  const subtotal = inv.lines.data.reduce((sum, line) => sum + line.amount, 0);
  Object.assign(inv, { subtotal, subtotal_excluding_tax: subtotal, total: subtotal, total_excluding_tax: subtotal, amount_due: subtotal, amount_remaining: subtotal - inv.amount_paid });
}

/** The draft's metered lines take the usage reported during the grace hour; then it is finalized and charged. */
function finalize(core: EmulatorCore, invoiceId: string, at: number): void {
  const rec = invoices(core).get(invoiceId)!;
  const inv = rec.invoice;
  const sub = subscriptionOf(core, inv);
  if (sub) {
    inv.lines.data = inv.lines.data.map((line) => {
      const details = line.parent?.subscription_item_details;
      const item = [...sub.items, ...(sub.ended_items ?? [])].find((i) => i.id === details?.subscription_item);
      if (!item) return line;
      const price = priceOf(core, item);
      if (!isMetered(price)) return line;
      const quantity = usageOf(core, sub, price, line.period);
      return { ...buildLine(core, sub, { item, price, quantity, period: line.period }, inv.id), id: line.id };
    });
    retotal(inv);
  }
  // Stripe applies billing credits when the invoice finalizes, before it is charged.
  applyCredits(core, inv, at);
  Object.assign(inv, {
    status: 'open',
    automatically_finalizes_at: null,
    effective_at: at,
    ending_balance: 0,
    status_transitions: { ...inv.status_transitions, finalized_at: at },
  });
  assignNumber(core, inv);
  if (inv.amount_due > 0 && !rec.confirmationSecret) rec.confirmationSecret = secretFor(core, core.id('pi_'));
  core.markDirty();
  core.emit('invoice.finalized', inv);
  attemptPayment(core, rec, at);
}

// Subscription schedules as the billing cycle sees them: a schedule holds contiguous phases, each
// with the items the subscription carries from its start_date to its end_date. At a phase boundary
// the subscription's items become the next phase's; after the last phase the schedule releases the
// subscription (it keeps running) or cancels it (end_behavior). A boundary at a period end is run by
// the renewal itself, so the closing period bills on the old items and the next one on the new. The
// rules chosen where Stripe's behaviour is uncertain are in SPEC.md (⚠).
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import type { Collection } from '../store.js';
import { isMetered, priceOf } from './invoice-builder.js';
import { issueFinalInvoice } from './invoice-ledger.js';
import { cancelNow } from './lifecycle.js';
import { subscriptions, type SubscriptionItemRecord, type SubscriptionRecord } from './store.js';
import { renderSubscription } from './render.js';
import { COLLECTIONS } from '../collection-names.js';

export interface SchedulePhaseRecord {
  start_date: number;
  end_date: number;
  currency: string;
  items: Array<{ price: string; quantity?: number; metadata: Record<string, string> }>;
  metadata: Record<string, string>;
  proration_behavior: 'always_invoice' | 'create_prorations' | 'none';
}

export interface ScheduleRecord {
  id: string;
  created: number;
  customer: string;
  test_clock: string | null;
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled';
  end_behavior: 'release' | 'cancel';
  metadata: Record<string, string>;
  phases: SchedulePhaseRecord[];
  /** The phase whose items the subscription carries. */
  phase_index: number;
  subscription: string | null;
  released_subscription: string | null;
  released_at: number | null;
  canceled_at: number | null;
  completed_at: number | null;
}

export function schedules(core: EmulatorCore): Collection<ScheduleRecord> {
  return core.collection<ScheduleRecord>(COLLECTIONS.subscriptionSchedules);
}

/** The schedule managing this subscription, if it is still running. */
export function activeScheduleOf(core: EmulatorCore, sub: SubscriptionRecord): ScheduleRecord | undefined {
  const sched = sub.schedule ? schedules(core).peek(sub.schedule) : undefined;
  return sched && sched.status === 'active' ? sched : undefined;
}

/** When the subscription's current phase ends (the next step the schedule takes), if it has one. */
export function scheduleBoundary(core: EmulatorCore, sub: SubscriptionRecord): number | undefined {
  const sched = activeScheduleOf(core, sub);
  return sched ? sched.phases[sched.phase_index].end_date : undefined;
}

/** Whether the schedule ends at `at` and cancels the subscription then (the renewal bills it as ending). */
export function scheduleCancelsAt(core: EmulatorCore, sub: SubscriptionRecord, at: number): boolean {
  const sched = activeScheduleOf(core, sub);
  return sched !== undefined && sched.end_behavior === 'cancel' && sched.phase_index === sched.phases.length - 1 && sched.phases[sched.phase_index].end_date === at;
}

export function renderSchedule(core: EmulatorCore, sched: ScheduleRecord): Stripe.SubscriptionSchedule {
  const current = sched.status === 'active' ? sched.phases[sched.phase_index] : undefined;
  const sub = sched.subscription ? subscriptions(core).peek(sched.subscription) : undefined;
  return {
    id: sched.id,
    object: 'subscription_schedule',
    application: null,
    billing_mode: { flexible: null, type: 'flexible', updated_at: sched.created },
    canceled_at: sched.canceled_at,
    completed_at: sched.completed_at,
    created: sched.created,
    current_phase: current ? { start_date: current.start_date, end_date: current.end_date } : null,
    customer: sched.customer,
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: 'automatic',
      billing_thresholds: null,
      collection_method: sub?.collection_method ?? 'charge_automatically',
      default_payment_method: null,
      description: null,
      invoice_settings: { account_tax_ids: null, custom_fields: null, days_until_due: null, description: null, footer: null, issuer: { type: 'self' } },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: sched.end_behavior,
    livemode: false,
    metadata: { ...sched.metadata },
    pause_schedules: [],
    phases: sched.phases.map(renderPhase),
    released_at: sched.released_at,
    released_subscription: sched.released_subscription,
    status: sched.status,
    subscription: sched.subscription,
    test_clock: sched.test_clock,
  };
}

function renderPhase(phase: SchedulePhaseRecord): Stripe.SubscriptionSchedule.Phase {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    currency: phase.currency,
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: phase.end_date,
    invoice_settings: null,
    items: phase.items.map((i) => ({ billing_thresholds: null, discounts: [], metadata: { ...i.metadata }, plan: i.price, price: i.price, ...(i.quantity !== undefined ? { quantity: i.quantity } : {}), tax_rates: [] })),
    metadata: { ...phase.metadata },
    on_behalf_of: null,
    proration_behavior: phase.proration_behavior,
    start_date: phase.start_date,
    transfer_data: null,
    trial_end: null,
  };
}

/**
 * Gives the subscription the phase's items at `at`. An item whose price stays keeps its id (and
 * takes the phase's quantity); a new price is a new item. `midPeriod`: the switch is not at a period
 * end, so a removed metered item's usage so far is invoiced at once (⚠ Stripe makes it a pending
 * invoice item unless proration_behavior is none) and a new metered item counts usage from `at`.
 * Returns the items removed.
 */
export function applyPhase(core: EmulatorCore, sub: SubscriptionRecord, phase: SchedulePhaseRecord, at: number, midPeriod: boolean): SubscriptionItemRecord[] {
  const kept = new Set<string>();
  const items: SubscriptionItemRecord[] = phase.items.map((p) => {
    const same = sub.items.find((i) => i.price === p.price);
    if (same) {
      kept.add(same.id);
      return { ...same, ...(p.quantity !== undefined ? { quantity: p.quantity } : {}) };
    }
    const record: SubscriptionItemRecord = { id: core.id('si_'), created: at, price: p.price, ...(p.quantity !== undefined ? { quantity: p.quantity } : {}), metadata: { ...p.metadata } };
    if (midPeriod && isMetered(priceOf(core, record))) record.usage_since = Math.floor(at / 60) * 60 + 60;
    return record;
  });
  const removed = sub.items.filter((i) => !kept.has(i.id));
  const removedMetered = removed.filter((i) => isMetered(priceOf(core, i)));
  if (midPeriod && removedMetered.length > 0 && phase.proration_behavior !== 'none') {
    sub.latest_invoice = issueFinalInvoice(core, sub, at, { items: removedMetered.map((i) => i.id), billingReason: 'subscription_update' }).id;
  }
  sub.items = items;
  sub.ended_items = removed;
  core.markDirty();
  return removed;
}

/**
 * Runs the schedule's boundary at `at`, if the current phase ends then: the next phase starts, or
 * the schedule ends (release, or cancel unless `renewal` is canceling it already). `renewal`: called
 * from the period-end renewal, which bills the closed period before and the next one after.
 * Returns whether the subscription's items changed.
 */
export function advanceSchedule(core: EmulatorCore, sub: SubscriptionRecord, at: number, renewal: boolean): boolean {
  const sched = activeScheduleOf(core, sub);
  if (!sched || sched.phases[sched.phase_index].end_date !== at) return false;
  const before = renderSubscription(core, sub, at - 1);
  const previous = renderSchedule(core, sched);
  if (sched.phase_index + 1 < sched.phases.length) {
    sched.phase_index += 1;
    applyPhase(core, sub, sched.phases[sched.phase_index], at, !renewal);
    core.markDirty();
    core.emit('subscription_schedule.updated', renderSchedule(core, sched), { current_phase: previous.current_phase, phases: previous.phases });
    core.emit('customer.subscription.updated', renderSubscription(core, sub, at), { items: before.items });
    return true;
  }
  if (sched.end_behavior === 'release') {
    releaseSchedule(core, sched, at);
    return false;
  }
  Object.assign(sched, { status: 'completed', completed_at: at });
  core.markDirty();
  core.emit('subscription_schedule.completed', renderSchedule(core, sched));
  if (!renewal) cancelNow(core, sub, { at, invoiceNow: true });
  return false;
}

/** The schedule stops managing its subscription, which keeps running as it is. */
export function releaseSchedule(core: EmulatorCore, sched: ScheduleRecord, at: number): void {
  const subId = sched.subscription;
  Object.assign(sched, { status: 'released', released_at: at, released_subscription: subId, subscription: null });
  const sub = subId ? subscriptions(core).get(subId) : undefined;
  if (sub) subscriptions(core).update(sub.id, { schedule: null });
  core.markDirty();
  core.emit('subscription_schedule.released', renderSchedule(core, sched));
}

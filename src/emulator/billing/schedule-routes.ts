// Subscription schedules (/v1/subscription_schedules): created from an existing subscription, then
// given phases by update; released or canceled. The phase changes themselves run on the customer's
// clock in billing/cycle.ts through billing/schedules.ts. See SPEC.md.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { invalid, parameterMissing, resourceMissing } from '../http/errors.js';
import { filterCreated, listResponse, listUrl } from '../http/list.js';
import { asBool, asInt, asObject, asString, checkNested, mergeMetadata, newMetadata, str } from '../http/params.js';
import { catchUp } from './cycle.js';
import { intervalOf, isMetered } from './invoice-builder.js';
import { cancelNow } from './lifecycle.js';
import { periodContaining, shiftByIntervals, type Interval } from './periods.js';
import { nowFor, subscriptions, type SubscriptionRecord } from './store.js';
import { prices } from '../catalog/store.js';
import { renderSubscription } from './render.js';
import { applyPhase, releaseSchedule, renderSchedule, schedules, type SchedulePhaseRecord, type ScheduleRecord } from './schedules.js';
import type { EmuRequest, Route } from '../types.js';

const ENDED = new Set(['canceled', 'incomplete_expired']);
const PRORATIONS = ['always_invoice', 'create_prorations', 'none'] as const;
const PHASE_PARAMS = ['items', 'start_date', 'end_date', 'duration', 'metadata', 'proration_behavior', 'currency'];

const asList = (value: unknown, param: string): unknown[] => (Array.isArray(value) ? value : Object.values(asObject(value, param)));

function requireSchedule(core: EmulatorCore, id: string): ScheduleRecord {
  catchUp(core);
  const sched = schedules(core).get(id);
  if (!sched) throw resourceMissing('subscription_schedule', id);
  return sched;
}

function assertManaging(sched: ScheduleRecord, action: string): void {
  if (sched.status !== 'active' && sched.status !== 'not_started') throw invalid(undefined, `You cannot ${action} a subscription schedule that is ${sched.status}.`);
}

/** The first phase of a schedule made from a subscription: its items over its current period. */
function phaseOf(core: EmulatorCore, sub: SubscriptionRecord): SchedulePhaseRecord {
  const price = prices(core).require(sub.items[0].price, 'price');
  const { interval, count } = intervalOf(price);
  const period = periodContaining(sub.billing_cycle_anchor, interval, count, nowFor(core, sub.customer));
  return {
    start_date: period.start,
    end_date: period.end,
    currency: sub.currency,
    items: sub.items.map((i) => ({ price: i.price, ...(i.quantity !== undefined ? { quantity: i.quantity } : {}), metadata: { ...i.metadata } })),
    metadata: {},
    proration_behavior: 'create_prorations',
  };
}

function create(req: EmuRequest): Stripe.SubscriptionSchedule {
  const { core, body } = req;
  if (body.from_subscription === undefined) {
    throw invalid('from_subscription', 'The emulator creates subscription schedules only `from_subscription` (a schedule that starts a new subscription is not modelled).');
  }
  const other = Object.keys(body).find((k) => k !== 'from_subscription' && k !== 'expand');
  if (other) throw invalid(other, `You cannot set \`${other}\` if \`from_subscription\` is set. Create the schedule, then update it.`);
  catchUp(core);
  const subId = asString(body.from_subscription, 'from_subscription');
  const sub = subscriptions(core).require(subId, 'subscription', 'from_subscription');
  if (ENDED.has(sub.status)) throw invalid('from_subscription', `Subscription ${sub.id} is ${sub.status}; a schedule cannot manage it.`);
  if (sub.schedule) throw invalid('from_subscription', `You cannot migrate a subscription that is already attached to a schedule: \`${sub.schedule}\`.`);
  const now = nowFor(core, sub.customer);
  const sched: ScheduleRecord = {
    id: core.id('sub_sched_'),
    created: now,
    customer: sub.customer,
    test_clock: sub.test_clock ?? null,
    status: 'active',
    end_behavior: 'release',
    metadata: {},
    phases: [phaseOf(core, sub)],
    phase_index: 0,
    subscription: sub.id,
    released_subscription: null,
    released_at: null,
    canceled_at: null,
    completed_at: null,
  };
  schedules(core).insert(sched);
  const before = renderSubscription(core, sub);
  subscriptions(core).update(sub.id, { schedule: sched.id });
  const rendered = renderSchedule(core, sched);
  core.emit('subscription_schedule.created', rendered);
  core.emit('customer.subscription.updated', renderSubscription(core, sub), { schedule: before.schedule });
  return rendered;
}

function retrieve(req: EmuRequest): Stripe.SubscriptionSchedule {
  return renderSchedule(req.core, requireSchedule(req.core, req.params.id));
}

function timestamp(raw: unknown, param: string, now: number): number {
  return raw === 'now' ? now : asInt(raw, param, { min: 0 });
}

/** Parses `phases[]` of an update into contiguous phases starting where the current one started. */
function parsePhases(core: EmulatorCore, sched: ScheduleRecord, sub: SubscriptionRecord, raw: unknown, now: number): SchedulePhaseRecord[] {
  const list = asList(raw, 'phases');
  if (list.length === 0) throw parameterMissing('phases');
  const current = sched.phases[sched.phase_index];
  let start = current.start_date;
  return list.map((entry, i) => {
    const param = `phases[${i}]`;
    const p = checkNested(entry, param, PHASE_PARAMS);
    if (p.start_date !== undefined) {
      const given = timestamp(p.start_date, `${param}[start_date]`, now);
      if (i === 0 && given !== current.start_date) throw invalid(`${param}[start_date]`, 'You can not modify the start date of the current phase.');
      if (i > 0 && given !== start) throw invalid(`${param}[start_date]`, `Phases must be contiguous: ${param} starts at ${given}, the phase before it ends at ${start}.`);
    }
    if (p.items === undefined) throw parameterMissing(`${param}[items]`);
    const seen = new Set<string>();
    const items = asList(p.items, `${param}[items]`).map((raw, j) => {
      const iparam = `${param}[items][${j}]`;
      const item = checkNested(raw, iparam, ['price', 'quantity', 'metadata']);
      if (item.price === undefined) throw parameterMissing(`${iparam}[price]`);
      const price = prices(core).require(asString(item.price, `${iparam}[price]`), 'price', `${iparam}[price]`);
      if (!price.recurring) throw invalid(`${iparam}[price]`, 'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.');
      if (price.currency !== sub.currency) throw invalid(`${iparam}[price]`, `All prices on a subscription must have the same currency (${sub.currency}).`);
      if (seen.has(price.id)) throw invalid(`${iparam}[price]`, `Cannot add multiple subscription items with the same price: ${price.id}.`);
      seen.add(price.id);
      if (isMetered(price) && item.quantity !== undefined) throw invalid(`${iparam}[quantity]`, 'Quantity should not be specified where usage_type is `metered`.');
      const quantity = isMetered(price) ? undefined : item.quantity === undefined ? 1 : asInt(item.quantity, `${iparam}[quantity]`, { min: 0 });
      return { price, record: { price: price.id, ...(quantity !== undefined ? { quantity } : {}), metadata: newMetadata(item.metadata, `${iparam}[metadata]`) } };
    });
    if (items.length === 0) throw parameterMissing(`${param}[items]`);
    // Prices that are not on the subscription yet must be active.
    for (const [j, { price }] of items.entries()) if (!price.active && !current.items.some((c) => c.price === price.id)) throw invalid(`${param}[items][${j}][price]`, 'The price specified is inactive. This field only accepts active prices.');
    let end: number;
    if (p.end_date !== undefined) end = timestamp(p.end_date, `${param}[end_date]`, now);
    else if (p.duration !== undefined) {
      const d = checkNested(p.duration, `${param}[duration]`, ['interval', 'interval_count']);
      const interval = asString(d.interval, `${param}[duration][interval]`, { oneOf: ['day', 'week', 'month', 'year'] }) as Interval;
      end = shiftByIntervals(start, interval, d.interval_count === undefined ? 1 : asInt(d.interval_count, `${param}[duration][interval_count]`, { min: 1 }), 1);
    } else {
      // ⚠ No end given: one billing period of the phase's first price (the old `iterations: 1`).
      const { interval, count } = intervalOf(items[0].price);
      end = shiftByIntervals(start, interval, count, 1);
    }
    if (end <= start) throw invalid(`${param}[end_date]`, `The phase must end after it starts (${start}).`);
    const phase: SchedulePhaseRecord = {
      start_date: start,
      end_date: end,
      currency: sub.currency,
      items: items.map((x) => x.record),
      metadata: newMetadata(p.metadata, `${param}[metadata]`),
      proration_behavior: (p.proration_behavior === undefined ? 'create_prorations' : asString(p.proration_behavior, `${param}[proration_behavior]`, { oneOf: PRORATIONS })) as SchedulePhaseRecord['proration_behavior'],
    };
    start = end;
    return phase;
  });
}

const sameItems = (a: SchedulePhaseRecord['items'], b: SchedulePhaseRecord['items']) => JSON.stringify(a.map((i) => [i.price, i.quantity])) === JSON.stringify(b.map((i) => [i.price, i.quantity]));

function update(req: EmuRequest): Stripe.SubscriptionSchedule {
  const { core, body } = req;
  const sched = requireSchedule(core, req.params.id);
  assertManaging(sched, 'update');
  const sub = subscriptions(core).get(sched.subscription ?? '');
  if (!sub) throw invalid(undefined, `Subscription schedule ${sched.id} manages no subscription.`);
  const now = nowFor(core, sub.customer);
  const previous = renderSchedule(core, sched);
  if (body.default_settings !== undefined) checkNested(body.default_settings, 'default_settings', ['collection_method', 'description', 'default_payment_method']);
  const proration = str(req, 'proration_behavior', { oneOf: PRORATIONS });
  if (body.end_behavior !== undefined) sched.end_behavior = asString(body.end_behavior, 'end_behavior', { oneOf: ['release', 'cancel'] }) as ScheduleRecord['end_behavior'];
  if (body.metadata !== undefined) sched.metadata = mergeMetadata(sched.metadata, body.metadata);
  if (body.phases !== undefined) {
    const phases = parsePhases(core, sched, sub, body.phases, now);
    if (phases[phases.length - 1].end_date <= now) throw invalid('phases', 'The last phase must end in the future.');
    const index = phases.findIndex((p) => p.start_date <= now && now < p.end_date);
    const was = sched.phases[sched.phase_index];
    sched.phases = phases;
    sched.phase_index = Math.max(0, index);
    // ⚠ The current phase's items changed: the subscription takes them now, as an update would.
    const phase = phases[sched.phase_index];
    if (!sameItems(was.items, phase.items)) {
      applyPhase(core, sub, proration ? { ...phase, proration_behavior: proration as SchedulePhaseRecord['proration_behavior'] } : phase, now, true);
    }
  }
  core.markDirty();
  const rendered = renderSchedule(core, sched);
  core.emit('subscription_schedule.updated', rendered, { phases: previous.phases, end_behavior: previous.end_behavior, metadata: previous.metadata });
  return rendered;
}

function release(req: EmuRequest): Stripe.SubscriptionSchedule {
  const { core, body } = req;
  const sched = requireSchedule(core, req.params.id);
  assertManaging(sched, 'release');
  if (body.preserve_cancel_date !== undefined) asBool(body.preserve_cancel_date, 'preserve_cancel_date');
  const sub = sched.subscription ? subscriptions(core).get(sched.subscription) : undefined;
  releaseSchedule(core, sched, sub ? nowFor(core, sub.customer) : core.now());
  return renderSchedule(core, sched);
}

function cancel(req: EmuRequest): Stripe.SubscriptionSchedule {
  const { core, body } = req;
  const sched = requireSchedule(core, req.params.id);
  assertManaging(sched, 'cancel');
  const invoiceNow = body.invoice_now === undefined ? true : asBool(body.invoice_now, 'invoice_now');
  if (body.prorate !== undefined) asBool(body.prorate, 'prorate');
  const sub = sched.subscription ? subscriptions(core).get(sched.subscription) : undefined;
  const now = sub ? nowFor(core, sub.customer) : core.now();
  Object.assign(sched, { status: 'canceled', canceled_at: now });
  core.markDirty();
  if (sub && !ENDED.has(sub.status)) cancelNow(core, sub, { invoiceNow, at: now });
  const rendered = renderSchedule(core, sched);
  core.emit('subscription_schedule.canceled', rendered);
  return rendered;
}

function list(req: EmuRequest) {
  const core = req.core;
  catchUp(core);
  const customer = str(req, 'customer');
  const scheduled = req.body.scheduled === undefined ? undefined : asBool(req.body.scheduled, 'scheduled');
  let items = schedules(core)
    .all()
    .filter((s) => customer === undefined || s.customer === customer)
    .filter((s) => scheduled === undefined || (s.status === 'not_started') === scheduled);
  items = filterCreated(items, req.body.created);
  const page = listResponse(items, req.body, listUrl(req));
  return { ...page, data: page.data.map((s) => renderSchedule(core, s)) };
}

export const routes: Route[] = [
  { method: 'POST', path: '/v1/subscription_schedules', handler: create },
  { method: 'GET', path: '/v1/subscription_schedules', params: ['customer', 'scheduled', 'created', 'limit', 'starting_after', 'ending_before'], handler: list },
  { method: 'GET', path: '/v1/subscription_schedules/:id', params: [], handler: retrieve },
  { method: 'POST', path: '/v1/subscription_schedules/:id', params: ['phases', 'end_behavior', 'metadata', 'proration_behavior', 'default_settings'], handler: update },
  { method: 'POST', path: '/v1/subscription_schedules/:id/release', params: ['preserve_cancel_date'], handler: release },
  { method: 'POST', path: '/v1/subscription_schedules/:id/cancel', params: ['invoice_now', 'prorate'], handler: cancel },
];

export function setup(core: EmulatorCore): void {
  // `expand[]=schedule` on a subscription (and `subscription` on a schedule, through the subscriptions' retriever).
  core.registerRetriever('subscription_schedule', (id) => {
    const sched = schedules(core).get(id);
    return sched ? renderSchedule(core, sched) : undefined;
  });
}

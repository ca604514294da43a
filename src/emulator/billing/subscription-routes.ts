import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { invalid, parameterMissing, resourceMissing } from '../http/errors.js';
import { listResponse, listUrl } from '../http/list.js';
import { asBool, asInt, asObject, asString, checkNested, mergeMetadata, newMetadata, str } from '../http/params.js';
import { isMetered, itemPeriod, priceOf } from './invoice-builder.js';
import { catchUp } from './cycle.js';
import { cancelNow, newSubscriptionRecord, startSubscription } from './lifecycle.js';
import { issueFinalInvoice } from './invoice-ledger.js';
import { customers, paymentMethods, setupIntents } from '../customers/store.js';
import { invoices, nowFor, subscriptions, type SubscriptionItemRecord, type SubscriptionRecord } from './store.js';
import { prices, type StoredPrice } from '../catalog/store.js';
import { renderItem, renderSubscription } from './render.js';
import type { EmuRequest, Route } from '../types.js';

const PAYMENT_BEHAVIORS = ['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'];
const ENDED = new Set(['canceled', 'incomplete_expired']);
const MAX_ITEMS = 20;
/** Stripe's test clock limit: three subscriptions per customer. */
const MAX_SUBSCRIPTIONS_ON_CLOCK = 3;

function asArray(value: unknown, param: string): unknown[] {
  if (Array.isArray(value)) return value;
  return Object.values(asObject(value, param));
}

/** Checks a price may go on a subscription and returns it. */
function subscribablePrice(core: EmulatorCore, id: unknown, param: string): StoredPrice {
  const price = prices(core).require(asString(id, param), 'price', param);
  if (!price.active) throw invalid(param, `The price specified is inactive. This field only accepts active prices.`);
  if (price.type !== 'recurring' || !price.recurring) throw invalid(param, `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`);
  return price;
}

function itemQuantity(price: StoredPrice, raw: unknown, param: string): number | undefined {
  if (isMetered(price)) {
    if (raw !== undefined && raw !== '') throw invalid(`${param}[quantity]`, `Quantity should not be specified where usage_type is \`metered\`. Remove quantity from \`${param}\`.`);
    return undefined;
  }
  return raw === undefined || raw === '' ? 1 : asInt(raw, `${param}[quantity]`, { min: 0 });
}

/** Parses new subscription items (`items` here, `line_items` for Checkout). */
export function parseNewItems(core: EmulatorCore, raw: unknown, name = 'items'): Array<{ price: StoredPrice; record: SubscriptionItemRecord }> {
  if (raw === undefined || raw === '') throw parameterMissing(name);
  const list = asArray(raw, name);
  if (list.length === 0) throw parameterMissing(name);
  if (list.length > MAX_ITEMS) throw invalid(name, `A subscription can have at most ${MAX_ITEMS} items.`);
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const param = `${name}[${i}]`;
    const item = checkNested(entry, param, ['price', 'quantity', 'metadata']);
    if (item.price === undefined) throw parameterMissing(`${param}[price]`);
    const price = subscribablePrice(core, item.price, `${param}[price]`);
    if (seen.has(price.id)) throw invalid(`${param}[price]`, `Cannot add multiple subscription items with the same price: ${price.id}.`);
    seen.add(price.id);
    return { price, record: { id: core.id('si_'), created: core.now(), price: price.id, quantity: itemQuantity(price, item.quantity, param), metadata: newMetadata(item.metadata, `${param}[metadata]`) } };
  });
}

function paymentSettings(raw: unknown): 'off' | 'on_subscription' | undefined {
  if (raw === undefined) return undefined;
  const ps = checkNested(raw, 'payment_settings', ['save_default_payment_method', 'payment_method_types', 'payment_method_options']);
  if (ps.save_default_payment_method === undefined) return undefined;
  return asString(ps.save_default_payment_method, 'payment_settings[save_default_payment_method]', { oneOf: ['off', 'on_subscription'] }) as 'off' | 'on_subscription';
}

type Schedule = Pick<SubscriptionRecord, 'cancel_at' | 'cancel_at_period_end' | 'canceled_at'>;

/** The current period end of each item, at the customer's now. */
function itemPeriodEnds(core: EmulatorCore, sub: SubscriptionRecord, now: number): number[] {
  return sub.items.map((item) => itemPeriod(sub, priceOf(core, item), now).end);
}

/**
 * `cancel_at_period_end` and `cancel_at` (a future time, `min_period_end` / `max_period_end`, or
 * `''` to unset) as the fields they set. A scheduled cancellation dates `canceled_at` at the request
 * (the SDK's type: "the time of the most recent update request"); unscheduling clears it.
 * Undefined when the request names neither.
 */
function readSchedule(core: EmulatorCore, sub: SubscriptionRecord, body: Record<string, unknown>): Schedule | undefined {
  const atPeriodEnd = body.cancel_at_period_end === undefined ? undefined : asBool(body.cancel_at_period_end, 'cancel_at_period_end');
  const raw = body.cancel_at;
  if (atPeriodEnd === undefined && raw === undefined) return undefined;
  if (atPeriodEnd === true && raw !== undefined && raw !== '') {
    throw invalid('cancel_at', 'You may only specify one of these parameters: cancel_at, cancel_at_period_end.', 'parameters_exclusive');
  }
  const now = nowFor(core, sub.customer);
  const unscheduled: Schedule = { cancel_at: null, cancel_at_period_end: false, canceled_at: null };
  if (atPeriodEnd === true) return { cancel_at: itemPeriodEnds(core, sub, now)[0], cancel_at_period_end: true, canceled_at: now };
  if (raw === undefined || raw === '') return unscheduled;
  let at: number;
  // ⚠ max_billed_until: licensed items are billed to their period end in advance, so it is max_period_end here.
  if (raw === 'min_period_end') at = Math.min(...itemPeriodEnds(core, sub, now));
  else if (raw === 'max_period_end' || raw === 'max_billed_until') at = Math.max(...itemPeriodEnds(core, sub, now));
  else if (typeof raw === 'string' && !/^-?\d+$/.test(raw.trim())) throw invalid('cancel_at', `Invalid cancel_at: must be a Unix timestamp or one of max_billed_until, max_period_end, or min_period_end (got '${raw}').`);
  else at = asInt(raw, 'cancel_at');
  if (at <= now) throw invalid('cancel_at', `cancel_at must be in the future (after ${now}, the customer's current time); got ${at}.`);
  return { cancel_at: at, cancel_at_period_end: false, canceled_at: now };
}

function create(req: EmuRequest): Stripe.Subscription {
  const core = req.core;
  const b = req.body;
  if (b.customer === undefined) throw parameterMissing('customer');
  const customer = customers(core).require(asString(b.customer, 'customer'), 'customer', 'customer');
  if (customer.test_clock) {
    const live = subscriptions(core).all().filter((s) => s.customer === customer.id && !ENDED.has(s.status)).length;
    if (live >= MAX_SUBSCRIPTIONS_ON_CLOCK) throw invalid('customer', `Customer ${customer.id} is on a test clock and already has ${MAX_SUBSCRIPTIONS_ON_CLOCK} subscriptions, the most a test clock allows per customer.`);
  }
  const items = parseNewItems(core, b.items);
  const currency = items[0].price.currency;
  const other = items.findIndex((i) => i.price.currency !== currency);
  if (other >= 0) throw invalid(`items[${other}][price]`, `All prices on a subscription must have the same currency (${currency}).`);
  const behavior = str(req, 'payment_behavior', { oneOf: PAYMENT_BEHAVIORS }) ?? 'allow_incomplete';
  const collection = (str(req, 'collection_method', { oneOf: ['charge_automatically', 'send_invoice'] }) ?? 'charge_automatically') as Stripe.Subscription.CollectionMethod;
  let defaultPm: string | null = null;
  if (b.default_payment_method !== undefined && b.default_payment_method !== '') {
    const pm = paymentMethods(core).require(asString(b.default_payment_method, 'default_payment_method'), 'payment_method', 'default_payment_method');
    if (pm.customer !== customer.id) throw invalid('default_payment_method', `The customer does not have a payment method with the ID ${pm.id}. The payment method must be attached to the customer.`, 'resource_missing');
    defaultPm = pm.id;
  }
  const sub = newSubscriptionRecord(core, {
    customer: customer.id,
    currency,
    items: items.map((i) => i.record),
    metadata: newMetadata(b.metadata),
    collection_method: collection,
    days_until_due: collection === 'send_invoice' ? (b.days_until_due === undefined ? 30 : asInt(b.days_until_due, 'days_until_due', { min: 0 })) : null,
    default_payment_method: defaultPm,
    description: str(req, 'description', { max: 500 }) ?? null,
    payment_behavior: behavior,
    save_default_payment_method: paymentSettings(b.payment_settings) ?? 'off',
  });
  Object.assign(sub, readSchedule(core, sub, b));
  const outcome = startSubscription(core, sub);
  subscriptions(core).insert(sub);
  const rendered = renderSubscription(core, sub);
  core.emit('customer.subscription.created', rendered);
  for (const [type, object] of outcome.events) core.emit(type, object);
  return rendered;
}

function requireSub(core: EmulatorCore, id: string): SubscriptionRecord {
  catchUp(core);
  const sub = subscriptions(core).get(id);
  if (!sub) throw resourceMissing('subscription', id);
  return sub;
}

function retrieve(req: EmuRequest): Stripe.Subscription {
  return renderSubscription(req.core, requireSub(req.core, req.params.id));
}

/** Applies `items[]` of an update: `{id, quantity?, price?, metadata?, deleted?}` or a new `{price, quantity?}`. */
function updateItems(core: EmulatorCore, sub: SubscriptionRecord, raw: unknown): SubscriptionItemRecord[] {
  const next = sub.items.map((i) => ({ ...i, metadata: { ...i.metadata } }));
  asArray(raw, 'items').forEach((entry, i) => {
    const param = `items[${i}]`;
    const item = checkNested(entry, param, ['id', 'price', 'quantity', 'metadata', 'deleted', 'clear_usage']);
    if (item.id !== undefined) {
      const id = asString(item.id, `${param}[id]`);
      const index = next.findIndex((x) => x.id === id);
      if (index < 0) throw resourceMissing('subscription_item', id, `${param}[id]`);
      if (item.deleted !== undefined && asBool(item.deleted, `${param}[deleted]`)) {
        next.splice(index, 1);
        return;
      }
      const current = next[index];
      const price = item.price === undefined ? prices(core).require(current.price, 'price') : subscribablePrice(core, item.price, `${param}[price]`);
      current.price = price.id;
      if (isMetered(price)) {
        itemQuantity(price, item.quantity, param);
        delete current.quantity;
      } else if (item.quantity !== undefined || current.quantity === undefined) {
        current.quantity = itemQuantity(price, item.quantity, param);
      }
      current.metadata = mergeMetadata(current.metadata, item.metadata, `${param}[metadata]`);
      return;
    }
    if (item.price === undefined) throw parameterMissing(`${param}[price]`);
    const price = subscribablePrice(core, item.price, `${param}[price]`);
    if (price.currency !== sub.currency) throw invalid(`${param}[price]`, `All prices on a subscription must have the same currency (${sub.currency}).`);
    next.push({ id: core.id('si_'), created: core.now(), price: price.id, quantity: itemQuantity(price, item.quantity, param), metadata: newMetadata(item.metadata, `${param}[metadata]`) });
  });
  if (next.length === 0) throw invalid('items', 'A subscription must keep at least one item; cancel it instead.');
  const ids = next.map((i) => i.price);
  const dup = ids.findIndex((p, i) => ids.indexOf(p) !== i);
  if (dup >= 0) throw invalid('items', `Cannot add multiple subscription items with the same price: ${ids[dup]}.`);
  return next;
}

/**
 * A metered item whose price changes mid-period (flexible billing mode): with `always_invoice` the
 * usage reported so far is invoiced at once on the old price, and the new price counts usage from
 * the next whole minute (usage is kept per minute; the swap's minute goes to the old price); with
 * `none` the earlier usage is not billed. ⚠ `create_prorations` (the default) would make Stripe a
 * pending invoice item; invoice items are not modelled, so the whole period bills on the new price.
 * Returns the id of the invoice issued, if any.
 */
function swapMeteredPrices(core: EmulatorCore, sub: SubscriptionRecord, next: SubscriptionItemRecord[], proration: string): string | undefined {
  if (proration === 'create_prorations') return undefined;
  const swapped = next.filter((n) => {
    const old = sub.items.find((i) => i.id === n.id);
    return old !== undefined && old.price !== n.price && isMetered(prices(core).require(old.price, 'price'));
  });
  if (swapped.length === 0) return undefined;
  const now = nowFor(core, sub.customer);
  const invoice = proration === 'always_invoice' ? issueFinalInvoice(core, sub, now, { items: swapped.map((i) => i.id), billingReason: 'subscription_update' }).id : undefined;
  for (const item of swapped) item.usage_since = Math.floor(now / 60) * 60 + 60;
  return invoice;
}

function update(req: EmuRequest): Stripe.Subscription {
  const core = req.core;
  const b = req.body;
  const sub = requireSub(core, req.params.id);
  if (ENDED.has(sub.status)) {
    throw invalid(undefined, `Subscription ${sub.id} is ${sub.status} and can no longer be updated.`);
  }
  const before = renderSubscription(core, sub);
  const patch: Partial<SubscriptionRecord> = {};
  Object.assign(patch, readSchedule(core, sub, b));
  if (b.metadata !== undefined) patch.metadata = mergeMetadata(sub.metadata, b.metadata);
  if (b.description !== undefined) patch.description = b.description === '' ? null : asString(b.description, 'description', { max: 500 });
  if (b.items !== undefined) patch.items = updateItems(core, sub, b.items);
  if (b.default_payment_method !== undefined) {
    if (b.default_payment_method === '') patch.default_payment_method = null;
    else {
      const pm = paymentMethods(core).require(asString(b.default_payment_method, 'default_payment_method'), 'payment_method', 'default_payment_method');
      if (pm.customer !== sub.customer) throw invalid('default_payment_method', `The customer does not have a payment method with the ID ${pm.id}. The payment method must be attached to the customer.`, 'resource_missing');
      patch.default_payment_method = pm.id;
    }
  }
  const ps = paymentSettings(b.payment_settings);
  if (ps) patch.save_default_payment_method = ps;
  if (b.payment_behavior !== undefined) str(req, 'payment_behavior', { oneOf: PAYMENT_BEHAVIORS });
  const proration = str(req, 'proration_behavior', { oneOf: ['always_invoice', 'create_prorations', 'none'] }) ?? 'create_prorations';
  if (patch.items) {
    const invoice = swapMeteredPrices(core, sub, patch.items, proration);
    if (invoice) patch.latest_invoice = invoice;
  }
  subscriptions(core).update(sub.id, patch);
  const after = renderSubscription(core, sub);
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(after) as Array<keyof Stripe.Subscription>) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) previous[key] = before[key];
  }
  if (Object.keys(previous).length > 0) core.emit('customer.subscription.updated', after, previous);
  return after;
}

function cancel(req: EmuRequest): Stripe.Subscription {
  const core = req.core;
  const b = req.body;
  const sub = requireSub(core, req.params.id);
  if (ENDED.has(sub.status)) throw invalid(undefined, `Subscription ${sub.id} is already ${sub.status}.`);
  const invoiceNow = b.invoice_now === undefined ? false : asBool(b.invoice_now, 'invoice_now');
  if (b.prorate !== undefined) asBool(b.prorate, 'prorate');
  let details: Stripe.Subscription.CancellationDetails | undefined;
  if (b.cancellation_details !== undefined) {
    const d = checkNested(b.cancellation_details, 'cancellation_details', ['comment', 'feedback']);
    details = { comment: d.comment === undefined ? null : asString(d.comment, 'cancellation_details[comment]'), feedback: (d.feedback === undefined ? null : asString(d.feedback, 'cancellation_details[feedback]')) as Stripe.Subscription.CancellationDetails.Feedback, feedback_option: null, reason: 'cancellation_requested' };
  }
  cancelNow(core, sub, { invoiceNow, details });
  return renderSubscription(core, sub);
}

function list(req: EmuRequest) {
  const core = req.core;
  catchUp(core);
  const customer = str(req, 'customer');
  const price = str(req, 'price');
  const status = str(req, 'status', { oneOf: ['active', 'all', 'canceled', 'ended', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'] });
  const clock = str(req, 'test_clock');
  const items = subscriptions(core)
    .all()
    .filter((s) => customer === undefined || s.customer === customer)
    // Without test_clock or customer, Stripe leaves out the subscriptions on a test clock.
    .filter((s) => (clock === undefined ? customer !== undefined || !s.test_clock : s.test_clock === clock))
    .filter((s) => price === undefined || s.items.some((i) => i.price === price))
    .filter((s) => {
      if (status === 'all') return true;
      if (status === 'ended') return ENDED.has(s.status);
      // Without a status filter Stripe lists every subscription that has not been canceled.
      if (status === undefined) return s.status !== 'canceled';
      return s.status === status;
    });
  const page = listResponse(items, req.body, listUrl(req));
  return { ...page, data: page.data.map((s) => renderSubscription(core, s)) };
}

function listItems(req: EmuRequest) {
  const subId = req.body.subscription;
  if (subId === undefined) throw parameterMissing('subscription');
  const sub = subscriptions(req.core).require(asString(subId, 'subscription'), 'subscription', 'subscription');
  const page = listResponse(sub.items, req.body, listUrl(req));
  return { ...page, data: page.data.map((i) => renderItem(req.core, sub, i)) };
}

function retrieveItem(req: EmuRequest): Stripe.SubscriptionItem {
  const sub = subscriptions(req.core).all().find((s) => s.items.some((i) => i.id === req.params.id));
  if (!sub) throw resourceMissing('subscription_item', req.params.id);
  return renderItem(req.core, sub, sub.items.find((i) => i.id === req.params.id) as SubscriptionItemRecord);
}

const CREATE_PARAMS = ['customer', 'items', 'payment_behavior', 'payment_settings', 'metadata', 'default_payment_method', 'description', 'collection_method', 'days_until_due', 'cancel_at_period_end', 'cancel_at', 'proration_behavior', 'off_session', 'billing_mode'];
const UPDATE_PARAMS = ['items', 'metadata', 'cancel_at_period_end', 'cancel_at', 'default_payment_method', 'description', 'payment_behavior', 'payment_settings', 'proration_behavior', 'off_session'];

export const routes: Route[] = [
  { method: 'POST', path: '/v1/subscriptions', params: CREATE_PARAMS, handler: create },
  { method: 'GET', path: '/v1/subscriptions', params: ['customer', 'price', 'status', 'test_clock', 'limit', 'starting_after', 'ending_before', 'created'], handler: list },
  { method: 'GET', path: '/v1/subscriptions/:id', params: [], handler: retrieve },
  { method: 'POST', path: '/v1/subscriptions/:id', params: UPDATE_PARAMS, handler: update },
  { method: 'DELETE', path: '/v1/subscriptions/:id', params: ['invoice_now', 'prorate', 'cancellation_details'], handler: cancel },
  { method: 'GET', path: '/v1/subscription_items', params: ['subscription', 'limit', 'starting_after', 'ending_before'], handler: listItems },
  { method: 'GET', path: '/v1/subscription_items/:id', params: [], handler: retrieveItem },
];

export function setup(core: EmulatorCore): void {
  core.registerRetriever('invoice', (id) => invoices(core).get(id)?.invoice);
  core.registerRetriever('setup_intent', (id) => setupIntents(core).get(id));
  core.registerRetriever('payment_method', (id) => paymentMethods(core).get(id));
  core.registerRetriever('subscription', (id) => {
    const sub = subscriptions(core).get(id);
    return sub ? renderSubscription(core, sub) : undefined;
  });
}

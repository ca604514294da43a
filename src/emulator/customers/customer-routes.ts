import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError, invalid, resourceMissing } from '../http/errors.js';
import { listResponse, listUrl, searchResponse } from '../http/list.js';
import { asInt, asObject, asString, checkNested, mergeMetadata, newMetadata, str } from '../http/params.js';
import { deleteCustomer, tombstones } from '../billing/lifecycle.js';
import { attachPaymentMethod, resolvePaymentMethod } from './payment-methods.js';
import { customers, paymentMethods, type CustomerRecord } from './store.js';
import { subscriptions } from '../billing/store.js';
import { matchesQuery, parseSearchQuery, SearchQueryError } from '../http/search-query.js';
import type { EmuRequest, Route } from '../types.js';
import { renderSubscription } from '../billing/render.js';
import { clockForNewCustomer } from '../billing/test-clock-routes.js';

const WRITE_PARAMS = ['address', 'balance', 'description', 'email', 'invoice_settings', 'metadata', 'name', 'payment_method', 'phone', 'preferred_locales', 'shipping', 'tax_exempt'] as const;
const SEARCH_FIELDS = { text: ['email', 'name', 'phone', 'description'], numeric: ['created'], metadata: true };

function nullableString(req: EmuRequest, name: string, max?: number): string | null | undefined {
  const v = req.body[name];
  if (v === undefined) return undefined;
  if (v === '') return null;
  return asString(v, name, { max });
}

/** Applies the writable fields of create/update to `customer` (in place). */
function applyFields(req: EmuRequest, customer: CustomerRecord): void {
  const b = req.body;
  for (const [field, max] of [['email', 512], ['name', 256], ['description', 350], ['phone', 20]] as const) {
    const v = nullableString(req, field, max);
    if (v !== undefined) (customer as unknown as Record<string, unknown>)[field] = v;
  }
  if (b.balance !== undefined) customer.balance = asInt(b.balance, 'balance');
  if (b.tax_exempt !== undefined) customer.tax_exempt = asString(b.tax_exempt, 'tax_exempt', { oneOf: ['none', 'exempt', 'reverse'] }) as Stripe.Customer.TaxExempt;
  if (b.address !== undefined) customer.address = b.address === '' ? null : (checkNested(b.address, 'address', ['city', 'country', 'line1', 'line2', 'postal_code', 'state']) as unknown as Stripe.Address);
  if (b.shipping !== undefined) customer.shipping = b.shipping === '' ? null : (asObject(b.shipping, 'shipping') as unknown as Stripe.Customer.Shipping);
  if (b.preferred_locales !== undefined) customer.preferred_locales = b.preferred_locales === '' ? [] : Object.values(asObject(b.preferred_locales, 'preferred_locales')).map(String);
  customer.metadata = mergeMetadata(customer.metadata, b.metadata);

  let attached: string | undefined;
  if (b.payment_method !== undefined) {
    const pm = resolvePaymentMethod(req.core, asString(b.payment_method, 'payment_method'), 'payment_method');
    attachPaymentMethod(req.core, pm, customer.id);
    attached = pm.id;
  }
  if (b.invoice_settings !== undefined) {
    const settings = checkNested(b.invoice_settings, 'invoice_settings', ['custom_fields', 'default_payment_method', 'footer', 'rendering_options']);
    const pmParam = settings.default_payment_method;
    if (pmParam === '') customer.invoice_settings.default_payment_method = null;
    else if (pmParam !== undefined) {
      const wanted = asString(pmParam, 'invoice_settings[default_payment_method]');
      // A test token given both as payment_method and as the default means the card just attached.
      const id = attached && wanted === b.payment_method ? attached : wanted;
      const pm = paymentMethods(req.core).require(id, 'payment_method', 'invoice_settings[default_payment_method]');
      if (pm.customer !== customer.id) {
        throw invalid('invoice_settings[default_payment_method]', `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`, 'resource_missing');
      }
      customer.invoice_settings.default_payment_method = id;
    }
    if (settings.footer !== undefined) customer.invoice_settings.footer = settings.footer === '' ? null : asString(settings.footer, 'invoice_settings[footer]');
  }
}

function requireCustomer(core: EmulatorCore, id: string): CustomerRecord {
  const found = customers(core).get(id);
  if (!found) throw resourceMissing('customer', id);
  return found;
}

function create(req: EmuRequest): CustomerRecord {
  const core = req.core;
  const customer = {
    id: core.id('cus_'),
    object: 'customer',
    address: null,
    balance: 0,
    created: core.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: null,
    invoice_prefix: core.id('').slice(0, 8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: newMetadata(undefined),
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  } as unknown as CustomerRecord;
  if (req.body.test_clock !== undefined) {
    // A clock's customer is created at the clock's time, and can never leave it.
    const clock = clockForNewCustomer(core, asString(req.body.test_clock, 'test_clock'));
    Object.assign(customer, { test_clock: clock.id, created: clock.frozen_time });
  }
  // Validate and fill before storing so a bad parameter leaves nothing behind.
  customers(core).insert(customer);
  try {
    applyFields(req, customer);
  } catch (err) {
    customers(core).delete(customer.id);
    throw err;
  }
  core.emit('customer.created', customer);
  return customer;
}

function retrieve(req: EmuRequest): CustomerRecord | Stripe.DeletedCustomer {
  if (tombstones(req.core)[req.params.id]) return { id: req.params.id, object: 'customer', deleted: true };
  return requireCustomer(req.core, req.params.id);
}

function update(req: EmuRequest): CustomerRecord {
  const customer = requireCustomer(req.core, req.params.id);
  const before = structuredClone(customer);
  const draft = structuredClone(customer);
  applyFields(req, draft);
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(draft) as Array<keyof CustomerRecord>) {
    if (JSON.stringify(draft[key]) !== JSON.stringify(before[key])) previous[key] = before[key] ?? null;
  }
  customers(req.core).update(customer.id, draft);
  if (Object.keys(previous).length > 0) req.core.emit('customer.updated', customer, previous);
  return customer;
}

function remove(req: EmuRequest): Stripe.DeletedCustomer {
  const customer = requireCustomer(req.core, req.params.id);
  deleteCustomer(req.core, customer);
  return { id: customer.id, object: 'customer', deleted: true };
}

function createdFilter(value: unknown): (created: number) => boolean {
  if (value === undefined) return () => true;
  if (typeof value === 'string') {
    const exact = asInt(value, 'created');
    return (c) => c === exact;
  }
  const range = checkNested(value, 'created', ['gt', 'gte', 'lt', 'lte']);
  const bound = (k: string): number | undefined => (range[k] === undefined ? undefined : asInt(range[k], `created[${k}]`));
  const [gt, gte, lt, lte] = ['gt', 'gte', 'lt', 'lte'].map(bound);
  return (c) => (gt === undefined || c > gt) && (gte === undefined || c >= gte) && (lt === undefined || c < lt) && (lte === undefined || c <= lte);
}

function list(req: EmuRequest) {
  const email = str(req, 'email', { max: 512 });
  const inRange = createdFilter(req.body.created);
  // Without test_clock, Stripe leaves out the customers that are on one.
  const clock = str(req, 'test_clock') ?? null;
  // Stripe's list filter on email is exact and case-sensitive (unlike search).
  const items = customers(req.core)
    .all()
    .filter((c) => (email === undefined || c.email === email) && inRange(c.created) && (c.test_clock ?? null) === clock);
  return listResponse(items, req.body, listUrl(req));
}

function search(req: EmuRequest) {
  const raw = req.body.query;
  if (raw === undefined) throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'parameter_missing', param: 'query', message: 'Missing required param: query.' });
  let query;
  try {
    query = parseSearchQuery(asString(raw, 'query'), SEARCH_FIELDS);
  } catch (err) {
    if (err instanceof SearchQueryError) throw invalid('query', err.message);
    throw err;
  }
  const found = customers(req.core)
    .all()
    .filter((c) => matchesQuery(query, (field, key) => (field === 'metadata' ? c.metadata[key ?? ''] : (c as unknown as Record<string, string | number | null>)[field])))
    .reverse();
  return searchResponse(found, req.body, listUrl(req));
}

export const routes: Route[] = [
  { method: 'POST', path: '/v1/customers', params: [...WRITE_PARAMS, 'test_clock'], handler: create },
  { method: 'GET', path: '/v1/customers', params: ['email', 'created', 'limit', 'starting_after', 'ending_before', 'test_clock'], handler: list },
  { method: 'GET', path: '/v1/customers/search', params: ['query', 'limit', 'page'], handler: search },
  { method: 'GET', path: '/v1/customers/:id', params: [], handler: retrieve },
  { method: 'POST', path: '/v1/customers/:id', params: WRITE_PARAMS, handler: update },
  { method: 'DELETE', path: '/v1/customers/:id', params: [], handler: remove },
];

export function setup(core: EmulatorCore): void {
  core.registerRetriever('customer', (id) => customers(core).get(id) ?? (tombstones(core)[id] ? { id, object: 'customer', deleted: true } : undefined));
  // Fields Stripe sends only on request. Sources, tax ids and cash balances are not modelled: a
  // customer has none of them.
  const list = (parent: Record<string, any>, what: string, data: unknown[]) => ({ object: 'list', data: data.slice(0, 10), has_more: data.length > 10, url: `/v1/customers/${parent.id}/${what}` });
  core.registerExpander('customer', 'subscriptions', (_value, parent) => {
    // As Stripe's: the customer's subscriptions that are not canceled, newest first.
    const subs = subscriptions(core).all().filter((s) => s.customer === parent.id && s.status !== 'canceled' && s.status !== 'incomplete_expired');
    return list(parent, 'subscriptions', subs.reverse().map((s) => renderSubscription(core, s)));
  });
  core.registerExpander('customer', 'sources', (_value, parent) => list(parent, 'sources', []));
  core.registerExpander('customer', 'tax_ids', (_value, parent) => list(parent, 'tax_ids', []));
  core.registerExpander('customer', 'invoice_credit_balance', () => ({}));
  core.registerExpander('customer', 'cash_balance', (_value, parent) => ({ object: 'cash_balance', available: null, customer: parent.id, customer_account: null, livemode: false, settings: { reconciliation_mode: 'automatic', using_merchant_default: true } }));
  core.registerExpander('customer', 'tax', () => ({ automatic_tax: 'unrecognized_location', ip_address: null, location: null, provider: 'stripe' }));
}

// Billing credits (/v1/billing/credit_grants, credit_balance_summary, credit_balance_transactions).
// Grants live on their customer's time (its test clock); how they are spent is in billing/credits.ts.
import type Stripe from 'stripe';
import { previousAttributes, snapshot } from '../changes.js';
import type { EmulatorCore } from '../core.js';
import { invalid, parameterMissing } from '../http/errors.js';
import { listResponse } from '../http/list.js';
import { asInt, asObject, asString, checkNested, mergeMetadata, newMetadata, required, str } from '../http/params.js';
import { appliesTo, balancesOf, creditGrants, creditTransactions, grantCustomer, recordGranted, recordWriteOff, type CreditGrantRecord } from './credits.js';
import { isMetered } from './invoice-builder.js';
import { customers } from '../customers/store.js';
import { nowFor } from './store.js';
import { prices } from '../catalog/store.js';
import type { EmuRequest, Route } from '../types.js';

type CreditGrant = Stripe.Billing.CreditGrant;

/** Stripe: "metered prices that have a Billing Meter attached", at most 20. */
const MAX_SCOPED_PRICES = 20;

function parseScope(body: Record<string, unknown>, currency: string, core: EmulatorCore): Stripe.Billing.CreditGrant.ApplicabilityConfig.Scope {
  const config = checkNested(required(body.applicability_config, 'applicability_config'), 'applicability_config', ['scope']);
  const scope = checkNested(required(config.scope, 'applicability_config[scope]'), 'applicability_config[scope]', ['price_type', 'prices']);
  if ((scope.price_type === undefined) === (scope.prices === undefined)) {
    throw invalid('applicability_config[scope]', 'Set exactly one of applicability_config[scope][price_type] (metered) or applicability_config[scope][prices].');
  }
  if (scope.price_type !== undefined) {
    asString(scope.price_type, 'applicability_config[scope][price_type]', { oneOf: ['metered'] });
    return { price_type: 'metered' };
  }
  const list = Array.isArray(scope.prices) ? scope.prices : Object.values(asObject(scope.prices, 'applicability_config[scope][prices]'));
  if (list.length === 0 || list.length > MAX_SCOPED_PRICES) throw invalid('applicability_config[scope][prices]', `Give between 1 and ${MAX_SCOPED_PRICES} prices.`);
  return {
    prices: list.map((entry, i) => {
      const param = `applicability_config[scope][prices][${i}][id]`;
      const id = asString(required(checkNested(entry, `applicability_config[scope][prices][${i}]`, ['id']).id, param), param);
      const price = prices(core).require(id, 'price', param);
      if (!isMetered(price) || !price.recurring?.meter) throw invalid(param, `Price ${id} is not a metered price with a billing meter; credit grants apply only to those.`);
      // ⚠ Credits are per currency (balances are): a price in another currency is refused.
      if (price.currency !== currency) throw invalid(param, `Price ${id} is in ${price.currency}, but the credit grant is in ${currency}.`);
      return { id };
    }),
  };
}

function create(req: EmuRequest): CreditGrant {
  const { core, body } = req;
  if (body.customer_account !== undefined) throw invalid('customer_account', 'The emulator supports credit grants for customers only; pass customer.');
  const customerId = asString(required(body.customer, 'customer'), 'customer');
  const customer = customers(core).require(customerId, 'customer', 'customer');
  const amount = checkNested(required(body.amount, 'amount'), 'amount', ['type', 'monetary']);
  asString(required(amount.type, 'amount[type]'), 'amount[type]', { oneOf: ['monetary'] });
  const monetary = checkNested(required(amount.monetary, 'amount[monetary]'), 'amount[monetary]', ['currency', 'value']);
  const currency = asString(required(monetary.currency, 'amount[monetary][currency]'), 'amount[monetary][currency]').toLowerCase();
  const value = asInt(required(monetary.value, 'amount[monetary][value]'), 'amount[monetary][value]', { min: 1 });
  const scope = parseScope(body, currency, core);
  const now = nowFor(core, customerId);
  const effectiveAt = body.effective_at === undefined ? now : asInt(body.effective_at, 'effective_at', { min: 0 });
  const expiresAt = body.expires_at === undefined ? null : asInt(body.expires_at, 'expires_at', { min: 0 });
  if (expiresAt !== null && expiresAt <= effectiveAt) throw invalid('expires_at', 'expires_at must be after effective_at (which defaults to now).');
  const grant = {
    id: core.id('credgr_'),
    object: 'billing.credit_grant',
    amount: { type: 'monetary', monetary: { currency, value } },
    applicability_config: { scope },
    category: str(req, 'category', { oneOf: ['paid', 'promotional'] }) ?? 'paid',
    created: now,
    customer: customerId,
    customer_account: null,
    effective_at: effectiveAt,
    expires_at: expiresAt,
    livemode: false,
    metadata: newMetadata(body.metadata),
    name: str(req, 'name', { max: 100 }) ?? null,
    priority: body.priority === undefined ? 50 : asInt(body.priority, 'priority', { min: 0, max: 100 }),
    test_clock: typeof customer.test_clock === 'string' ? customer.test_clock : null,
    updated: now,
    voided_at: null,
  } as CreditGrant;
  const rec = creditGrants(core).insert({ id: grant.id, grant, remaining: value });
  core.emit('billing.credit_grant.created', grant);
  recordGranted(core, rec);
  return grant;
}

function requireGrant(req: EmuRequest): CreditGrantRecord {
  return creditGrants(req.core).require(req.params.id, 'billing.credit_grant');
}

function change(core: EmulatorCore, rec: CreditGrantRecord, patch: Partial<CreditGrant>): CreditGrant {
  const before = snapshot(rec.grant);
  Object.assign(rec.grant, patch, { updated: nowFor(core, grantCustomer(rec.grant)) });
  core.markDirty();
  core.emit('billing.credit_grant.updated', rec.grant, previousAttributes(before, rec.grant));
  return rec.grant;
}

function update(req: EmuRequest): CreditGrant {
  const rec = requireGrant(req);
  const patch: Partial<CreditGrant> = {};
  if (req.body.expires_at !== undefined) {
    if (req.body.expires_at === '') patch.expires_at = null;
    else {
      const at = asInt(req.body.expires_at, 'expires_at', { min: 0 });
      if (at <= nowFor(req.core, grantCustomer(rec.grant))) throw invalid('expires_at', 'expires_at must be in the future; to end the grant now, expire it.');
      patch.expires_at = at;
    }
  }
  if (req.body.metadata !== undefined) patch.metadata = mergeMetadata(rec.grant.metadata, req.body.metadata);
  return Object.keys(patch).length === 0 ? rec.grant : change(req.core, rec, patch);
}

/** Expire or void: refused on a grant already ended; what is left is written off. */
function end(req: EmuRequest, how: 'expire' | 'void'): CreditGrant {
  const { core } = req;
  const rec = requireGrant(req);
  const now = nowFor(core, grantCustomer(rec.grant));
  if (rec.grant.voided_at !== null) throw invalid(undefined, `Credit grant ${rec.id} is already voided.`);
  if (rec.grant.expires_at !== null && rec.grant.expires_at <= now) throw invalid(undefined, `Credit grant ${rec.id} has already expired.`);
  const grant = change(core, rec, how === 'void' ? { voided_at: now } : { expires_at: now });
  recordWriteOff(core, rec, now, how === 'void' ? 'credits_voided' : 'credits_expired');
  return grant;
}

function list(req: EmuRequest) {
  const customer = str(req, 'customer');
  const all = creditGrants(req.core).all().map((r) => r.grant);
  return listResponse(customer ? all.filter((g) => grantCustomer(g) === customer) : all, req.body, req.path);
}

function balanceSummary(req: EmuRequest): Stripe.Billing.CreditBalanceSummary {
  const { core, body } = req;
  const customer = asString(required(body.customer, 'customer'), 'customer');
  customers(core).require(customer, 'customer', 'customer');
  const filter = checkNested(required(body.filter, 'filter'), 'filter', ['type', 'applicability_scope', 'credit_grant']);
  const type = asString(required(filter.type, 'filter[type]'), 'filter[type]', { oneOf: ['applicability_scope', 'credit_grant'] });
  let include: (grant: CreditGrant) => boolean;
  if (type === 'credit_grant') {
    const id = asString(required(filter.credit_grant, 'filter[credit_grant]'), 'filter[credit_grant]');
    include = (grant) => grant.id === id;
  } else {
    const scope = checkNested(required(filter.applicability_scope, 'filter[applicability_scope]'), 'filter[applicability_scope]', ['price_type', 'prices']);
    if (scope.prices === undefined) {
      if (scope.price_type === undefined) throw parameterMissing('filter[applicability_scope][price_type]');
      // ⚠ Every grant applies to metered prices, so the metered scope counts them all.
      include = () => true;
    } else {
      const ids = (Array.isArray(scope.prices) ? scope.prices : Object.values(asObject(scope.prices, 'filter[applicability_scope][prices]'))).map((p, i) => asString(checkNested(p, `filter[applicability_scope][prices][${i}]`, ['id']).id, `filter[applicability_scope][prices][${i}][id]`));
      const scoped = ids.map((id) => prices(core).require(id, 'price', 'filter[applicability_scope][prices]'));
      include = (grant) => scoped.some((price) => appliesTo(grant, price));
    }
  }
  return { object: 'billing.credit_balance_summary', balances: balancesOf(core, customer, nowFor(core, customer), include), customer, customer_account: null, livemode: false };
}

function listTransactions(req: EmuRequest) {
  const { core } = req;
  const customer = str(req, 'customer');
  const grantId = str(req, 'credit_grant');
  if (!customer && !grantId) throw parameterMissing('customer');
  const ofCustomer = (id: string) => {
    const rec = creditGrants(core).get(id);
    return rec !== undefined && (!customer || grantCustomer(rec.grant) === customer);
  };
  const all = creditTransactions(core).all().filter((t) => (grantId ? t.credit_grant === grantId : true) && ofCustomer(t.credit_grant as string));
  return listResponse(all, req.body, req.path);
}

const PAGE = ['limit', 'starting_after', 'ending_before'];

export const routes: Route[] = [
  { method: 'POST', path: '/v1/billing/credit_grants', params: ['amount', 'applicability_config', 'category', 'customer', 'customer_account', 'effective_at', 'expires_at', 'metadata', 'name', 'priority'], handler: create },
  { method: 'GET', path: '/v1/billing/credit_grants', params: [...PAGE, 'customer', 'customer_account'], handler: list },
  { method: 'GET', path: '/v1/billing/credit_grants/:id', params: [], handler: (req) => requireGrant(req).grant },
  { method: 'POST', path: '/v1/billing/credit_grants/:id', params: ['expires_at', 'metadata'], handler: update },
  { method: 'POST', path: '/v1/billing/credit_grants/:id/expire', params: [], handler: (req) => end(req, 'expire') },
  { method: 'POST', path: '/v1/billing/credit_grants/:id/void', params: [], handler: (req) => end(req, 'void') },
  { method: 'GET', path: '/v1/billing/credit_balance_summary', params: ['customer', 'customer_account', 'filter'], handler: balanceSummary },
  { method: 'GET', path: '/v1/billing/credit_balance_transactions', params: [...PAGE, 'customer', 'customer_account', 'credit_grant'], handler: listTransactions },
  { method: 'GET', path: '/v1/billing/credit_balance_transactions/:id', params: [], handler: (req) => creditTransactions(req.core).require(req.params.id, 'billing.credit_balance_transaction') },
];

export function setup(core: EmulatorCore): void {
  core.registerRetriever('billing.credit_grant', (id) => creditGrants(core).get(id)?.grant);
}

import type Stripe from 'stripe';
import { previousAttributes, snapshot } from '../changes.js';
import { prices, products, type StoredPrice } from './store.js';
import { buildPrice, checkLookupKeyFree, PRICE_CREATE_PARAMS, TAX_BEHAVIORS, takeLookupKey } from './price-create.js';
import { PRICE_SEARCH_FIELDS, searchCatalog } from './search.js';
import type { EmulatorCore } from '../core.js';
import { invalid, parameterMissing, StripeHttpError } from '../http/errors.js';
import { filterCreated, listResponse } from '../http/list.js';
import { asBool, asString, asStringArray, checkNested, mergeMetadata } from '../http/params.js';
import type { EmuRequest, Route } from '../types.js';
import { createProduct } from './product-routes.js';

const UPDATE_PARAMS = ['active', 'metadata', 'nickname', 'lookup_key', 'transfer_lookup_key', 'tax_behavior'];

function create(req: EmuRequest): StoredPrice {
  const { core, body } = req;
  if (body.product !== undefined && body.product_data !== undefined) {
    throw invalid('product_data', 'Pass either product or product_data, not both.', 'parameters_exclusive');
  }
  let productId: string;
  if (body.product !== undefined) {
    productId = asString(body.product, 'product');
    products(core).require(productId, 'product', 'product');
  } else if (body.product_data !== undefined) {
    checkNested(body.product_data, 'product_data', ['name', 'id', 'active', 'metadata', 'statement_descriptor', 'tax_code', 'unit_label']);
    productId = '';
  } else throw parameterMissing('product');
  // Every check runs before the first write: a refused price leaves no inline product behind.
  const price = buildPrice(core, body, productId);
  if (body.product_data !== undefined) {
    const data = body.product_data as Record<string, any>;
    if (data.id !== undefined && products(core).has(String(data.id))) {
      throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'resource_already_exists', param: 'product_data[id]', message: `Product already exists: a product with id '${data.id}' exists already.` });
    }
    price.product = createProduct(core, data, 'product_data').id;
  }
  const key = price.lookup_key;
  price.lookup_key = null;
  if (key) takeLookupKey(core, key, price);
  prices(core).insert(price);
  core.emit('price.created', price);
  return price;
}

function update(req: EmuRequest): StoredPrice {
  const { core, body } = req;
  const price = prices(core).require(req.params.id, 'price');
  for (const key of Object.keys(body)) {
    if (key !== 'expand' && !UPDATE_PARAMS.includes(key)) {
      throw new StripeHttpError(400, {
        type: 'invalid_request_error',
        code: 'parameter_unknown',
        param: key,
        message: `Received unknown parameter: ${key}. A price's ${key} cannot change after creation: create a new price and archive this one (active=false). Updatable: ${UPDATE_PARAMS.join(', ')}.`,
      });
    }
  }
  const patch: Partial<StoredPrice> = {};
  if (body.active !== undefined) patch.active = asBool(body.active, 'active');
  if (body.metadata !== undefined) patch.metadata = mergeMetadata(price.metadata, body.metadata);
  if (body.nickname !== undefined) patch.nickname = body.nickname === '' ? null : asString(body.nickname, 'nickname', { max: 250 });
  if (body.tax_behavior !== undefined) {
    const tb = asString(body.tax_behavior, 'tax_behavior', { oneOf: TAX_BEHAVIORS });
    if (price.tax_behavior && price.tax_behavior !== 'unspecified' && tb !== price.tax_behavior) {
      throw invalid('tax_behavior', `tax_behavior cannot change once it is ${price.tax_behavior}; create a new price instead.`);
    }
    patch.tax_behavior = tb as StoredPrice['tax_behavior'];
  }
  const transfer = body.transfer_lookup_key === undefined ? false : asBool(body.transfer_lookup_key, 'transfer_lookup_key');
  let newKey: string | null | undefined;
  if (body.lookup_key !== undefined) {
    newKey = body.lookup_key === '' ? null : asString(body.lookup_key, 'lookup_key', { max: 200 });
    if (newKey) checkLookupKeyFree(core, newKey, transfer, price.id, 'lookup_key');
  }
  const before = snapshot(price);
  if (newKey) takeLookupKey(core, newKey, price);
  else if (newKey === null) patch.lookup_key = null;
  prices(core).update(price.id, patch);
  const previous = previousAttributes(before, price);
  if (Object.keys(previous).length > 0) core.emit('price.updated', price, previous);
  return price;
}

function list(req: EmuRequest): Stripe.ApiList<StoredPrice> {
  const { body } = req;
  let items = prices(req.core).all();
  // Stripe lists active prices unless active=false is asked for (see SPEC.md).
  const active = body.active === undefined ? true : asBool(body.active, 'active');
  items = items.filter((p) => p.active === active);
  if (body.lookup_keys !== undefined) {
    const keys = asStringArray(body.lookup_keys, 'lookup_keys');
    if (keys.length > 10) throw invalid('lookup_keys', 'You can pass at most 10 lookup_keys.');
    const set = new Set(keys);
    items = items.filter((p) => p.lookup_key !== null && set.has(p.lookup_key));
  }
  if (body.product !== undefined) {
    const product = asString(body.product, 'product');
    items = items.filter((p) => p.product === product);
  }
  if (body.type !== undefined) {
    const type = asString(body.type, 'type', { oneOf: ['one_time', 'recurring'] });
    items = items.filter((p) => p.type === type);
  }
  if (body.currency !== undefined) {
    const currency = asString(body.currency, 'currency').toLowerCase();
    items = items.filter((p) => p.currency === currency);
  }
  if (body.recurring !== undefined) {
    const r = checkNested(body.recurring, 'recurring', ['interval', 'meter', 'usage_type']);
    items = items.filter((p) =>
      p.recurring !== null &&
      (r.interval === undefined || p.recurring.interval === r.interval) &&
      (r.meter === undefined || p.recurring.meter === r.meter) &&
      (r.usage_type === undefined || p.recurring.usage_type === r.usage_type));
  }
  items = filterCreated(items, body.created);
  return listResponse(items, body, req.path) as unknown as Stripe.ApiList<StoredPrice>;
}

export function setup(core: EmulatorCore): void {
  core.registerRetriever('price', (id) => prices(core).get(id));
  // Tiered prices are stored with their `tiers`, which are sent only when expanded (omitIncludable).
  core.registerExpander('price', 'tiers', (value) => value);
  // Prices have one currency here (no `currency_options` on create): the map holds just that one.
  core.registerExpander('price', 'currency_options', (_value, price) => ({
    [price.currency]: {
      custom_unit_amount: price.custom_unit_amount ?? null,
      tax_behavior: price.tax_behavior ?? null,
      ...(price.tiers ? { tiers: price.tiers } : {}),
      unit_amount: price.unit_amount ?? null,
      unit_amount_decimal: price.unit_amount_decimal ?? null,
    },
  }));
}

const PAGE = ['limit', 'starting_after', 'ending_before'];

export const routes: Route[] = [
  { method: 'POST', path: '/v1/prices', params: PRICE_CREATE_PARAMS, handler: create },
  { method: 'GET', path: '/v1/prices', params: [...PAGE, 'active', 'lookup_keys', 'product', 'type', 'currency', 'recurring', 'created'], handler: list },
  { method: 'GET', path: '/v1/prices/search', params: ['query', 'limit', 'page'], handler: (req) => searchCatalog(req, prices(req.core).all(), PRICE_SEARCH_FIELDS) },
  { method: 'GET', path: '/v1/prices/:id', params: [], handler: (req) => prices(req.core).require(req.params.id, 'price') },
  { method: 'POST', path: '/v1/prices/:id', handler: update },
];

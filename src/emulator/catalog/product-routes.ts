import type Stripe from 'stripe';
import { previousAttributes, snapshot } from '../changes.js';
import { prices, productHasPrices, products, type StoredProduct } from './store.js';
import { buildPrice, DEFAULT_PRICE_DATA_PARAMS } from './price-create.js';
import { PRODUCT_SEARCH_FIELDS, searchCatalog } from './search.js';
import type { EmulatorCore } from '../core.js';
import { invalid, StripeHttpError } from '../http/errors.js';
import { filterCreated, listResponse } from '../http/list.js';
import { asBool, asString, asStringArray, checkParams, mergeMetadata, newMetadata, required } from '../http/params.js';
import type { EmuRequest, Route } from '../types.js';

const COMMON = ['name', 'active', 'description', 'metadata', 'unit_label', 'url', 'tax_code', 'images', 'marketing_features', 'statement_descriptor', 'shippable'] as const;

/** Optional text fields: '' unsets them (Stripe's Emptyable). */
function optionalText(value: unknown, param: string, max: number): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === '' || value === null) return null;
  return asString(value, param, { max });
}

function readImages(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const images = asStringArray(value, 'images');
  if (images.length > 8) throw invalid('images', 'A product can have at most 8 images.');
  return images;
}

function readFeatures(value: unknown): Stripe.Product.MarketingFeature[] | undefined {
  if (value === undefined) return undefined;
  if (value === '') return [];
  const list = Array.isArray(value) ? value : Object.values(value as object);
  if (list.length > 15) throw invalid('marketing_features', 'A product can have at most 15 marketing features.');
  return list.map((f, i) => {
    const obj = f as Record<string, unknown>;
    checkParams(obj, ['name'], `marketing_features[${i}]`);
    return { name: asString(required(obj.name, `marketing_features[${i}][name]`), `marketing_features[${i}][name]`, { max: 80 }) };
  });
}

/** Fields shared by create and update; `undefined` means "not given". */
function readCommon(body: Record<string, any>) {
  return {
    active: body.active === undefined ? undefined : asBool(body.active, 'active'),
    description: optionalText(body.description, 'description', 40_000),
    unit_label: optionalText(body.unit_label, 'unit_label', 12),
    url: optionalText(body.url, 'url', 5000),
    tax_code: optionalText(body.tax_code, 'tax_code', 100),
    statement_descriptor: optionalText(body.statement_descriptor, 'statement_descriptor', 22),
    shippable: body.shippable === undefined ? undefined : asBool(body.shippable, 'shippable'),
    images: readImages(body.images),
    marketing_features: readFeatures(body.marketing_features),
  };
}

/** Builds and stores a product (also used for `prices.create({product_data})`). */
export function createProduct(core: EmulatorCore, body: Record<string, any>, prefix?: string): StoredProduct {
  const param = (n: string) => (prefix ? `${prefix}[${n}]` : n);
  const name = asString(required(body.name, param('name')), param('name'), { max: 250 });
  let id: string;
  if (body.id !== undefined) {
    id = asString(body.id, param('id'), { max: 250 });
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw invalid(param('id'), `Invalid product id '${id}': use letters, digits, '_' and '-'.`);
    if (products(core).has(id)) {
      throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'resource_already_exists', param: param('id'), message: `Product already exists: a product with id '${id}' exists already.` });
    }
  } else id = core.id('prod_');
  const common = readCommon(body);
  const now = core.now();
  const product: StoredProduct = {
    id,
    object: 'product',
    active: common.active ?? true,
    created: now,
    default_price: null,
    description: common.description ?? null,
    images: common.images ?? [],
    livemode: false,
    marketing_features: common.marketing_features ?? [],
    metadata: newMetadata(body.metadata, param('metadata')),
    name,
    package_dimensions: null,
    shippable: common.shippable ?? null,
    statement_descriptor: common.statement_descriptor ?? null,
    tax_code: common.tax_code ?? null,
    tax_details: null,
    type: body.type === undefined ? 'service' : (asString(body.type, param('type'), { oneOf: ['service', 'good'] }) as 'service'),
    unit_label: common.unit_label ?? null,
    updated: now,
    url: common.url ?? null,
  };
  products(core).insert(product);
  core.emit('product.created', product);
  return product;
}

function create(req: EmuRequest): StoredProduct {
  const { core, body } = req;
  let priceData: Record<string, any> | undefined;
  if (body.default_price_data !== undefined) {
    priceData = body.default_price_data as Record<string, any>;
    checkParams(priceData, DEFAULT_PRICE_DATA_PARAMS, 'default_price_data');
    // Validate before creating anything: a refused price must not leave a product behind.
    buildPrice(core, priceData, 'prod_validation', 'default_price_data');
  }
  const product = createProduct(core, body);
  if (priceData) {
    const price = buildPrice(core, priceData, product.id, 'default_price_data');
    prices(core).insert(price);
    core.emit('price.created', price);
    products(core).update(product.id, { default_price: price.id });
    core.emit('product.updated', product, { default_price: null });
  }
  return product;
}

function update(req: EmuRequest): StoredProduct {
  const { core, body } = req;
  const product = products(core).require(req.params.id, 'product');
  const before = snapshot(product);
  const patch: Partial<StoredProduct> = {};
  if (body.name !== undefined) patch.name = asString(body.name, 'name', { max: 250 });
  const common = readCommon(body);
  for (const [k, v] of Object.entries(common)) if (v !== undefined) (patch as Record<string, unknown>)[k] = v;
  if (body.metadata !== undefined) patch.metadata = mergeMetadata(product.metadata, body.metadata);
  if (body.default_price !== undefined) {
    if (body.default_price === '') patch.default_price = null;
    else {
      const priceId = asString(body.default_price, 'default_price');
      const price = prices(core).require(priceId, 'price', 'default_price');
      if (price.product !== product.id) throw invalid('default_price', `The price ${priceId} belongs to product ${price.product}, not ${product.id}.`);
      if (!price.active) throw invalid('default_price', `The price ${priceId} is inactive; only an active price can be the default price.`);
      patch.default_price = priceId;
    }
  }
  patch.updated = core.now();
  products(core).update(product.id, patch);
  const previous = previousAttributes(before, product);
  if (Object.keys(previous).length > 0) core.emit('product.updated', product, previous);
  return product;
}

function del(req: EmuRequest): Stripe.DeletedProduct {
  const { core } = req;
  const product = products(core).require(req.params.id, 'product');
  if (productHasPrices(core, product.id)) {
    throw invalid(undefined, `This product (${product.id}) cannot be deleted because it has one or more prices. Archive it instead (active=false).`);
  }
  products(core).delete(product.id);
  core.emit('product.deleted', product);
  return { id: product.id, object: 'product', deleted: true };
}

function list(req: EmuRequest): Stripe.ApiList<StoredProduct> {
  const { body } = req;
  let items = products(req.core).all();
  if (body.active !== undefined) {
    const active = asBool(body.active, 'active');
    items = items.filter((p) => p.active === active);
  }
  if (body.ids !== undefined) {
    const ids = new Set(asStringArray(body.ids, 'ids'));
    items = items.filter((p) => ids.has(p.id));
  }
  if (body.shippable !== undefined) {
    const shippable = asBool(body.shippable, 'shippable');
    items = items.filter((p) => (p.shippable ?? false) === shippable);
  }
  if (body.type !== undefined) items = items.filter((p) => p.type === body.type);
  if (body.url !== undefined) items = items.filter((p) => p.url === body.url);
  items = filterCreated(items, body.created);
  return listResponse(items, body, req.path) as Stripe.ApiList<StoredProduct>;
}

export function setup(core: EmulatorCore): void {
  core.registerRetriever('product', (id) => products(core).get(id));
}

const PAGE = ['limit', 'starting_after', 'ending_before'];

export const routes: Route[] = [
  { method: 'POST', path: '/v1/products', params: ['id', 'type', 'default_price_data', ...COMMON], handler: create },
  { method: 'GET', path: '/v1/products', params: [...PAGE, 'active', 'ids', 'shippable', 'type', 'url', 'created'], handler: list },
  { method: 'GET', path: '/v1/products/search', params: ['query', 'limit', 'page'], handler: (req) => searchCatalog(req, products(req.core).all(), PRODUCT_SEARCH_FIELDS) },
  { method: 'GET', path: '/v1/products/:id', params: [], handler: (req) => products(req.core).require(req.params.id, 'product') },
  { method: 'POST', path: '/v1/products/:id', params: ['default_price', ...COMMON], handler: update },
  { method: 'DELETE', path: '/v1/products/:id', params: [], handler: del },
];

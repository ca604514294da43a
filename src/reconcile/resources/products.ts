/**
 * Products, matched by id (the key in pricing.yaml is the Stripe product id). The default price is
 * compared by lookup key, since a replaced price keeps its lookup key but gets a new id.
 */
import type Stripe from 'stripe';
import { z } from 'zod/mini';
import type { PricingFile, PriceInput } from '../../config/pricing-schema.js';
import { pulledPrice, replacedDefaults } from './prices.js';
import { MANAGED_BY_KEY, MANAGED_BY_VALUE, isManaged, type Change, type ChangeOf, type DiffInput, type FieldChange } from '../types.js';
import { NO_SDK_RETRIES, Phase, byId, createOnce, diffMetadata, listAll, metadataUpdate, newObjectOf, objectOf, ownMetadata, type PulledPart, type PullInput, type ResourceKind, type Step } from './kind.js';

const productPayload = z.strictObject({
  name: z.string(),
  description: z.optional(z.string()),
  unit_label: z.optional(z.string()),
  active: z.boolean(),
  metadata: z.record(z.string(), z.string()),
  /** Metadata update parameters ('' deletes a key) for updates. */
  metadata_update: z.optional(z.record(z.string(), z.string())),
  /** Lookup key of the default price, when it has to be set. */
  default_price: z.optional(z.string().check(z.minLength(1))),
});
export type ProductPayload = z.infer<typeof productPayload>;

/** What a product's create and update send (the default price is a step of its own). */
const PRODUCT_FIELDS = ['name', 'description', 'unit_label', 'active', 'metadata'];

const priceIdOf = (p: Stripe.Product['default_price']) => (typeof p === 'string' ? p : p?.id ?? null);

export function diffProducts(input: DiffInput): Change[] {
  const { desired, state, options } = input;
  const byId = new Map(state.objects.product.map((p) => [p.id, p]));
  const replaced = replacedDefaults(input);
  const lookupKeyOf = new Map(state.objects.price.map((p) => [p.id, p.lookup_key]));
  const changes: Change[] = [];
  for (const [id, spec] of Object.entries(desired.products)) {
    const metadata = { ...spec.metadata, [MANAGED_BY_KEY]: MANAGED_BY_VALUE };
    const defaultKey = spec.default_price ? spec.prices[spec.default_price]?.lookup_key : undefined;
    const product = byId.get(id);
    if (!product) {
      const payload: ProductPayload = { name: spec.name, description: spec.description, unit_label: spec.unit_label, active: spec.active, metadata, default_price: defaultKey };
      const fields: FieldChange[] = [{ field: 'name', after: spec.name }];
      if (spec.description !== undefined) fields.push({ field: 'description', after: spec.description });
      if (spec.unit_label !== undefined) fields.push({ field: 'unit_label', after: spec.unit_label });
      if (!spec.active) fields.push({ field: 'active', after: false });
      fields.push(...diffMetadata({}, metadata));
      if (defaultKey) fields.push({ field: 'default_price', after: defaultKey });
      changes.push({ action: 'create', type: 'product', key: id, fields, payload: { ...payload } });
      continue;
    }
    const managed = isManaged(product.metadata);
    if (!managed && !options.adopt) {
      changes.push({ action: 'noop', type: 'product', key: id, id: product.id, fields: [], unmanaged: true, notes: ['exists without managed_by=alpaca-billing: left alone (pass --adopt to manage it)'] });
      continue;
    }
    const fields: FieldChange[] = [];
    if (product.name !== spec.name) fields.push({ field: 'name', before: product.name, after: spec.name });
    if ((product.description ?? undefined) !== spec.description) fields.push({ field: 'description', before: product.description ?? undefined, after: spec.description });
    if ((product.unit_label ?? undefined) !== spec.unit_label) fields.push({ field: 'unit_label', before: product.unit_label ?? undefined, after: spec.unit_label });
    if (product.active !== spec.active) fields.push({ field: 'active', before: product.active, after: spec.active });
    fields.push(...diffMetadata(product.metadata ?? {}, metadata));
    const currentDefault = priceIdOf(product.default_price);
    const currentKey = currentDefault ? lookupKeyOf.get(currentDefault) ?? null : null;
    // A default price the file does not name is left as it is (it may be set in the Dashboard),
    // unless the plan replaces it: then the replacement, which takes over its lookup key, takes
    // over as the default too.
    const replacement = currentDefault ? replaced.get(currentDefault) : undefined;
    const newDefault = defaultKey !== undefined && currentKey !== defaultKey ? defaultKey : replacement?.productId === id ? replacement.key : undefined;
    if (newDefault !== undefined) fields.push({ field: 'default_price', before: currentKey ?? currentDefault ?? undefined, after: newDefault === currentKey ? `${newDefault} (its replacement)` : newDefault });
    const payload: ProductPayload = { name: spec.name, description: spec.description, unit_label: spec.unit_label, active: spec.active, metadata, metadata_update: metadataUpdate(product.metadata ?? {}, metadata), default_price: newDefault };
    changes.push({ action: fields.length ? 'update' : 'noop', type: 'product', key: id, id: product.id, fields, adopt: !managed || undefined, payload: { ...payload } });
  }
  if (options.prune) {
    for (const product of state.objects.product) {
      if (product.id in desired.products || !product.active || !isManaged(product.metadata)) continue;
      changes.push({ action: 'archive', type: 'product', key: product.id, id: product.id, fields: [{ field: 'active', before: true, after: false }], notes: ['no longer in the file: archived (existing subscriptions keep running)'] });
    }
  }
  return changes;
}

function productSteps(change: ChangeOf<'product'>): Step[] {
  const p = change.payload;
  const steps: Step[] = [];
  const setDefault = (ctx: Parameters<Step['run']>[0]) => {
    const params = { default_price: ctx.resolve('price', p!.default_price!) };
    return ctx.call(() => ctx.client.products.update(change.key, params, NO_SDK_RETRIES));
  };
  if (change.action === 'create') {
    steps.push({
      phase: Phase.products,
      name: 'create',
      writes: [{ object: newObjectOf(change), fields: PRODUCT_FIELDS }],
      run: async (ctx) => {
        const params: Stripe.ProductCreateParams = { id: change.key, name: p!.name, active: p!.active, metadata: p!.metadata, ...(p!.description !== undefined ? { description: p!.description } : {}), ...(p!.unit_label !== undefined ? { unit_label: p!.unit_label } : {}) };
        const product = await createOnce(ctx, change, params,
          (idempotencyKey) => ctx.client.products.create(params, { ...NO_SDK_RETRIES, idempotencyKey }),
          (id) => ctx.client.products.retrieve(id, {}, NO_SDK_RETRIES));
        ctx.record('product', change.key, product.id);
      },
    });
  } else if (change.action === 'update') {
    if (change.fields.some((f) => f.field !== 'default_price')) {
      steps.push({
        phase: Phase.products,
        name: 'update',
        writes: [{ object: objectOf(change), fields: PRODUCT_FIELDS }],
        run: async (ctx) => {
          const params: Stripe.ProductUpdateParams = { name: p!.name, description: p!.description ?? '', unit_label: p!.unit_label ?? '', active: p!.active, metadata: p!.metadata_update ?? p!.metadata };
          await ctx.call(() => ctx.client.products.update(change.key, params, NO_SDK_RETRIES));
        },
      });
    }
  } else if (change.action === 'archive') {
    steps.push({
      phase: Phase.archives,
      name: 'archive',
      writes: [{ object: objectOf(change), fields: ['active'] }],
      run: async (ctx) => {
        await ctx.call(() => ctx.client.products.update(change.key, { active: false }, NO_SDK_RETRIES));
      },
    });
  }
  if ((change.action === 'create' || change.action === 'update') && p?.default_price) {
    // The one writer of a product's default price (a replaced default price is repointed here too).
    steps.push({ phase: Phase.defaultPrices, name: 'set default price', writes: [{ object: objectOf(change), fields: ['default_price'] }], run: async (ctx) => { await setDefault(ctx); } });
  }
  return steps;
}

/** Products with their prices (a price lives inside its product in pricing.yaml), and the meters those prices use. */
function pullProducts({ state, all }: PullInput): PulledPart {
  const skipped: string[] = [];
  let unmanaged = 0;
  const products = [...state.objects.product].filter((p) => all || p.active).sort(byId);
  const productIds = new Set(products.map((p) => p.id));
  const prices = [...state.objects.price].filter((p) => (all || p.active) && productIds.has(typeof p.product === 'string' ? p.product : p.product.id)).sort(byId);
  const meterById = new Map(state.objects.meter.map((m) => [m.id, m]));
  const usedMeters: string[] = [];
  const pricesByProduct = new Map<string, [string, PriceInput][]>();
  for (const price of prices) {
    const productId = typeof price.product === 'string' ? price.product : price.product.id;
    if (!price.lookup_key) { skipped.push(`price ${price.id} (${productId}): no lookup_key, which is how the file identifies prices; give it one to manage it`); continue; }
    if (!price.recurring) { skipped.push(`price ${price.lookup_key}: one-time prices are not part of pricing.yaml`); continue; }
    const meter = price.recurring.meter ? meterById.get(price.recurring.meter) : undefined;
    if (price.recurring.meter && !meter) { skipped.push(`price ${price.lookup_key}: its meter ${price.recurring.meter} was not found`); continue; }
    if (meter) usedMeters.push(meter.id);
    if (!isManaged(price.metadata)) unmanaged++;
    const list = pricesByProduct.get(productId) ?? [];
    list.push([price.lookup_key, pulledPrice(price, meter?.event_name)]);
    pricesByProduct.set(productId, list);
  }
  const entries: NonNullable<PricingFile['products']> = {};
  for (const p of products) {
    if (!isManaged(p.metadata)) unmanaged++;
    const priceEntries = pricesByProduct.get(p.id) ?? [];
    const defaultId = priceIdOf(p.default_price);
    const defaultKey = priceEntries.find(([lk]) => prices.find((x) => x.id === defaultId)?.lookup_key === lk)?.[0];
    const metadata = ownMetadata(p.metadata);
    entries[p.id] = {
      name: p.name,
      ...(p.description ? { description: p.description } : {}),
      ...(p.unit_label ? { unit_label: p.unit_label } : {}),
      ...(!p.active ? { active: false } : {}),
      ...(metadata ? { metadata } : {}),
      ...(defaultKey ? { default_price: defaultKey } : {}),
      ...(priceEntries.length ? { prices: Object.fromEntries(priceEntries) } : {}),
    };
  }
  return { file: { products: entries }, meters: usedMeters, skipped, unmanaged };
}

export const products: ResourceKind<'product'> = {
  type: 'product',
  read: (ctx) => listAll(ctx, (params) => ctx.client.products.list(params, NO_SDK_RETRIES)),
  diff: diffProducts,
  steps: productSteps,
  payloads: { create: productPayload, update: productPayload, noop: productPayload },
  pull: pullProducts,
};

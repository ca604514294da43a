/**
 * Prices, matched by `lookup_key`. Amount, currency, recurrence, meter and product cannot change on
 * a Stripe price: such a change is a replace (new price taking the lookup key with
 * `transfer_lookup_key`, old price archived), never an edit. When the old price was its product's
 * default, the product's change repoints it (products alone write `default_price`: replacedDefaults).
 */
import type Stripe from 'stripe';
import { z } from 'zod/mini';
import type { PriceSpec, PricingConfig } from '../../config/model.js';
import { priceSchema, type PriceInput } from '../../config/pricing-schema.js';
import { isStripeCurrency } from '../../core/stripe-currencies.js';
import { MANAGED_BY_KEY, MANAGED_BY_VALUE, isManaged, type Change, type ChangeOf, type DiffInput, type FieldChange } from '../types.js';
import { NO_SDK_RETRIES, Phase, diffMetadata, listAll, metadataUpdate, newObjectOf, objectOf, ownMetadata, type ApplyContext, type ResourceKind, type Step } from './kind.js';
import { amountOf, amountParams, amountParamsShape, describeAmount, sameAmount } from './price-amount.js';
import { migrationStep } from './price-migration.js';

const metadataParam = z.record(z.string(), z.string());

/** Creates and replaces: the create parameters, except the meter (by event name: it may be created in the same apply). */
const priceCreatePayload = z.strictObject({
  create: z.strictObject({
    product: z.string().check(z.minLength(1)),
    currency: z.string().check(z.refine(isStripeCurrency, 'not a currency Stripe takes')),
    lookup_key: priceSchema.shape.lookup_key,
    transfer_lookup_key: z.optional(z.literal(true)),
    nickname: z.optional(z.string()),
    tax_behavior: priceSchema.shape.tax_behavior,
    active: z.boolean(),
    metadata: metadataParam,
    recurring: z.strictObject({ interval: priceSchema.shape.interval, interval_count: z.int().check(z.minimum(1)), usage_type: z.enum(['metered', 'licensed']) }),
    ...amountParamsShape,
  }),
  meter_event_name: z.optional(z.string().check(z.minLength(1))),
});

/** Updates: the fields a price can change in place ('' unsets the nickname). */
const priceUpdate = z.strictObject({
  nickname: z.optional(z.string()),
  active: z.optional(z.boolean()),
  tax_behavior: priceSchema.shape.tax_behavior,
  metadata: z.optional(metadataParam),
});
const priceUpdatePayload = z.strictObject({ update: priceUpdate });

/** A create's or an update's payload (each action carries one of them: see `payloads` below). */
export type PricePayload = Partial<z.infer<typeof priceCreatePayload> & z.infer<typeof priceUpdatePayload>>;

interface DesiredPrice {
  productId: string;
  spec: PriceSpec;
  meterEvent?: string;
}

function desiredPrices(desired: PricingConfig): Map<string, DesiredPrice> {
  const out = new Map<string, DesiredPrice>();
  for (const [productId, product] of Object.entries(desired.products)) {
    for (const spec of Object.values(product.prices)) {
      out.set(spec.lookup_key, { productId, spec, meterEvent: spec.meter ? desired.meters[spec.meter]?.event_name : undefined });
    }
  }
  return out;
}

function createPayload({ productId, spec, meterEvent }: DesiredPrice, transfer: boolean): PricePayload {
  return {
    create: {
      product: productId,
      currency: spec.currency,
      lookup_key: spec.lookup_key,
      ...(transfer ? { transfer_lookup_key: true } : {}),
      ...(spec.nickname !== undefined ? { nickname: spec.nickname } : {}),
      ...(spec.tax_behavior !== undefined ? { tax_behavior: spec.tax_behavior } : {}),
      active: spec.active,
      metadata: { ...spec.metadata, [MANAGED_BY_KEY]: MANAGED_BY_VALUE },
      recurring: { interval: spec.interval, interval_count: spec.interval_count, usage_type: meterEvent ? 'metered' : 'licensed' },
      ...amountParams(spec.amount),
    },
    meter_event_name: meterEvent,
  };
}

const productIdOf = (p: Stripe.Price['product']) => (typeof p === 'string' ? p : p.id);

/** Fields a Stripe price cannot change: any difference means a replace. */
function immutableDiff(want: DesiredPrice, price: Stripe.Price, meterEventOf: Map<string, string>): FieldChange[] {
  const r = price.recurring;
  const actualMeter = r?.meter ? meterEventOf.get(r.meter) ?? r.meter : undefined;
  const fields: FieldChange[] = [];
  const cmp = (field: string, before: unknown, after: unknown) => { if (before !== after) fields.push({ field, before, after }); };
  cmp('product', productIdOf(price.product), want.productId);
  cmp('currency', price.currency, want.spec.currency);
  cmp('interval', r?.interval, want.spec.interval);
  cmp('interval_count', r?.interval_count, want.spec.interval_count);
  cmp('meter', actualMeter, want.meterEvent);
  const amount = amountOf(price);
  if (!sameAmount(amount, want.spec.amount)) fields.push({ field: 'amount', before: describeAmount(amount), after: describeAmount(want.spec.amount) });
  // tax_behavior can be set once, from unspecified; changing a set one needs a new price.
  const tax = price.tax_behavior ?? 'unspecified';
  if (want.spec.tax_behavior !== undefined && tax !== 'unspecified' && tax !== want.spec.tax_behavior) cmp('tax_behavior', tax, want.spec.tax_behavior);
  return fields;
}

function mutableDiff(want: DesiredPrice, price: Stripe.Price): { fields: FieldChange[]; update: z.infer<typeof priceUpdate> } {
  const fields: FieldChange[] = [];
  const update: z.infer<typeof priceUpdate> = {};
  const spec = want.spec;
  if ((price.nickname ?? undefined) !== spec.nickname) {
    fields.push({ field: 'nickname', before: price.nickname ?? undefined, after: spec.nickname });
    update.nickname = spec.nickname ?? '';
  }
  if (price.active !== spec.active) {
    fields.push({ field: 'active', before: price.active, after: spec.active });
    update.active = spec.active;
  }
  const tax = price.tax_behavior ?? 'unspecified';
  if (spec.tax_behavior !== undefined && spec.tax_behavior !== tax && tax === 'unspecified') {
    fields.push({ field: 'tax_behavior', before: tax, after: spec.tax_behavior });
    update.tax_behavior = spec.tax_behavior;
  }
  const metadata = { ...spec.metadata, [MANAGED_BY_KEY]: MANAGED_BY_VALUE };
  const metaFields = diffMetadata(price.metadata ?? {}, metadata);
  if (metaFields.length) {
    fields.push(...metaFields);
    update.metadata = metadataUpdate(price.metadata ?? {}, metadata);
  }
  return { fields, update };
}

/** Marks the old price of a replace apply moves subscriptions off: a re-run after a kill finds its successor by it. */
export const REPLACED_BY_KEY = 'alpaca_billing_replaced_by';

/**
 * Marks archives and replaces of prices that active subscriptions use. With --migrate-subscriptions,
 * a price with a successor (`to`, a lookup key) has its subscriptions moved before it is archived.
 */
function checkInUse(change: Change, count: number | undefined, options: DiffInput['options'], to?: string): Change {
  if (count === undefined) return change;
  const out: Change = { ...change, activeSubscriptions: count };
  if (count > 0 && options.migrateSubscriptions && to) {
    out.migrate = { at: options.migrateSubscriptions, to, ...(options.allowArchiveInUse ? { allowInUse: true } : {}) };
    const when = options.migrateSubscriptions === 'now' ? 'now' : 'at the end of their current period (subscription schedules)';
    out.notes = [...(change.notes ?? []), `its subscriptions move to ${to} ${when}, then it is archived`];
  } else if (count > 0 && !options.allowArchiveInUse) {
    out.blocked = `${count} active subscription${count === 1 ? '' : 's'} use${count === 1 ? 's' : ''} this price`;
    const move = change.action === 'replace' || to
      ? `; or pass --migrate-subscriptions period-end (or now) to move them onto ${to ?? change.key} first`
      : ', or migrate them first';
    out.notes = [...(change.notes ?? []), `Archiving keeps those subscriptions billing on it but hides it from new ones; pass --allow-archive-in-use if that is what you want${move}.`];
  }
  return out;
}

export function diffPrices({ desired, state, options }: DiffInput): Change[] {
  const want = desiredPrices(desired);
  const meterEventOf = new Map(state.objects.meter.map((m) => [m.id, m.event_name]));
  const byKey = new Map<string, Stripe.Price>();
  for (const price of state.objects.price) if (price.lookup_key) byKey.set(price.lookup_key, price);
  const counts = state.activeSubscriptions;
  const changes: Change[] = [];

  for (const [key, w] of want) {
    const price = byKey.get(key);
    if (!price) {
      const payload = createPayload(w, false);
      const fields: FieldChange[] = [
        { field: 'product', after: w.productId },
        { field: 'amount', after: describeAmount(w.spec.amount) },
        { field: 'currency', after: w.spec.currency },
        { field: 'interval', after: w.spec.interval_count === 1 ? w.spec.interval : `${w.spec.interval_count} ${w.spec.interval}` },
      ];
      if (w.meterEvent) fields.push({ field: 'meter', after: w.meterEvent });
      if (w.spec.nickname !== undefined) fields.push({ field: 'nickname', after: w.spec.nickname });
      changes.push({ action: 'create', type: 'price', key, fields, payload: { ...payload } });
      continue;
    }
    const managed = isManaged(price.metadata);
    if (!managed && !options.adopt) {
      changes.push({ action: 'noop', type: 'price', key, id: price.id, fields: [], unmanaged: true, notes: ['exists without managed_by=alpaca-billing: left alone (pass --adopt to manage it)'] });
      continue;
    }
    const immutable = immutableDiff(w, price, meterEventOf);
    const adopt = !managed || undefined;
    if (immutable.length) {
      const { fields } = mutableDiff(w, price);
      const payload: PricePayload = createPayload(w, true);
      const change: Change = { action: 'replace', type: 'price', key, id: price.id, fields: [...immutable, ...fields.filter((f) => f.field !== 'tax_behavior')], adopt, payload: { ...payload }, notes: ['a new price takes over the lookup key; the old one is archived'] };
      changes.push(checkInUse(change, counts[price.id], options, key));
      continue;
    }
    const { fields, update } = mutableDiff(w, price);
    changes.push({ action: fields.length ? 'update' : 'noop', type: 'price', key, id: price.id, fields, adopt, payload: { update } });
  }

  for (const price of state.objects.price) {
    if (!price.active || !isManaged(price.metadata)) continue;
    if (price.lookup_key && want.has(price.lookup_key)) continue;
    // A managed price without a lookup key lost it to a newer price: the leftover of a replace that
    // was interrupted before its archive step, so it is archived even without --prune.
    const orphan = !price.lookup_key;
    if (!orphan && !options.prune) continue;
    // An interrupted apply --migrate-subscriptions marked it with the key its replacement took.
    const successor = orphan ? price.metadata?.[REPLACED_BY_KEY] : undefined;
    const change: Change = {
      action: 'archive',
      type: 'price',
      key: price.lookup_key ?? price.id,
      id: price.id,
      fields: [{ field: 'active', before: true, after: false }],
      notes: [orphan ? 'superseded: its lookup key moved to a newer price (an earlier apply stopped before archiving it)' : 'no longer in the file: archived (prices cannot be deleted)'],
    };
    changes.push(checkInUse(change, counts[price.id], options, successor && byKey.has(successor) ? successor : undefined));
  }
  return changes;
}

/**
 * The prices a plan replaces that can take over as their product's default: old price id → the
 * lookup key moving to the replacement. Only for the product the price belongs to, and only an
 * active replacement (an archived one cannot be a default). The products differ writes the repoint.
 */
export function replacedDefaults(input: DiffInput): Map<string, { key: string; productId: string }> {
  const want = desiredPrices(input.desired);
  const out = new Map<string, { key: string; productId: string }>();
  for (const change of diffPrices(input)) {
    const w = want.get(change.key);
    if (change.action === 'replace' && w?.spec.active) out.set(change.id!, { key: change.key, productId: w.productId });
  }
  return out;
}

async function createPrice(ctx: ApplyContext, change: Change, p: PricePayload): Promise<string> {
  const params: Stripe.PriceCreateParams = { ...p.create!, recurring: { ...p.create!.recurring, ...(p.meter_event_name ? { meter: ctx.resolve('meter', p.meter_event_name) } : {}) } };
  const price = await ctx.call(() => ctx.client.prices.create(params, { ...NO_SDK_RETRIES, idempotencyKey: ctx.idempotencyKey(change, 'create', params) }));
  ctx.record('price', change.key, price.id);
  return price.id;
}

/** Before the replacement takes the lookup key: the old price says which key its successor has. */
function markReplaced(change: Change): Step {
  return {
    phase: Phase.products,
    name: 'mark old',
    writes: [{ object: objectOf(change), fields: [`metadata.${REPLACED_BY_KEY}`] }],
    run: async (ctx) => { await ctx.call(() => ctx.client.prices.update(change.id!, { metadata: { [REPLACED_BY_KEY]: change.key } }, NO_SDK_RETRIES)); },
  };
}

async function archivePrice(ctx: ApplyContext, change: Change, id: string): Promise<void> {
  await ctx.call(() => ctx.client.prices.update(id, { active: false }, NO_SDK_RETRIES));
}

function priceSteps(change: ChangeOf<'price'>): Step[] {
  const p: PricePayload = change.payload ?? {};
  switch (change.action) {
    case 'create':
      return [{ phase: Phase.prices, name: 'create', writes: [{ object: newObjectOf(change), fields: ['*'] }], run: async (ctx) => { await createPrice(ctx, change, p); } }];
    case 'update':
      return [{
        phase: Phase.prices,
        name: 'update',
        writes: [{ object: objectOf(change), fields: Object.keys(p.update ?? {}) }],
        run: async (ctx) => { await ctx.call(() => ctx.client.prices.update(change.id!, p.update!, NO_SDK_RETRIES)); },
      }];
    case 'replace':
      return [
        ...(change.migrate ? [markReplaced(change)] : []),
        // transfer_lookup_key takes the lookup key from the old price: a write of the old price too.
        { phase: Phase.prices, name: 'create replacement', writes: [{ object: newObjectOf(change), fields: ['*'] }, { object: objectOf(change), fields: ['lookup_key'] }], run: async (ctx) => { await createPrice(ctx, change, p); } },
        ...(change.migrate ? [migrationStep(change)] : []),
        { phase: Phase.archives, name: 'archive old', writes: [{ object: objectOf(change), fields: ['active'] }], run: (ctx) => archivePrice(ctx, change, change.id!) },
      ];
    case 'archive':
      return [...(change.migrate ? [migrationStep(change)] : []), { phase: Phase.archives, name: 'archive', writes: [{ object: objectOf(change), fields: ['active'] }], run: (ctx) => archivePrice(ctx, change, change.id!) }];
    default:
      return [];
  }
}

async function readPrices(ctx: Parameters<ResourceKind['read']>[0]): Promise<Stripe.Price[]> {
  // Listing returns active prices unless told otherwise; archived ones matter too (a lookup key on
  // an archived price, drift that archived a price), so both lists are read. Tiers need expanding.
  const list = (active: boolean) => listAll(ctx, (params) => ctx.client.prices.list({ ...params, active, expand: ['data.tiers'] }, NO_SDK_RETRIES));
  const [active, inactive] = await Promise.all([list(true), list(false)]);
  return [...active, ...inactive];
}

export const prices: ResourceKind<'price'> = {
  type: 'price',
  read: readPrices,
  diff: diffPrices,
  steps: priceSteps,
  payloads: { create: priceCreatePayload, replace: priceCreatePayload, update: priceUpdatePayload, noop: priceUpdatePayload },
};

/** Prices a plan would archive (directly or by replacing them): their subscriptions are counted. */
export function pricesLeavingService(changes: Change[]): string[] {
  return changes.filter((c) => c.type === 'price' && (c.action === 'archive' || c.action === 'replace') && c.id).map((c) => c.id!);
}

/** Whole minor units as YAML numbers, sub-cent ones as quoted decimal strings (never floats). */
const amountValue = (s: string): number | string => (/^\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : s);

/** A price as pricing.yaml writes it, inside its product (keyed by its lookup key). */
export function pulledPrice(price: Stripe.Price, meterKey: string | undefined): PriceInput {
  const r = price.recurring!;
  const out: PriceInput = { lookup_key: price.lookup_key!, currency: price.currency, interval: r.interval as PriceInput['interval'] };
  if (r.interval_count !== 1) out.interval_count = r.interval_count;
  if (price.nickname) out.nickname = price.nickname;
  if (price.tax_behavior && price.tax_behavior !== 'unspecified') out.tax_behavior = price.tax_behavior as PriceInput['tax_behavior'];
  if (!price.active) out.active = false;
  const metadata = ownMetadata(price.metadata);
  if (metadata) out.metadata = metadata;
  if (meterKey) out.meter = meterKey;
  const amount = amountOf(price);
  if (amount.kind === 'per_unit') out.unit_amount = amountValue(amount.unit_amount);
  else if (amount.kind === 'package') out.package = { amount: amountValue(amount.unit_amount), size: amount.divide_by, round: amount.round };
  else {
    out.tiered = {
      mode: amount.mode,
      tiers: amount.tiers.map((t) => ({
        up_to: t.up_to,
        ...(t.unit_amount !== undefined ? { unit_amount: amountValue(t.unit_amount) } : {}),
        ...(t.flat_amount !== undefined ? { flat_amount: amountValue(t.flat_amount) } : {}),
      })),
    };
  }
  return out;
}

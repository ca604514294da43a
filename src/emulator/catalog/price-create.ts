import type { EmulatorCore } from '../core.js';
import { invalid, parameterMissing } from '../http/errors.js';
import { asBool, asDecimalString, asInt, asString, checkNested, newMetadata, required } from '../http/params.js';
import { meters } from './store.js';
import { prices, priceByLookupKey, type StoredPrice, type StoredTier } from './store.js';
import { STRIPE_CURRENCIES, isStripeCurrency } from '../../core/stripe-currencies.js';

export const PRICE_CREATE_PARAMS = [
  'currency', 'product', 'product_data', 'unit_amount', 'unit_amount_decimal', 'custom_unit_amount', 'billing_scheme',
  'tiers', 'tiers_mode', 'recurring', 'transform_quantity', 'lookup_key', 'transfer_lookup_key', 'nickname',
  'tax_behavior', 'metadata', 'active',
] as const;

/** What `products.create({default_price_data})` may carry (no usage_type or meter: see SPEC.md). */
export const DEFAULT_PRICE_DATA_PARAMS = ['currency', 'unit_amount', 'unit_amount_decimal', 'custom_unit_amount', 'recurring', 'tax_behavior', 'metadata'] as const;

const INTERVAL_MAX: Record<string, number> = { day: 1095, week: 156, month: 36, year: 3 };
export const TAX_BEHAVIORS = ['inclusive', 'exclusive', 'unspecified'] as const;

/** `p('recurring')` → 'default_price_data[recurring]' when nested. */
type ParamName = (name: string) => string;

/**
 * Validates price create parameters and builds the price object (not stored yet). Every check runs
 * before anything is written, so a refused request leaves no trace. `prefix` names nested params
 * (`default_price_data`) in errors.
 */
export function buildPrice(core: EmulatorCore, body: Record<string, any>, productId: string, prefix?: string): StoredPrice {
  const name: ParamName = (n) => (prefix ? `${prefix}[${n.split('[')[0]}]${n.includes('[') ? n.slice(n.indexOf('[')) : ''}` : n);
  const currency = asString(required(body.currency, name('currency')), name('currency')).toLowerCase();
  if (!isStripeCurrency(currency)) throw invalid(name('currency'), `Invalid currency: ${currency}. Stripe currently supports these currencies: ${STRIPE_CURRENCIES.join(', ')}`);

  const scheme = body.billing_scheme === undefined ? 'per_unit' : asString(body.billing_scheme, name('billing_scheme'), { oneOf: ['per_unit', 'tiered'] });
  const amounts = readAmounts(body, name);
  let tiers: StoredTier[] | undefined;
  let tiersMode: 'graduated' | 'volume' | null = null;
  if (scheme === 'tiered') {
    if (amounts.unitAmountDecimal !== null || body.custom_unit_amount !== undefined) {
      throw invalid(name(body.unit_amount !== undefined ? 'unit_amount' : 'unit_amount_decimal'), 'A tiered price takes its amounts from `tiers`; do not pass unit_amount, unit_amount_decimal or custom_unit_amount with billing_scheme=tiered.');
    }
    tiersMode = asString(required(body.tiers_mode, name('tiers_mode')), name('tiers_mode'), { oneOf: ['graduated', 'volume'] }) as 'graduated' | 'volume';
    tiers = readTiers(required(body.tiers, name('tiers')), name);
    if (body.transform_quantity !== undefined && body.transform_quantity !== '') {
      throw invalid(name('transform_quantity'), 'transform_quantity cannot be combined with tiers: use billing_scheme=per_unit for package pricing.');
    }
  } else {
    if (body.tiers !== undefined) throw invalid(name('tiers'), 'tiers can only be set with billing_scheme=tiered.');
    if (body.tiers_mode !== undefined) throw invalid(name('tiers_mode'), 'tiers_mode can only be set with billing_scheme=tiered.');
    if (amounts.unitAmountDecimal === null && body.custom_unit_amount === undefined) {
      throw parameterMissing(name('unit_amount'));
    }
  }
  let customUnitAmount: StoredPrice['custom_unit_amount'] = null;
  if (body.custom_unit_amount !== undefined) {
    if (amounts.unitAmountDecimal !== null) throw invalid(name('custom_unit_amount'), 'Only one of unit_amount, unit_amount_decimal and custom_unit_amount may be set.', 'parameters_exclusive');
    const c = checkNested(body.custom_unit_amount, name('custom_unit_amount'), ['enabled', 'maximum', 'minimum', 'preset']);
    if (!asBool(required(c.enabled, name('custom_unit_amount[enabled]')), name('custom_unit_amount[enabled]'))) throw invalid(name('custom_unit_amount[enabled]'), 'custom_unit_amount[enabled] must be true.');
    const opt = (k: string) => (c[k] === undefined ? null : asInt(c[k], name(`custom_unit_amount[${k}]`), { min: 0 }));
    customUnitAmount = { maximum: opt('maximum'), minimum: opt('minimum'), preset: opt('preset') };
  }

  const recurring = body.recurring === undefined || body.recurring === '' ? null : readRecurring(core, body.recurring, name, prefix !== undefined);
  const transform = readTransform(body.transform_quantity, name);
  const taxBehavior = body.tax_behavior === undefined ? 'unspecified' : asString(body.tax_behavior, name('tax_behavior'), { oneOf: TAX_BEHAVIORS });

  const price: StoredPrice = {
    id: core.id('price_'),
    object: 'price',
    active: body.active === undefined ? true : asBool(body.active, name('active')),
    billing_scheme: scheme,
    created: core.now(),
    currency,
    custom_unit_amount: customUnitAmount,
    livemode: false,
    lookup_key: null,
    metadata: newMetadata(body.metadata, name('metadata')),
    nickname: body.nickname === undefined || body.nickname === '' ? null : asString(body.nickname, name('nickname'), { max: 250 }),
    product: productId,
    recurring,
    tax_behavior: taxBehavior,
    ...(tiers ? { tiers } : {}),
    tiers_mode: tiersMode,
    transform_quantity: transform,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: amounts.unitAmount,
    unit_amount_decimal: amounts.unitAmountDecimal,
  };
  if (body.lookup_key !== undefined && body.lookup_key !== '') {
    const key = asString(body.lookup_key, name('lookup_key'), { max: 200 });
    const transfer = body.transfer_lookup_key === undefined ? false : asBool(body.transfer_lookup_key, name('transfer_lookup_key'));
    checkLookupKeyFree(core, key, transfer, undefined, name('lookup_key'));
    price.lookup_key = key;
  } else if (body.transfer_lookup_key !== undefined) {
    asBool(body.transfer_lookup_key, name('transfer_lookup_key'));
  }
  return price;
}

/** Refuses a lookup key held by another price unless it is being transferred. */
export function checkLookupKeyFree(core: EmulatorCore, key: string, transfer: boolean, selfId: string | undefined, param: string): StoredPrice | undefined {
  const holder = priceByLookupKey(core, key);
  if (!holder || holder.id === selfId) return undefined;
  if (!transfer) {
    throw invalid(param, `A price (${holder.id}) already uses the lookup key '${key}'. Pass transfer_lookup_key=true to move it to this price.`);
  }
  return holder;
}

/** Moves `key` from whichever price holds it to `price` (call after every check passed). */
export function takeLookupKey(core: EmulatorCore, key: string, price: StoredPrice): void {
  const holder = priceByLookupKey(core, key);
  if (holder && holder.id !== price.id) {
    prices(core).update(holder.id, { lookup_key: null });
    core.emit('price.updated', holder, { lookup_key: key });
  }
  price.lookup_key = key;
}

/** ⚠ Stripe's largest amount in minor units (999,999.99 in a two-decimal currency); applied to decimals and tiers too. */
export const MAX_AMOUNT = 99_999_999;

/** Compared digit by digit: a double would round "99999999.000000000001" down to the maximum. */
function exceedsMaxAmount(decimal: string): boolean {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole) > BigInt(MAX_AMOUNT) || (BigInt(whole) === BigInt(MAX_AMOUNT) && /[1-9]/.test(fraction));
}

function readAmounts(body: Record<string, any>, name: ParamName): { unitAmount: number | null; unitAmountDecimal: string | null } {
  const hasInt = body.unit_amount !== undefined && body.unit_amount !== '';
  const hasDec = body.unit_amount_decimal !== undefined && body.unit_amount_decimal !== '';
  if (hasInt && hasDec) throw invalid(name('unit_amount_decimal'), 'Only one of unit_amount and unit_amount_decimal may be set.', 'parameters_exclusive');
  if (hasInt) {
    const n = asInt(body.unit_amount, name('unit_amount'), { min: 0, max: MAX_AMOUNT });
    return { unitAmount: n, unitAmountDecimal: String(n) };
  }
  if (hasDec) {
    const d = asDecimalString(body.unit_amount_decimal, name('unit_amount_decimal'));
    if (exceedsMaxAmount(d)) throw invalid(name('unit_amount_decimal'), `This value must be at most ${MAX_AMOUNT}.`, 'parameter_invalid_decimal');
    // Stripe fills unit_amount too when the decimal is a whole number of minor units.
    return { unitAmount: /^\d+$/.test(d) ? Number(d) : null, unitAmountDecimal: d };
  }
  return { unitAmount: null, unitAmountDecimal: null };
}

function readTiers(value: unknown, name: ParamName): StoredTier[] {
  const raw = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : undefined;
  if (!raw || raw.length === 0) throw invalid(name('tiers'), 'A tiered price needs at least one tier.');
  let previous = 0;
  return raw.map((t, i) => {
    const tp = name(`tiers[${i}]`);
    const tier = checkNested(t, tp, ['up_to', 'unit_amount', 'unit_amount_decimal', 'flat_amount', 'flat_amount_decimal']);
    const last = i === raw.length - 1;
    const upToRaw = required(tier.up_to, `${tp}[up_to]`);
    let upTo: number | null;
    if (upToRaw === 'inf') {
      if (!last) throw invalid(`${tp}[up_to]`, "Only the last tier can have up_to='inf'.");
      upTo = null;
    } else {
      upTo = asInt(upToRaw, `${tp}[up_to]`, { min: 1 });
      if (last) throw invalid(`${tp}[up_to]`, "The last tier must have up_to='inf'.");
      if (upTo <= previous) throw invalid(`${tp}[up_to]`, 'Tiers must be in ascending order of up_to.');
      previous = upTo;
    }
    const unit = readAmounts({ unit_amount: tier.unit_amount, unit_amount_decimal: tier.unit_amount_decimal }, (n) => `${tp}[${n}]`);
    const flat = readAmounts({ unit_amount: tier.flat_amount, unit_amount_decimal: tier.flat_amount_decimal }, (n) => `${tp}[${n.replace('unit_amount', 'flat_amount')}]`);
    if (unit.unitAmountDecimal === null && flat.unitAmountDecimal === null) {
      throw invalid(`${tp}[unit_amount]`, 'Each tier needs a unit amount or a flat amount (or both).');
    }
    return { flat_amount: flat.unitAmount, flat_amount_decimal: flat.unitAmountDecimal, unit_amount: unit.unitAmount, unit_amount_decimal: unit.unitAmountDecimal, up_to: upTo };
  });
}

function readRecurring(core: EmulatorCore, value: unknown, name: ParamName, inline: boolean): NonNullable<StoredPrice['recurring']> {
  const allowed = inline ? ['interval', 'interval_count'] : ['interval', 'interval_count', 'usage_type', 'meter', 'trial_period_days'];
  const r = checkNested(value, name('recurring'), allowed);
  const interval = asString(required(r.interval, name('recurring[interval]')), name('recurring[interval]'), { oneOf: ['day', 'week', 'month', 'year'] });
  const count = r.interval_count === undefined ? 1 : asInt(r.interval_count, name('recurring[interval_count]'), { min: 1 });
  if (count > INTERVAL_MAX[interval]) {
    throw invalid(name('recurring[interval_count]'), `The maximum billing period is three years (${INTERVAL_MAX[interval]} ${interval}s).`);
  }
  const usageType = r.usage_type === undefined ? 'licensed' : asString(r.usage_type, name('recurring[usage_type]'), { oneOf: ['licensed', 'metered'] });
  let meter: string | null = null;
  if (r.meter !== undefined && r.meter !== '') {
    const id = asString(r.meter, name('recurring[meter]'));
    if (usageType !== 'metered') throw invalid(name('recurring[meter]'), 'recurring[meter] can only be set when recurring[usage_type] is metered.');
    const m = meters(core).require(id, 'meter', name('recurring[meter]'));
    if (m.status !== 'active') throw invalid(name('recurring[meter]'), `The meter ${id} is inactive; reactivate it before attaching it to a price.`);
    meter = id;
  } else if (usageType === 'metered') {
    // Since 2025-03-31.basil, usage reaches metered prices only through a meter.
    throw parameterMissing(name('recurring[meter]'));
  }
  const trial = r.trial_period_days === undefined ? null : asInt(r.trial_period_days, name('recurring[trial_period_days]'), { min: 0, max: 730 });
  return { interval: interval as 'month', interval_count: count, meter, trial_period_days: trial, usage_type: usageType as 'licensed' };
}

function readTransform(value: unknown, name: ParamName): StoredPrice['transform_quantity'] {
  if (value === undefined || value === '') return null;
  const t = checkNested(value, name('transform_quantity'), ['divide_by', 'round']);
  const divideBy = asInt(required(t.divide_by, name('transform_quantity[divide_by]')), name('transform_quantity[divide_by]'), { min: 1 });
  const round = asString(required(t.round, name('transform_quantity[round]')), name('transform_quantity[round]'), { oneOf: ['up', 'down'] }) as 'up' | 'down';
  return { divide_by: divideBy, round };
}

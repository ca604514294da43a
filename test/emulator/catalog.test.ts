import Stripe from 'stripe';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let stripe: Stripe;
beforeAll(async () => {
  emu = await startTestEmulator();
  stripe = emu.stripe;
});
afterAll(() => emu.close());

let n = 0;
const unique = (base: string) => `${base}_${++n}`;
const meter = (eventName = unique('ev')) => stripe.billing.meters.create({ display_name: 'Tokens', event_name: eventName, default_aggregation: { formula: 'sum' } });

describe('billing meters', () => {
  it('creates a meter with Stripe defaults and retrieves it', async () => {
    const m = await meter('tokens_default');
    expect(m).toMatchObject({
      object: 'billing.meter', status: 'active', event_name: 'tokens_default', livemode: false,
      customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
      value_settings: { event_payload_key: 'value' }, status_transitions: { deactivated_at: null }, event_time_window: null,
    });
    expect(m.id).toMatch(/^mtr_[0-9A-Za-z]{14,24}$/);
    expect(typeof m.created).toBe('number');
    await expect(stripe.billing.meters.retrieve(m.id)).resolves.toMatchObject({ id: m.id });
  });

  it('keeps event names unique, including for inactive meters', async () => {
    const m = await meter('tokens_unique');
    await expect(fail(meter('tokens_unique'))).resolves.toMatchObject({ type: 'StripeInvalidRequestError', param: 'event_name' });
    await stripe.billing.meters.deactivate(m.id);
    const err = await fail(meter('tokens_unique'));
    expect(err.param).toBe('event_name');
    expect(err.message).toContain(m.id);
  });

  it('updates only display_name', async () => {
    const m = await meter();
    await expect(stripe.billing.meters.update(m.id, { display_name: 'Renamed' })).resolves.toMatchObject({ display_name: 'Renamed' });
    const err = await fail(stripe.billing.meters.update(m.id, { event_name: 'other' } as Stripe.Billing.MeterUpdateParams));
    expect(err).toMatchObject({ code: 'parameter_unknown', param: 'event_name' });
  });

  it('deactivates and reactivates, and refuses a repeated transition', async () => {
    const m = await meter();
    const off = await stripe.billing.meters.deactivate(m.id);
    expect(off.status).toBe('inactive');
    expect(off.status_transitions.deactivated_at).toEqual(expect.any(Number));
    await expect(fail(stripe.billing.meters.deactivate(m.id))).resolves.toMatchObject({ statusCode: 400 });
    const on = await stripe.billing.meters.reactivate(m.id);
    expect(on).toMatchObject({ status: 'active', status_transitions: { deactivated_at: null } });
  });

  it('lists by status', async () => {
    const m = await meter();
    await stripe.billing.meters.deactivate(m.id);
    const inactive = await stripe.billing.meters.list({ status: 'inactive', limit: 100 });
    expect(inactive.data.map((x) => x.id)).toContain(m.id);
    expect(inactive.data.every((x) => x.status === 'inactive')).toBe(true);
    const active = await stripe.billing.meters.list({ status: 'active', limit: 100 });
    expect(active.data.map((x) => x.id)).not.toContain(m.id);
  });

  it('validates the aggregation formula and required fields', async () => {
    await expect(fail(stripe.billing.meters.create({ display_name: 'x', event_name: unique('e'), default_aggregation: { formula: 'avg' as 'sum' } }))).resolves.toMatchObject({ param: 'default_aggregation[formula]' });
    await expect(fail(stripe.billing.meters.create({ display_name: 'x', event_name: unique('e') } as Stripe.Billing.MeterCreateParams))).resolves.toMatchObject({ code: 'parameter_missing', param: 'default_aggregation' });
  });

  it('has no delete', async () => {
    const m = await meter();
    await expect(fail(stripe.rawRequest('DELETE', `/v1/billing/meters/${m.id}`))).resolves.toMatchObject({ statusCode: 404 });
  });
});

describe('products', () => {
  it('creates with a custom id and refuses a taken one with resource_already_exists', async () => {
    const p = await stripe.products.create({ id: 'alpaca_ai', name: 'Alpaca AI' });
    expect(p).toMatchObject({ id: 'alpaca_ai', object: 'product', active: true, default_price: null, type: 'service', livemode: false });
    const err = await fail(stripe.products.create({ id: 'alpaca_ai', name: 'Again' }));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', code: 'resource_already_exists', param: 'id' });
  });

  it('generates prod_ ids and updates name, description, active and default_price', async () => {
    const p = await stripe.products.create({ name: 'Plain', description: 'first' });
    expect(p.id).toMatch(/^prod_/);
    const price = await stripe.prices.create({ product: p.id, currency: 'usd', unit_amount: 100 });
    const updated = await stripe.products.update(p.id, { name: 'Renamed', description: '', active: false, default_price: price.id });
    expect(updated).toMatchObject({ name: 'Renamed', description: null, active: false, default_price: price.id });
  });

  it("refuses another product's price as default_price", async () => {
    const a = await stripe.products.create({ name: 'A' });
    const b = await stripe.products.create({ name: 'B' });
    const priceOfB = await stripe.prices.create({ product: b.id, currency: 'usd', unit_amount: 1 });
    await expect(fail(stripe.products.update(a.id, { default_price: priceOfB.id }))).resolves.toMatchObject({ param: 'default_price' });
  });

  it('creates a default price inline', async () => {
    const p = await stripe.products.create({ name: 'Inline', default_price_data: { currency: 'usd', unit_amount_decimal: Stripe.Decimal.from('2.5'), recurring: { interval: 'month' } } });
    const price = await stripe.prices.retrieve(p.default_price as string);
    expect(price).toMatchObject({ product: p.id, type: 'recurring', unit_amount: null });
    expect(String(price.unit_amount_decimal)).toBe('2.5');
  });

  it('lists by active and ids[]', async () => {
    const on = await stripe.products.create({ name: 'On' });
    const off = await stripe.products.create({ name: 'Off', active: false });
    const both = await stripe.products.list({ ids: [on.id, off.id] });
    expect(both.data.map((p) => p.id)).toEqual([off.id, on.id]);
    const inactive = await stripe.products.list({ ids: [on.id, off.id], active: false });
    expect(inactive.data.map((p) => p.id)).toEqual([off.id]);
  });

  it('deletes only a product without prices', async () => {
    const bare = await stripe.products.create({ name: 'Bare' });
    await expect(stripe.products.del(bare.id)).resolves.toMatchObject({ id: bare.id, deleted: true });
    await expect(fail(stripe.products.retrieve(bare.id))).resolves.toMatchObject({ statusCode: 404 });
    const priced = await stripe.products.create({ name: 'Priced' });
    await stripe.prices.create({ product: priced.id, currency: 'usd', unit_amount: 1 });
    const err = await fail(stripe.products.del(priced.id));
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/has one or more prices/);
  });
});

describe('prices', () => {
  let product: Stripe.Product;
  beforeAll(async () => {
    product = await stripe.products.create({ name: 'Priced product' });
  });

  it('creates a per-unit price with a decimal amount that arrives as a Stripe.Decimal', async () => {
    const price = await stripe.prices.create({ product: product.id, currency: 'USD', unit_amount_decimal: Stripe.Decimal.from('0.004'), nickname: 'per token', tax_behavior: 'exclusive', metadata: { tier: 'a' } });
    expect(price).toMatchObject({ object: 'price', currency: 'usd', billing_scheme: 'per_unit', type: 'one_time', unit_amount: null, nickname: 'per token', tax_behavior: 'exclusive', metadata: { tier: 'a' }, recurring: null, transform_quantity: null, tiers_mode: null });
    expect(price.id).toMatch(/^price_/);
    expect(price.unit_amount_decimal?.toString()).toBe('0.004');
    const raw = await fetch(`${emu.url}/v1/prices/${price.id}`, { headers: { Authorization: `Bearer ${emu.env.STRIPE_API_KEY}` } });
    expect(((await raw.json()) as { unit_amount_decimal: unknown }).unit_amount_decimal).toBe('0.004');
  });

  it('refuses a currency Stripe does not support, listing the ones it does, and writes nothing', async () => {
    const before = (await stripe.prices.list({ product: product.id, limit: 100 })).data.length;
    const err = await fail(stripe.prices.create({ product: product.id, currency: 'zzz', unit_amount: 1 }));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', param: 'currency', statusCode: 400 });
    expect(err.message).toMatch(/^Invalid currency: zzz\. Stripe currently supports these currencies: usd, aed, .*\beur\b/);
    expect((await stripe.prices.list({ product: product.id, limit: 100 })).data.length).toBe(before);
    await expect(fail(stripe.products.create({ name: 'X', default_price_data: { currency: 'abc', unit_amount: 1 } }))).resolves.toMatchObject({ param: 'default_price_data[currency]' });
  });

  it('refuses both unit_amount and unit_amount_decimal, and neither', async () => {
    await expect(fail(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1, unit_amount_decimal: Stripe.Decimal.from('1.5') }))).resolves.toMatchObject({ code: 'parameters_exclusive' });
    await expect(fail(stripe.prices.create({ product: product.id, currency: 'usd' }))).resolves.toMatchObject({ code: 'parameter_missing', param: 'unit_amount' });
  });

  it('creates graduated and volume tiered prices with decimal tiers', async () => {
    const graduated = await stripe.prices.create({
      product: product.id, currency: 'usd', billing_scheme: 'tiered', tiers_mode: 'graduated',
      tiers: [{ up_to: 1000, unit_amount: 0, flat_amount: 500 }, { up_to: 'inf', unit_amount_decimal: Stripe.Decimal.from('0.25') }],
      // As on Stripe, `tiers` is sent only when expanded, create included.
      expand: ['tiers'],
    });
    expect(graduated.tiers_mode).toBe('graduated');
    expect(graduated.tiers).toHaveLength(2);
    expect(graduated.tiers![0]).toMatchObject({ up_to: 1000, unit_amount: 0, flat_amount: 500 });
    expect(graduated.tiers![1]).toMatchObject({ up_to: null, unit_amount: null, flat_amount: null });
    expect(String(graduated.tiers![1].unit_amount_decimal)).toBe('0.25');
    const volume = await stripe.prices.create({ product: product.id, currency: 'usd', billing_scheme: 'tiered', tiers_mode: 'volume', tiers: [{ up_to: 10, unit_amount: 5 }, { up_to: 'inf', unit_amount: 3 }] });
    expect(volume.tiers_mode).toBe('volume');
  });

  it('enforces tier rules', async () => {
    const base = { product: product.id, currency: 'usd', billing_scheme: 'tiered' as const };
    await expect(fail(stripe.prices.create({ ...base, tiers: [{ up_to: 'inf', unit_amount: 1 }] }))).resolves.toMatchObject({ code: 'parameter_missing', param: 'tiers_mode' });
    await expect(fail(stripe.prices.create({ ...base, tiers_mode: 'volume', tiers: [{ up_to: 10, unit_amount: 1 }] }))).resolves.toMatchObject({ param: 'tiers[0][up_to]' });
    await expect(fail(stripe.prices.create({ ...base, tiers_mode: 'volume', tiers: [{ up_to: 10, unit_amount: 1 }, { up_to: 5, unit_amount: 1 }, { up_to: 'inf', unit_amount: 1 }] }))).resolves.toMatchObject({ param: 'tiers[1][up_to]' });
    await expect(fail(stripe.prices.create({ ...base, tiers_mode: 'volume', tiers: [{ up_to: 'inf', unit_amount: 1 }], transform_quantity: { divide_by: 1000, round: 'up' } }))).resolves.toMatchObject({ param: 'transform_quantity' });
    await expect(fail(stripe.prices.create({ ...base, tiers_mode: 'volume', unit_amount: 5, tiers: [{ up_to: 'inf', unit_amount: 1 }] }))).resolves.toMatchObject({ statusCode: 400 });
  });

  it('creates a metered package price on an active meter and refuses an inactive one', async () => {
    const m = await meter();
    const price = await stripe.prices.create({
      product: product.id, currency: 'usd', unit_amount_decimal: Stripe.Decimal.from('4'),
      recurring: { interval: 'month', usage_type: 'metered', meter: m.id },
      transform_quantity: { divide_by: 1000, round: 'up' },
    });
    expect(price).toMatchObject({ type: 'recurring', recurring: { interval: 'month', interval_count: 1, usage_type: 'metered', meter: m.id, trial_period_days: null }, transform_quantity: { divide_by: 1000, round: 'up' }, unit_amount: 4 });
    await stripe.billing.meters.deactivate(m.id);
    const err = await fail(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1, recurring: { interval: 'month', usage_type: 'metered', meter: m.id } }));
    expect(err).toMatchObject({ param: 'recurring[meter]' });
    expect(err.message).toMatch(/inactive/);
    await expect(fail(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1, recurring: { interval: 'month', usage_type: 'metered', meter: 'mtr_missing' } }))).resolves.toMatchObject({ code: 'resource_missing', param: 'recurring[meter]', statusCode: 400 });
    await expect(fail(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1, recurring: { interval: 'month', usage_type: 'metered' } }))).resolves.toMatchObject({ code: 'parameter_missing', param: 'recurring[meter]' });
  });

  it('keeps lookup keys unique and moves one atomically with transfer_lookup_key', async () => {
    const key = unique('lk');
    const first = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 10, lookup_key: key });
    const err = await fail(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 20, lookup_key: key }));
    expect(err).toMatchObject({ param: 'lookup_key' });
    expect(err.message).toContain(first.id);
    const second = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 20, lookup_key: key, transfer_lookup_key: true });
    expect(second.lookup_key).toBe(key);
    expect((await stripe.prices.retrieve(first.id)).lookup_key).toBeNull();
    const found = await stripe.prices.list({ lookup_keys: [key] });
    expect(found.data.map((p) => p.id)).toEqual([second.id]);
    // and back again through update
    await expect(fail(stripe.prices.update(first.id, { lookup_key: key }))).resolves.toMatchObject({ param: 'lookup_key' });
    await stripe.prices.update(first.id, { lookup_key: key, transfer_lookup_key: true });
    expect((await stripe.prices.retrieve(second.id)).lookup_key).toBeNull();
  });

  it('updates only mutable fields', async () => {
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 10 });
    const updated = await stripe.prices.update(price.id, { active: false, nickname: 'old', metadata: { a: '1' }, tax_behavior: 'inclusive' });
    expect(updated).toMatchObject({ active: false, nickname: 'old', metadata: { a: '1' }, tax_behavior: 'inclusive' });
    await expect(fail(stripe.prices.update(price.id, { tax_behavior: 'exclusive' }))).resolves.toMatchObject({ param: 'tax_behavior' });
    const err = await fail(stripe.prices.update(price.id, { unit_amount: 20 } as Stripe.PriceUpdateParams));
    expect(err).toMatchObject({ code: 'parameter_unknown', param: 'unit_amount' });
    expect(err.message).toMatch(/create a new price/);
    expect((await stripe.prices.retrieve(price.id)).unit_amount).toBe(10);
  });

  it('filters lists by product, active, type, currency and recurring', async () => {
    const own = await stripe.products.create({ name: 'Filters' });
    const m = await meter();
    const oneTime = await stripe.prices.create({ product: own.id, currency: 'usd', unit_amount: 1 });
    const eur = await stripe.prices.create({ product: own.id, currency: 'eur', unit_amount: 1, recurring: { interval: 'year' } });
    const metered = await stripe.prices.create({ product: own.id, currency: 'usd', unit_amount: 1, recurring: { interval: 'month', usage_type: 'metered', meter: m.id } });
    const archived = await stripe.prices.create({ product: own.id, currency: 'usd', unit_amount: 1, active: false });
    const ids = async (params: Stripe.PriceListParams) => (await stripe.prices.list({ product: own.id, ...params })).data.map((p) => p.id);
    expect(await ids({})).toEqual([metered.id, eur.id, oneTime.id]);
    expect(await ids({ active: false })).toEqual([archived.id]);
    expect(await ids({ type: 'one_time' })).toEqual([oneTime.id]);
    expect(await ids({ currency: 'eur' })).toEqual([eur.id]);
    expect(await ids({ recurring: { usage_type: 'metered' } })).toEqual([metered.id]);
    expect(await ids({ recurring: { meter: m.id } })).toEqual([metered.id]);
    expect(await ids({ recurring: { interval: 'year' } })).toEqual([eur.id]);
  });

  it('creates a product inline with product_data and refuses an unknown product', async () => {
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 3, product_data: { name: 'Inline product' } });
    await expect(stripe.products.retrieve(price.product as string)).resolves.toMatchObject({ name: 'Inline product' });
    await expect(fail(stripe.prices.create({ currency: 'usd', unit_amount: 3, product: 'prod_missing' }))).resolves.toMatchObject({ code: 'resource_missing', param: 'product' });
  });

  it('has no delete', async () => {
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1 });
    await expect(fail(stripe.rawRequest('DELETE', `/v1/prices/${price.id}`))).resolves.toMatchObject({ statusCode: 404 });
  });
});

describe('account', () => {
  it('is fixed, so profiles can pin it', async () => {
    const a = await stripe.accounts.retrieveCurrent();
    const b = await emu.client({ apiKey: 'sk_test_a_different_key' }).accounts.retrieveCurrent();
    expect(a.id).toMatch(/^acct_emulator/);
    expect(b.id).toBe(a.id);
  });
});

describe('search', () => {
  it('finds products and prices with Stripe search queries, newest first, paging with next_page', async () => {
    const own = await stripe.products.create({ name: 'Searchable Llama', metadata: { plan: 'llama' } });
    await stripe.products.create({ name: 'Searchable Llama 2', metadata: { plan: 'llama' }, active: false });
    const found = await stripe.products.search({ query: "metadata['plan']:'llama' AND active:'true'" });
    expect(found.object).toBe('search_result');
    expect(found.data.map((p) => p.id)).toEqual([own.id]);
    const byName = await stripe.products.search({ query: "name~'searchable llama'", limit: 1 });
    expect(byName.data).toHaveLength(1);
    expect(byName.has_more).toBe(true);
    const next = await stripe.products.search({ query: "name~'searchable llama'", limit: 1, page: byName.next_page! });
    expect(next.data.map((p) => p.name)).toEqual(['Searchable Llama']);

    const key = unique('search_lk');
    const price = await stripe.prices.create({ product: own.id, currency: 'usd', unit_amount: 9, lookup_key: key });
    await expect(stripe.prices.search({ query: `lookup_key:'${key}'` })).resolves.toMatchObject({ data: [{ id: price.id }] });
    await expect(stripe.prices.search({ query: `product:'${own.id}' AND currency:'usd'` })).resolves.toMatchObject({ data: [{ id: price.id }] });
    await expect(fail(stripe.prices.search({ query: "nickname:'x'" }))).resolves.toMatchObject({ statusCode: 400, param: 'query' });
  });
});

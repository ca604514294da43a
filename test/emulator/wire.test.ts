import type Stripe from 'stripe';
import { fail, startTestEmulator, TEST_API_KEY, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());


describe('errors in Stripe shape', () => {
  it('raises StripeInvalidRequestError with resource_missing for an unknown id', async () => {
    const err = await fail(emu.stripe.products.retrieve('prod_nope'));
    expect(err).toBeInstanceOf(emu.stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id', rawType: 'invalid_request_error' });
    expect(err.message).toBe("No such product: 'prod_nope'");
    expect(err.requestId).toMatch(/^req_/);
  });

  it('names a missing required parameter', async () => {
    const err = await fail(emu.stripe.products.create({} as Stripe.ProductCreateParams));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, code: 'parameter_missing', param: 'name' });
  });

  it('refuses an unknown parameter', async () => {
    const err = await fail(emu.stripe.products.create({ name: 'x', colour: 'red' } as Stripe.ProductCreateParams));
    expect(err).toMatchObject({ code: 'parameter_unknown', param: 'colour' });
  });

  it('refuses a non-integer and an out-of-range limit', async () => {
    await expect(fail(emu.stripe.products.list({ limit: 'ten' as unknown as number }))).resolves.toMatchObject({ code: 'parameter_invalid_integer', param: 'limit' });
    await expect(fail(emu.stripe.products.list({ limit: 101 }))).resolves.toMatchObject({ code: 'parameter_invalid_integer', param: 'limit' });
  });

  it('answers 401 with a JSON error and a Request-Id when no key is sent', async () => {
    const res = await fetch(`${emu.url}/v1/products`);
    expect(res.status).toBe(401);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/did not provide an API key/);
  });

  it('accepts a restricted test key', async () => {
    await expect(emu.client({ apiKey: 'rk_test_abcdef123456' }).products.list()).resolves.toMatchObject({ object: 'list' });
  });
});

describe('form encoding', () => {
  it('reads nested brackets and indexed arrays from POST bodies and GET query strings', async () => {
    const res = await fetch(`${emu.url}/v1/products`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_API_KEY}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=Wire&metadata[team]=core&images[0]=https%3A%2F%2Fa.example%2F1.png&images[1]=https%3A%2F%2Fa.example%2F2.png',
    });
    const product = (await res.json()) as Stripe.Product;
    expect(product).toMatchObject({ name: 'Wire', metadata: { team: 'core' }, images: ['https://a.example/1.png', 'https://a.example/2.png'] });
    const listed = await fetch(`${emu.url}/v1/products?ids[0]=${product.id}&limit=1`, { headers: { Authorization: `Bearer ${TEST_API_KEY}` } });
    const page = (await listed.json()) as Stripe.ApiList<Stripe.Product>;
    expect(page.data.map((p) => p.id)).toEqual([product.id]);
  });

  it('merges metadata and removes keys set to an empty value', async () => {
    const p = await emu.stripe.products.create({ name: 'Meta', metadata: { a: '1', b: '2' } });
    const updated = await emu.stripe.products.update(p.id, { metadata: { a: '', c: '3' } });
    expect(updated.metadata).toEqual({ b: '2', c: '3' });
    const cleared = await emu.stripe.products.update(p.id, { metadata: '' });
    expect(cleared.metadata).toEqual({});
  });
});

describe('idempotency', () => {
  it('replays the stored response for a repeated key instead of creating twice', async () => {
    const first = await emu.stripe.products.create({ name: 'Once' }, { idempotencyKey: 'idem-once' });
    const second = await emu.stripe.products.create({ name: 'Once' }, { idempotencyKey: 'idem-once' });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    const named = emu.core.collection<{ id: string; name: string }>('products').all().filter((p) => p.name === 'Once');
    expect(named).toHaveLength(1);
  });

  it('refuses the same key with different parameters (StripeIdempotencyError)', async () => {
    await emu.stripe.products.create({ name: 'Key A' }, { idempotencyKey: 'idem-mismatch' });
    const err = await fail(emu.stripe.products.create({ name: 'Key B' }, { idempotencyKey: 'idem-mismatch' }));
    expect(err).toBeInstanceOf(emu.stripe.errors.StripeIdempotencyError);
    expect(err).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
  });

  it('stores nothing for a request that failed validation, so it can be retried fixed', async () => {
    const err = await fail(emu.stripe.products.create({ name: '' }, { idempotencyKey: 'idem-fixable' }));
    expect(err.statusCode).toBe(400);
    const fixed = await emu.stripe.products.create({ name: 'Fixed' }, { idempotencyKey: 'idem-fixable' });
    expect(fixed.name).toBe('Fixed');
  });

  it('scopes keys by API key', async () => {
    const a = await emu.stripe.products.create({ name: 'Scoped' }, { idempotencyKey: 'idem-scope' });
    const b = await emu.client({ apiKey: 'sk_test_other_account_key' }).products.create({ name: 'Scoped' }, { idempotencyKey: 'idem-scope' });
    expect(b.id).not.toBe(a.id);
  });
});

describe('lists and pagination', () => {
  let solo: TestEmulator;
  beforeAll(async () => {
    solo = await startTestEmulator();
    for (let i = 0; i < 105; i++) await solo.stripe.products.create({ name: `P${i}` });
  });
  afterAll(() => solo.close());

  it('pages newest first with has_more and a url', async () => {
    const first = await solo.stripe.products.list({ limit: 100 });
    expect(first).toMatchObject({ object: 'list', has_more: true, url: '/v1/products' });
    expect(first.data).toHaveLength(100);
    expect(first.data[0].name).toBe('P104');
    const rest = await solo.stripe.products.list({ limit: 100, starting_after: first.data[99].id });
    expect(rest.has_more).toBe(false);
    expect(rest.data.map((p) => p.name)).toEqual(['P4', 'P3', 'P2', 'P1', 'P0']);
    const back = await solo.stripe.products.list({ limit: 3, ending_before: rest.data[0].id });
    expect(back.data.map((p) => p.name)).toEqual(['P7', 'P6', 'P5']);
    expect(back.has_more).toBe(true);
  });

  it('defaults to 10 per page', async () => {
    expect((await solo.stripe.products.list()).data).toHaveLength(10);
  });

  it('auto-paginates over more than 100 objects', async () => {
    const all = await solo.stripe.products.list({ limit: 40 }).autoPagingToArray({ limit: 1000 });
    expect(all).toHaveLength(105);
    expect(new Set(all.map((p) => p.id)).size).toBe(105);
  });

  it('refuses a cursor that names no object', async () => {
    await expect(fail(solo.stripe.products.list({ starting_after: 'prod_gone' }))).resolves.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'starting_after' });
  });
});

describe('expansion', () => {
  it('expands data.product on a price list and default_price on a product, without changing stored objects', async () => {
    const product = await emu.stripe.products.create({ name: 'Expandable', default_price_data: { currency: 'usd', unit_amount: 500 } });
    const listed = await emu.stripe.prices.list({ product: product.id, expand: ['data.product'] });
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0].product).toMatchObject({ id: product.id, object: 'product', name: 'Expandable' });
    const withPrice = await emu.stripe.products.retrieve(product.id, { expand: ['default_price', 'default_price.product'] });
    const price = withPrice.default_price as Stripe.Price;
    expect(price).toMatchObject({ object: 'price', unit_amount: 500 });
    expect((price.product as Stripe.Product).id).toBe(product.id);
    const plain = await emu.stripe.prices.retrieve(price.id);
    expect(plain.product).toBe(product.id);
  });

  it('refuses a field that cannot be expanded', async () => {
    const product = await emu.stripe.products.create({ name: 'Flat' });
    await expect(fail(emu.stripe.products.retrieve(product.id, { expand: ['name'] }))).resolves.toMatchObject({ statusCode: 400, param: 'expand' });
  });
});

describe('v2 JSON', () => {
  it('reads JSON bodies on /v2 and refuses malformed JSON with a JSON 400', async () => {
    const session = await emu.stripe.v2.billing.meterEventSession.create();
    expect(session.authentication_token).toEqual(expect.any(String));
    const res = await fetch(`${emu.url}/v2/billing/meter_event_session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_API_KEY}`, 'Content-Type': 'application/json' },
      body: '{"oops": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Invalid JSON body/);
  });
});

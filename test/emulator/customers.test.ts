import type Stripe from 'stripe';
import { type TestEmulator, fail, startTestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
const events: Array<{ type: string; object: Record<string, any>; previous?: Record<string, any> }> = [];
beforeAll(async () => {
  emu = await startTestEmulator();
  emu.core.onEvent((type, object, previous) => events.push({ type, object, previous }));
});
afterAll(() => emu.close());

describe('customers', () => {
  test('create, retrieve and delete round-trip with Stripe-shaped objects and events', async () => {
    const created = await emu.stripe.customers.create({ email: 'round@trip.test', name: 'Round Trip', metadata: { uid: 'u1' } });
    expect(created).toMatchObject({ object: 'customer', email: 'round@trip.test', name: 'Round Trip', metadata: { uid: 'u1' }, livemode: false, invoice_settings: { default_payment_method: null } });
    expect(created.id).toMatch(/^cus_[A-Za-z0-9]{14,24}$/);
    expect(await emu.stripe.customers.retrieve(created.id)).toEqual(created);
    const deleted = await emu.stripe.customers.del(created.id);
    expect(deleted).toEqual({ id: created.id, object: 'customer', deleted: true });
    expect(await emu.stripe.customers.retrieve(created.id)).toMatchObject({ id: created.id, deleted: true });
    await expect(fail(emu.stripe.customers.update(created.id, { name: 'x' }))).resolves.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(events.filter((e) => e.object.id === created.id).map((e) => e.type)).toEqual(['customer.created', 'customer.deleted']);
  });

  test("update merges metadata, '' deletes a key, and customer.updated carries previous_attributes", async () => {
    const c = await emu.stripe.customers.create({ metadata: { a: '1', b: '2' } });
    const updated = await emu.stripe.customers.update(c.id, { metadata: { b: '', c: '3' }, name: 'Renamed' });
    expect(updated.metadata).toEqual({ a: '1', c: '3' });
    const event = events.filter((e) => e.type === 'customer.updated' && e.object.id === c.id).pop();
    expect(event?.previous).toEqual({ metadata: { a: '1', b: '2' }, name: null });
  });

  test('unknown ids and unknown parameters are refused like Stripe', async () => {
    await expect(fail(emu.stripe.customers.retrieve('cus_missing'))).resolves.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing', param: 'id' });
    await expect(fail(emu.stripe.customers.create({ colour: 'red' } as Stripe.CustomerCreateParams))).resolves.toMatchObject({ code: 'parameter_unknown', param: 'colour' });
  });

  test('list filters by exact, case-sensitive email, newest first', async () => {
    const first = await emu.stripe.customers.create({ email: 'Case@Sensitive.test' });
    const second = await emu.stripe.customers.create({ email: 'Case@Sensitive.test' });
    await emu.stripe.customers.create({ email: 'case@sensitive.test' });
    const page = await emu.stripe.customers.list({ email: 'Case@Sensitive.test' });
    expect(page.data.map((c) => c.id)).toEqual([second.id, first.id]);
  });

  test('deleting a customer cancels their active subscriptions', async () => {
    const product = await emu.stripe.products.create({ name: 'Seat' });
    const price = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 0, recurring: { interval: 'month' } });
    const c = await emu.stripe.customers.create({ email: 'leaving@x.test' });
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: price.id }] });
    expect(sub.status).toBe('active');
    await emu.stripe.customers.del(c.id);
    expect(await emu.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ status: 'canceled' });
    expect(events.some((e) => e.type === 'customer.subscription.deleted' && e.object.id === sub.id)).toBe(true);
  });

  test('a test card can be attached at creation and made the invoice default', async () => {
    const c = await emu.stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const pm = c.invoice_settings.default_payment_method as string;
    expect(pm).toMatch(/^pm_/);
    expect(await emu.stripe.paymentMethods.retrieve(pm)).toMatchObject({ customer: c.id, type: 'card', card: { brand: 'visa', last4: '4242' } });
    const methods = await emu.stripe.customers.listPaymentMethods(c.id);
    expect(methods.data.map((m) => m.id)).toEqual([pm]);
  });
});

describe('customer search', () => {
  let ada: Stripe.Customer;
  let grace: Stripe.Customer;
  beforeAll(async () => {
    ada = await emu.stripe.customers.create({ email: 'ada@search.test', name: 'Ada Lovelace', metadata: { uid: '42', team: 'engines' } });
    grace = await emu.stripe.customers.create({ email: 'grace@search.test', name: 'Grace Hopper', metadata: { uid: '7', team: 'engines' } });
  });
  const ids = (r: Stripe.ApiSearchResult<Stripe.Customer>) => r.data.map((c) => c.id).sort();

  test("email and metadata['k'] with AND", async () => {
    const r = await emu.stripe.customers.search({ query: "email:'ada@search.test' AND metadata['uid']:'42'" });
    expect(r).toMatchObject({ object: 'search_result', has_more: false, next_page: null });
    expect(ids(r)).toEqual([ada.id]);
    expect(ids(await emu.stripe.customers.search({ query: "email:'ada@search.test' AND metadata['uid']:'7'" }))).toEqual([]);
  });

  test('OR, substring (~) on name', async () => {
    expect(ids(await emu.stripe.customers.search({ query: "name~'lovel' OR name~'hopp'" }))).toEqual([ada.id, grace.id].sort());
  });

  test('pages with next_page, which the SDK follows when auto-paginating', async () => {
    const first = await emu.stripe.customers.search({ query: "metadata['team']:'engines'", limit: 1 });
    expect(first.has_more).toBe(true);
    expect(first.next_page).toEqual(expect.any(String));
    const all = await emu.stripe.customers.search({ query: "metadata['team']:'engines'", limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(all.map((c) => c.id).sort()).toEqual([ada.id, grace.id].sort());
  });

  test('mixing AND and OR, or an unknown field, is a 400 naming the query', async () => {
    const err = await fail(emu.stripe.customers.search({ query: "name:'a' AND email:'b' OR name:'c'" }));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'query' });
    expect(err.message).toMatch(/AND and OR/);
    await expect(fail(emu.stripe.customers.search({ query: "colour:'red'" }))).resolves.toMatchObject({ param: 'query' });
  });
});

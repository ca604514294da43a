import type Stripe from 'stripe';
import { type TestEmulator, fail, startTestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
const events: Array<{ type: string; object: Record<string, any> }> = [];
let seat: Stripe.Price;
let metered: Stripe.Price;

beforeAll(async () => {
  emu = await startTestEmulator();
  emu.core.onEvent((type, object) => events.push({ type, object }));
  const product = await emu.stripe.products.create({ name: 'Checkout' });
  const meter = await emu.stripe.billing.meters.create({ display_name: 'Words', event_name: 'co_words', default_aggregation: { formula: 'sum' } });
  seat = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1200, recurring: { interval: 'month' } });
  metered = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id } });
});
afterAll(() => emu.close());

async function complete(url: string, form: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/complete`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: await res.json() };
}

describe('checkout sessions', () => {
  test('subscription mode: the hosted page says what it is, and completing it creates an active subscription', async () => {
    const customer = await emu.stripe.customers.create({ email: 'buyer@x.test' });
    const session = await emu.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: seat.id, quantity: 2 }, { price: metered.id }],
      success_url: 'https://app.example/done?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://app.example/cancel',
      subscription_data: { metadata: { plan: 'team' }, description: 'Team plan' },
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({ object: 'checkout.session', status: 'open', mode: 'subscription', customer: customer.id, subscription: null, payment_status: 'unpaid' });
    expect(session.url).toBe(`${emu.url}/checkout/${session.id}`);

    const page = await fetch(session.url as string);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('Emulated Stripe Checkout');
    expect(html).toContain(session.id);
    expect(html).toContain(`/checkout/${session.id}/complete`);

    const done = await complete(session.url as string);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: session.id, status: 'complete', payment_status: 'paid', amount_total: 2400 });
    const retrieved = await emu.stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    const sub = retrieved.subscription as Stripe.Subscription;
    expect(sub).toMatchObject({ object: 'subscription', status: 'active', customer: customer.id, metadata: { plan: 'team' }, description: 'Team plan' });
    expect(sub.items.data.map((i) => [i.price.id, i.quantity ?? null])).toEqual([
      [seat.id, 2],
      [metered.id, null],
    ]);
    expect(sub.default_payment_method).toEqual(expect.stringMatching(/^pm_/));
    expect(events.some((e) => e.type === 'checkout.session.completed' && e.object.id === session.id)).toBe(true);
    const listed = await emu.stripe.checkout.sessions.list({ customer: customer.id });
    expect(listed.data.map((s) => s.id)).toEqual([session.id]);
  });

  test('without a customer, completion creates one from the email given', async () => {
    const session = await emu.stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: metered.id }], success_url: 'https://app.example/ok' });
    const done = await complete(session.url as string, { email: 'new@x.test' });
    expect(done.body).toMatchObject({ status: 'complete', payment_status: 'no_payment_required' });
    const customer = (await emu.stripe.customers.retrieve(done.body.customer)) as Stripe.Customer;
    expect(customer.email).toBe('new@x.test');
  });

  test('setup mode needs a currency unless allowed_payment_method_types is given (the SDK type says so)', async () => {
    const customer = await emu.stripe.customers.create({});
    const err = await fail(emu.stripe.checkout.sessions.create({ mode: 'setup', customer: customer.id, success_url: 'https://app.example/ok' }));
    expect(err).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'currency' });
    const session = await emu.stripe.checkout.sessions.create({ mode: 'setup', customer: customer.id, allowed_payment_method_types: ['card'], success_url: 'https://app.example/ok' });
    expect(session).toMatchObject({ mode: 'setup', currency: null, status: 'open' });
  });

  test('setup mode saves the card as the customer default through a succeeded SetupIntent', async () => {
    const customer = await emu.stripe.customers.create({});
    const session = await emu.stripe.checkout.sessions.create({ mode: 'setup', customer: customer.id, currency: 'usd', success_url: 'https://app.example/ok' });
    const done = await complete(session.url as string);
    expect(done.body).toMatchObject({ status: 'complete', setup_intent: expect.stringMatching(/^seti_/) });
    const si = await emu.stripe.setupIntents.retrieve(done.body.setup_intent);
    expect(si).toMatchObject({ status: 'succeeded', customer: customer.id });
    expect(((await emu.stripe.customers.retrieve(customer.id)) as Stripe.Customer).invoice_settings.default_payment_method).toBe(si.payment_method);
  });

  test('setup mode saves the attach-then-fail card (pm_card_chargeCustomerFail): only charges with it fail', async () => {
    const customer = await emu.stripe.customers.create({});
    const session = await emu.stripe.checkout.sessions.create({ mode: 'setup', customer: customer.id, currency: 'usd', success_url: 'https://app.example/ok' });
    const done = await complete(session.url as string, { card: 'pm_card_chargeCustomerFail' });
    expect(done).toMatchObject({ status: 200, body: { status: 'complete' } });
    expect(await emu.stripe.setupIntents.retrieve(done.body.setup_intent)).toMatchObject({ status: 'succeeded', customer: customer.id });
  });

  test('a declined card answers 402 and leaves the session open; a completed session cannot complete again', async () => {
    const session = await emu.stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: seat.id }], success_url: 'https://app.example/ok' });
    const declined = await complete(session.url as string, { card: 'pm_card_chargeDeclined' });
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatchObject({ type: 'card_error', code: 'card_declined' });
    expect((await emu.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect((await complete(session.url as string)).status).toBe(200);
    const again = await complete(session.url as string);
    expect(again.status).toBe(400);
  });

  test('a browser form post is redirected to success_url with the session id filled in', async () => {
    const session = await emu.stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: metered.id }], success_url: 'https://app.example/done?session={CHECKOUT_SESSION_ID}' });
    const res = await fetch(`${session.url}/complete`, { method: 'POST', redirect: 'manual', headers: { Accept: 'text/html', 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'card=pm_card_visa' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://app.example/done?session=${session.id}`);
  });

  test('invalid sessions are refused naming the parameter', async () => {
    await expect(fail(emu.stripe.checkout.sessions.create({ line_items: [{ price: seat.id }] } as Stripe.Checkout.SessionCreateParams))).resolves.toMatchObject({ code: 'parameter_missing', param: 'mode' });
    await expect(fail(emu.stripe.checkout.sessions.create({ mode: 'subscription', success_url: 'https://x' }))).resolves.toMatchObject({ code: 'parameter_missing', param: 'line_items' });
    await expect(fail(emu.stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: 'price_nope' }] }))).resolves.toMatchObject({ code: 'resource_missing', param: 'line_items[0][price]' });
    await expect(fail(emu.stripe.checkout.sessions.retrieve('cs_test_missing'))).resolves.toMatchObject({ statusCode: 404 });
    expect((await fetch(`${emu.url}/checkout/cs_test_missing`)).status).toBe(404);
  });

  test('line items are listed with their amounts, and an open session can be expired', async () => {
    const session = await emu.stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: seat.id, quantity: 3 }, { price: metered.id }], success_url: 'https://app.example/ok' });
    const items = await emu.stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data.map((i) => [i.price?.id, i.quantity, i.amount_total])).toEqual([
      [seat.id, 3, 3600],
      [metered.id, null, 0],
    ]);
    const expanded = await emu.stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] });
    expect(expanded.line_items?.data).toHaveLength(2);
    await expect(emu.stripe.checkout.sessions.expire(session.id)).resolves.toMatchObject({ status: 'expired' });
    expect((await complete(session.url as string)).status).toBe(400);
    await expect(fail(emu.stripe.checkout.sessions.expire(session.id))).resolves.toMatchObject({ statusCode: 400 });
  });
});

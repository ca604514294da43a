// The client side of payment collection: publishable keys on the endpoints Stripe.js calls, card
// numbers as a payment form sends them, and the Stripe.js stand-in served at /v3/.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type Stripe from 'stripe';
import { type TestEmulator, fail, startTestEmulator } from '../helpers/emulator.js';
import { awaitingCard, meteredPrice } from '../helpers/payments.js';

const PK = 'pk_test_emulator_browser';
let emu: TestEmulator;
let browser: Stripe;
let metered: Stripe.Price;

beforeAll(async () => {
  emu = await startTestEmulator();
  browser = emu.client({ apiKey: PK });
  metered = await meteredPrice(emu.stripe, 'Browser');
});
afterAll(() => emu.close());

const pendingSetup = () => awaitingCard(emu.stripe, metered, 'browser@x.test');

/** What the stand-in sends: a form body with the key as a parameter, no Authorization header. */
async function formPost(path: string, params: Record<string, string>): Promise<{ status: number; body: any; cors: string | null }> {
  const res = await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
  return { status: res.status, body: await res.json(), cors: res.headers.get('access-control-allow-origin') };
}

const card = (number: string) => ({ 'payment_method_data[type]': 'card', 'payment_method_data[card][number]': number, 'payment_method_data[card][exp_month]': '12', 'payment_method_data[card][exp_year]': '2099', 'payment_method_data[card][cvc]': '123' });

describe('publishable keys', () => {
  test('are refused on server-side endpoints with Stripe’s error', async () => {
    const err = await fail(browser.customers.list());
    expect(err.type).toBe('StripeAuthenticationError');
    expect(err.message).toMatch(/cannot be made with a publishable API key/);
  });

  test('retrieve a SetupIntent with its client secret, and only with it', async () => {
    const { si } = await pendingSetup();
    expect(await browser.setupIntents.retrieve(si.id, { client_secret: si.client_secret! })).toMatchObject({ id: si.id, status: 'requires_payment_method' });
    expect(await fail(browser.setupIntents.retrieve(si.id))).toMatchObject({ code: 'parameter_missing', param: 'client_secret' });
    const other = await pendingSetup();
    expect(await fail(browser.setupIntents.retrieve(si.id, { client_secret: other.si.client_secret! }))).toMatchObject({ param: 'client_secret', message: expect.stringMatching(/does not match/) });
  });

  test('confirm with the 4242 card sent as the key parameter: card attached and default, subscription waits no more', async () => {
    const { customer, sub, si } = await pendingSetup();
    const res = await formPost(`/v1/setup_intents/${si.id}/confirm`, { key: PK, client_secret: si.client_secret!, ...card('4242 4242 4242 4242') });
    expect(res).toMatchObject({ status: 200, cors: '*', body: { id: si.id, status: 'succeeded' } });
    const pm = await emu.stripe.paymentMethods.retrieve(res.body.payment_method);
    expect(pm).toMatchObject({ customer: customer.id, card: { last4: '4242', exp_month: 12, exp_year: 2099 } });
    expect(((await emu.stripe.customers.retrieve(customer.id)) as Stripe.Customer).invoice_settings.default_payment_method).toBe(pm.id);
    expect(await emu.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ status: 'active', pending_setup_intent: null, default_payment_method: pm.id });
  });

  test('a confirm without the client secret changes nothing', async () => {
    const { si } = await pendingSetup();
    const res = await formPost(`/v1/setup_intents/${si.id}/confirm`, { key: PK, ...card('4242424242424242') });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'parameter_missing', param: 'client_secret' } } });
    expect((await emu.stripe.setupIntents.retrieve(si.id)).status).toBe('requires_payment_method');
  });
});

describe('test card numbers', () => {
  test('4000 0000 0000 0002 is declined: nothing attached, the subscription still waits', async () => {
    const { customer, sub, si } = await pendingSetup();
    const res = await formPost(`/v1/setup_intents/${si.id}/confirm`, { key: PK, client_secret: si.client_secret!, ...card('4000000000000002') });
    expect(res).toMatchObject({ status: 402, body: { error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' } } });
    expect((await emu.stripe.paymentMethods.list({ customer: customer.id })).data).toEqual([]);
    expect(await emu.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ pending_setup_intent: si.id, default_payment_method: null });
  });

  test('4000 0000 0000 0341 attaches (the setup succeeds) but a charge fails', async () => {
    const { customer, si } = await pendingSetup();
    const res = await formPost(`/v1/setup_intents/${si.id}/confirm`, { key: PK, client_secret: si.client_secret!, ...card('4000000000000341') });
    expect(res).toMatchObject({ status: 200, body: { status: 'succeeded' } });
    expect((await emu.stripe.paymentMethods.retrieve(res.body.payment_method)).customer).toBe(customer.id);
    const seat = await emu.stripe.prices.create({ product: metered.product as string, currency: 'usd', unit_amount: 500, recurring: { interval: 'month' } });
    const err = await fail(emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: seat.id }], payment_behavior: 'error_if_incomplete' }));
    expect(err).toMatchObject({ type: 'StripeCardError', code: 'card_declined' });
  });

  test('a mistyped number is incorrect_number, a real card number is refused in test mode', async () => {
    const { si } = await pendingSetup();
    const typo = await formPost(`/v1/setup_intents/${si.id}/confirm`, { key: PK, client_secret: si.client_secret!, ...card('4242424242424241') });
    expect(typo).toMatchObject({ status: 402, body: { error: { type: 'card_error', code: 'incorrect_number' } } });
    const real = await formPost(`/v1/setup_intents/${si.id}/confirm`, { key: PK, client_secret: si.client_secret!, ...card('4111111111111111') });
    expect(real).toMatchObject({ status: 402, body: { error: { code: 'card_declined', decline_code: 'test_mode_live_card' } } });
  });
});

describe('3-D Secure cards', () => {
  test('4000 0025 0000 3155 needs authentication; once authenticated the card is set up as any other', async () => {
    const { customer, sub, si } = await pendingSetup();
    const res = await formPost(`/v1/setup_intents/${si.id}/confirm`, { key: PK, client_secret: si.client_secret!, ...card('4000002500003155') });
    expect(res).toMatchObject({ status: 200, body: { status: 'requires_action', next_action: { type: 'use_stripe_sdk' } } });
    expect(await emu.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ pending_setup_intent: si.id, default_payment_method: null });
    const done = await formPost(`/v1/setup_intents/${si.id}/three_d_secure`, { key: PK, client_secret: si.client_secret!, result: 'authenticated' });
    expect(done).toMatchObject({ status: 200, body: { status: 'succeeded', next_action: null, payment_method: res.body.payment_method } });
    expect(((await emu.stripe.customers.retrieve(customer.id)) as Stripe.Customer).invoice_settings.default_payment_method).toBe(res.body.payment_method);
  });

  test('a failed authentication leaves the intent waiting for another card, with Stripe’s error', async () => {
    const { customer, sub, si } = await pendingSetup();
    await formPost(`/v1/setup_intents/${si.id}/confirm`, { key: PK, client_secret: si.client_secret!, ...card('4000000000003220') });
    const failed = await formPost(`/v1/setup_intents/${si.id}/three_d_secure`, { key: PK, client_secret: si.client_secret!, result: 'failed' });
    expect(failed).toMatchObject({ status: 200, body: { status: 'requires_payment_method', payment_method: null, next_action: null, last_setup_error: { type: 'invalid_request_error', code: 'setup_intent_authentication_failure' } } });
    expect((await emu.stripe.paymentMethods.list({ customer: customer.id })).data).toEqual([]);
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).pending_setup_intent).toBe(si.id);
    const again = await formPost(`/v1/setup_intents/${si.id}/three_d_secure`, { key: PK, client_secret: si.client_secret!, result: 'authenticated' });
    expect(again).toMatchObject({ status: 400, body: { error: { code: 'setup_intent_unexpected_state' } } });
  });
});

describe('the Stripe.js stand-in', () => {
  const source = readFileSync(resolve(import.meta.dirname, '../../src/emulator/stripe-js/stripe-v3.js'), 'utf8');

  test.each(['/v3/', '/js.stripe.com/v3/'])('GET %s serves the script without a key', async (path) => {
    const res = await fetch(`${emu.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await res.text()).toBe(source);
  });

  test('the standalone emulator bundle serves it too (no file beside the bundle needed)', async () => {
    const require = createRequire(import.meta.url);
    const { startEmulator } = require('../../dist/bundle/emulator.cjs') as typeof import('../../src/emulator/index.js');
    const bundled = await startEmulator({ port: 0, quiet: true });
    try {
      expect(await (await fetch(`${bundled.url}/v3/`)).text()).toBe(source);
    } finally {
      await bundled.close();
    }
  });
});

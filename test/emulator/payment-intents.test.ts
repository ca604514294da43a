// Standalone PaymentIntents, driven with the real SDK: the status machine of the test cards, the
// client-side (publishable key + client secret) retrieve and confirm, events and idempotency.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type Stripe from 'stripe';
import { type TestEmulator, fail, startTestEmulator } from '../helpers/emulator.js';

const PK = 'pk_test_emulator_payments';
let emu: TestEmulator;
let browser: Stripe;

beforeAll(async () => {
  emu = await startTestEmulator();
  browser = emu.client({ apiKey: PK });
});
afterAll(() => emu.close());

const customer = () => emu.stripe.customers.create({ email: 'pay@x.test' });
/** Card-only intents confirm without a return_url (nothing could redirect). */
const cardIntent = (params: Partial<Stripe.PaymentIntentCreateParams> = {}) => emu.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', allowed_payment_method_types: ['card'], ...params });
const eventsFor = async (id: string) =>
  (await emu.stripe.events.list({ limit: 100 })).data
    .filter((e) => (e.data.object as { id?: string }).id === id)
    .map((e) => e.type)
    .reverse();

/** What the Stripe.js stand-in sends: a form body with the key as a parameter. */
async function formPost(path: string, params: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ key: PK, ...params }) });
  return { status: res.status, body: await res.json() };
}
const card = (number: string) => ({ 'payment_method_data[type]': 'card', 'payment_method_data[card][number]': number, 'payment_method_data[card][exp_month]': '12', 'payment_method_data[card][exp_year]': '2099', 'payment_method_data[card][cvc]': '123' });

describe('create and confirm', () => {
  test('the 4242 card: succeeded, amount received, events created then succeeded', async () => {
    const pi = await cardIntent({ description: 'Order 7', metadata: { order: '7' } });
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'requires_payment_method', amount: 2000, currency: 'usd', amount_received: 0, description: 'Order 7', metadata: { order: '7' }, allowed_payment_method_types: ['card'], payment_method_types: ['card'], automatic_payment_methods: null, capture_method: 'automatic_async', confirmation_method: 'automatic' });
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_\\w+$`));
    const confirmed = await emu.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(confirmed).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 2000, last_payment_error: null, next_action: null });
    expect((await emu.stripe.paymentMethods.retrieve(confirmed.payment_method as string)).card?.last4).toBe('4242');
    expect(await eventsFor(pi.id)).toEqual(['payment_intent.created', 'payment_intent.succeeded']);
  });

  test('has every field the SDK types give a PaymentIntent', async () => {
    const dts = readFileSync(resolve(import.meta.dirname, '../../node_modules/stripe/esm/resources/PaymentIntents.d.ts'), 'utf8');
    const body = dts.slice(dts.indexOf('export interface PaymentIntent {'), dts.indexOf('export declare namespace PaymentIntent {'));
    const fields = [...body.matchAll(/^ {4}(\w+): /gm)].map((m) => m[1]);
    expect(fields.length).toBeGreaterThan(40);
    const pi = await cardIntent();
    expect(fields.filter((f) => !(f in pi))).toEqual([]);
  });

  test('confirm=true at create, with automatic payment methods (the default) and a return_url', async () => {
    const c = await customer();
    const pi = await emu.stripe.paymentIntents.create({ amount: 1500, currency: 'eur', customer: c.id, payment_method: 'pm_card_mastercard', confirm: true, return_url: 'https://example.com/done' });
    expect(pi).toMatchObject({ status: 'succeeded', customer: c.id, automatic_payment_methods: { enabled: true, allow_redirects: 'always' }, payment_method_types: ['card'] });
  });

  test('automatic payment methods that allow redirects: a server-side confirm without return_url is refused with Stripe’s message', async () => {
    const err = await fail(emu.stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }));
    expect(err.message).toMatch(/some of which may require a full page redirect to succeed.*allow_redirects/s);
    const never = await emu.stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    expect(never.status).toBe('succeeded');
  });

  test('a declining card: 402 with decline_code, the intent waits for another card with last_payment_error', async () => {
    const pi = await cardIntent();
    const err = await fail(emu.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }));
    expect(err).toMatchObject({ type: 'StripeCardError', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    expect((err.raw as { payment_intent?: { id: string } }).payment_intent?.id).toBe(pi.id);
    const after = await emu.stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({ status: 'requires_payment_method', payment_method: null, amount_received: 0, last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.', payment_method: { card: { last4: '9995' } } } });
    expect(await eventsFor(pi.id)).toEqual(['payment_intent.created', 'payment_intent.payment_failed']);
    const retried = await emu.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(retried).toMatchObject({ status: 'succeeded', last_payment_error: null });
  });

  test('the card that sets up but fails charges (0341) declines a payment', async () => {
    const pi = await cardIntent();
    const res = await formPost(`/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, ...card('4000000000000341') });
    expect(res).toMatchObject({ status: 402, body: { error: { code: 'card_declined', decline_code: 'generic_decline', payment_intent: { id: pi.id, status: 'requires_payment_method' } } } });
  });

  test('setup_future_usage attaches the card to the customer; without it nothing is attached', async () => {
    const c = await customer();
    const saved = await cardIntent({ customer: c.id, setup_future_usage: 'off_session', payment_method: 'pm_card_visa', confirm: true });
    expect(saved).toMatchObject({ status: 'succeeded', setup_future_usage: 'off_session' });
    expect((await emu.stripe.paymentMethods.retrieve(saved.payment_method as string)).customer).toBe(c.id);
    const once = await cardIntent({ customer: c.id, payment_method: 'pm_card_mastercard', confirm: true });
    expect((await emu.stripe.paymentMethods.retrieve(once.payment_method as string)).customer).toBeNull();
    expect((await emu.stripe.paymentMethods.list({ customer: c.id })).data.map((pm) => pm.id)).toEqual([saved.payment_method]);
  });

  test('a confirmed intent cannot be confirmed again, nor canceled', async () => {
    const pi = await cardIntent({ payment_method: 'pm_card_visa', confirm: true });
    expect(await fail(emu.stripe.paymentIntents.confirm(pi.id))).toMatchObject({ code: 'payment_intent_unexpected_state' });
    expect(await fail(emu.stripe.paymentIntents.cancel(pi.id))).toMatchObject({ code: 'payment_intent_unexpected_state', message: expect.stringMatching(/status of succeeded/) });
  });

  test('bad input names the parameter', async () => {
    expect(await fail(emu.stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams))).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    expect(await fail(emu.stripe.paymentIntents.create({ amount: 100, currency: 'zzz' }))).toMatchObject({ param: 'currency' });
    expect(await fail(emu.stripe.paymentIntents.create({ amount: 100, currency: 'usd', allowed_payment_method_types: ['card'], automatic_payment_methods: { enabled: true } }))).toMatchObject({ message: expect.stringMatching(/only specify one of/) });
    expect(await fail(emu.stripe.paymentIntents.create({ amount: 100, currency: 'usd', customer: 'cus_missing' }))).toMatchObject({ code: 'resource_missing', param: 'customer' });
    expect(await fail(emu.stripe.paymentIntents.create({ amount: 100, currency: 'usd', allowed_payment_method_types: ['card', 'ideal'] }))).toMatchObject({ param: 'allowed_payment_method_types', message: expect.stringMatching(/card payment methods only/) });
    // Older API versions' name for the list still works.
    const legacy = await emu.stripe.paymentIntents.create({ amount: 100, currency: 'usd', payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams);
    expect(legacy).toMatchObject({ payment_method_types: ['card'], automatic_payment_methods: null });
  });
});

describe('3-D Secure', () => {
  test('a 3DS card waits in requires_action; authenticated, it succeeds', async () => {
    const pi = await cardIntent();
    const res = await formPost(`/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, ...card('4000000000003220') });
    expect(res).toMatchObject({ status: 200, body: { status: 'requires_action', next_action: { type: 'use_stripe_sdk' } } });
    const done = await formPost(`/v1/payment_intents/${pi.id}/three_d_secure`, { client_secret: pi.client_secret!, result: 'authenticated' });
    expect(done).toMatchObject({ status: 200, body: { status: 'succeeded', next_action: null, amount_received: 2000 } });
    expect(await eventsFor(pi.id)).toEqual(['payment_intent.created', 'payment_intent.requires_action', 'payment_intent.succeeded']);
  });

  test('a failed authentication: requires_payment_method with payment_intent_authentication_failure', async () => {
    const pi = await cardIntent({ payment_method: 'pm_card_authenticationRequiredOnSetup', confirm: true });
    expect(pi.status).toBe('requires_action');
    const failed = await formPost(`/v1/payment_intents/${pi.id}/three_d_secure`, { client_secret: pi.client_secret!, result: 'failed' });
    expect(failed).toMatchObject({ status: 200, body: { status: 'requires_payment_method', payment_method: null, last_payment_error: { type: 'invalid_request_error', code: 'payment_intent_authentication_failure' } } });
    expect(await eventsFor(pi.id)).toEqual(['payment_intent.created', 'payment_intent.requires_action', 'payment_intent.payment_failed']);
  });

  test('off-session, a 3DS card not set up for the customer is declined with authentication_required', async () => {
    const c = await customer();
    const err = await fail(cardIntent({ customer: c.id, payment_method: 'pm_card_threeDSecure2Required', confirm: true, off_session: true }));
    expect(err).toMatchObject({ type: 'StripeCardError', code: 'authentication_required', decline_code: 'authentication_required' });
    expect((err.raw as { payment_intent?: Stripe.PaymentIntent }).payment_intent).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'authentication_required' } });
  });

  test('off-session, a 3DS card saved on the customer is charged without a challenge', async () => {
    const c = await customer();
    const saved = await emu.stripe.paymentMethods.attach('pm_card_threeDSecure2Required', { customer: c.id });
    const pi = await cardIntent({ customer: c.id, payment_method: saved.id, confirm: true, off_session: true });
    expect(pi).toMatchObject({ status: 'succeeded', next_action: null });
  });
});

describe('publishable keys', () => {
  test('retrieve with the client secret, and only with it', async () => {
    const pi = await cardIntent();
    expect(await browser.paymentIntents.retrieve(pi.id, { client_secret: pi.client_secret! })).toMatchObject({ id: pi.id, status: 'requires_payment_method' });
    expect(await fail(browser.paymentIntents.retrieve(pi.id))).toMatchObject({ code: 'parameter_missing', param: 'client_secret' });
    const other = await cardIntent();
    expect(await fail(browser.paymentIntents.retrieve(pi.id, { client_secret: other.client_secret! }))).toMatchObject({ param: 'client_secret', message: expect.stringMatching(/does not match the client_secret associated with the PaymentIntent/) });
  });

  test('confirm with typed card details and the client secret succeeds; create, update, list and cancel are refused', async () => {
    const pi = await cardIntent();
    const res = await formPost(`/v1/payment_intents/${pi.id}/confirm`, { client_secret: pi.client_secret!, ...card('4242 4242 4242 4242') });
    expect(res).toMatchObject({ status: 200, body: { id: pi.id, status: 'succeeded' } });
    for (const call of [browser.paymentIntents.create({ amount: 100, currency: 'usd' }), browser.paymentIntents.update(pi.id, { description: 'x' }), browser.paymentIntents.list(), browser.paymentIntents.cancel(pi.id)]) {
      expect((await fail(call)).message).toMatch(/cannot be made with a publishable API key/);
    }
  });

  test('a confirm without the client secret changes nothing', async () => {
    const pi = await cardIntent();
    expect(await formPost(`/v1/payment_intents/${pi.id}/confirm`, card('4242424242424242'))).toMatchObject({ status: 400, body: { error: { code: 'parameter_missing', param: 'client_secret' } } });
    expect((await emu.stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');
  });
});

describe('update, cancel, list, idempotency', () => {
  test('update changes amount and metadata before confirmation', async () => {
    const pi = await cardIntent({ metadata: { a: '1' } });
    const updated = await emu.stripe.paymentIntents.update(pi.id, { amount: 4200, metadata: { b: '2' }, description: 'Bigger' });
    expect(updated).toMatchObject({ amount: 4200, metadata: { a: '1', b: '2' }, description: 'Bigger' });
    expect(await emu.stripe.paymentIntents.retrieve(pi.id)).toMatchObject({ amount: 4200 });
  });

  test('cancel: canceled with its reason and event', async () => {
    const pi = await cardIntent();
    expect(await emu.stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' })).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', canceled_at: expect.any(Number) });
    expect(await eventsFor(pi.id)).toEqual(['payment_intent.created', 'payment_intent.canceled']);
    expect(await fail(emu.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' }))).toMatchObject({ code: 'payment_intent_unexpected_state' });
  });

  test('list by customer, newest first', async () => {
    const c = await customer();
    const first = await cardIntent({ customer: c.id });
    const second = await cardIntent({ customer: c.id });
    await cardIntent();
    expect((await emu.stripe.paymentIntents.list({ customer: c.id })).data.map((pi) => pi.id)).toEqual([second.id, first.id]);
  });

  test('a retried create with the same idempotency key returns the same intent; other parameters are refused', async () => {
    const key = `pi-${Date.now()}`;
    const a = await cardIntent({ amount: 999 });
    const first = await emu.stripe.paymentIntents.create({ amount: 700, currency: 'usd', allowed_payment_method_types: ['card'] }, { idempotencyKey: key });
    const again = await emu.stripe.paymentIntents.create({ amount: 700, currency: 'usd', allowed_payment_method_types: ['card'] }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(again.id).not.toBe(a.id);
    expect(await fail(emu.stripe.paymentIntents.create({ amount: 800, currency: 'usd', allowed_payment_method_types: ['card'] }, { idempotencyKey: key }))).toMatchObject({ type: 'StripeIdempotencyError' });
    expect((await eventsFor(first.id)).filter((t) => t === 'payment_intent.created')).toHaveLength(1);
  });
});

test('a webhook endpoint receives payment_intent.payment_failed and .succeeded, signed', async () => {
  const received: Stripe.Event[] = [];
  let secret = '';
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(emu.stripe.webhooks.constructEvent(Buffer.concat(chunks).toString('utf8'), String(req.headers['stripe-signature']), secret));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const endpoint = await emu.stripe.webhookEndpoints.create({ url, enabled_events: ['payment_intent.succeeded', 'payment_intent.payment_failed'] });
    secret = endpoint.secret!;
    const pi = await cardIntent();
    await fail(emu.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }));
    await emu.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    for (let i = 0; i < 500 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    // Deliveries may arrive in either order.
    expect(received.map((e) => [e.type, (e.data.object as Stripe.PaymentIntent).status]).sort()).toEqual([
      ['payment_intent.payment_failed', 'requires_payment_method'],
      ['payment_intent.succeeded', 'succeeded'],
    ]);
    await emu.stripe.webhookEndpoints.del(endpoint.id);
  } finally {
    await new Promise((r) => receiver.close(r));
  }
});

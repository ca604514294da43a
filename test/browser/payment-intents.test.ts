// A one-off payment in headless Chromium: a tiny checkout page mounts the Payment Element with a
// PaymentIntent's client secret (created by the test, as a site's backend would), the card is
// typed, and `stripe.confirmPayment` confirms it through the Stripe.js stand-in.
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { launchChromium, onPage, servePages } from '../helpers/browser.js';
import { type TestEmulator, startTestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let site: Awaited<ReturnType<typeof servePages>>;
let origin: string;
let browser: Browser;

/** The page a site would serve: the client secret comes in the query string (`?secret=`). */
const checkoutPage = (stripeJs: string) => `<!doctype html><html lang="en"><title>Checkout</title>
<script src="${stripeJs}"></script>
<form id="pay"><div id="payment-element"></div><button>Pay $20.00</button><p role="status" id="result"></p></form>
<script>
  var secret = new URLSearchParams(location.search).get('secret');
  var stripe = Stripe('pk_test_checkout_page');
  var elements = stripe.elements({ clientSecret: secret });
  elements.create('payment').mount('#payment-element');
  document.getElementById('pay').addEventListener('submit', async (event) => {
    event.preventDefault();
    const { paymentIntent, error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: location.origin + '/done' }, redirect: 'if_required' });
    document.getElementById('result').textContent = error ? error.message : 'Payment ' + paymentIntent.status + ': ' + paymentIntent.id;
  });
</script>`;

beforeAll(async () => {
  emu = await startTestEmulator();
  site = await servePages((path) => (path.startsWith('/done') ? '<!doctype html><title>Done</title><p>Done</p>' : checkoutPage(`${emu.url}/v3/`)));
  origin = site.origin;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await emu?.close();
});

/** What the site's backend does: a PaymentIntent for the order, its client secret to the page. */
async function order(): Promise<Stripe.PaymentIntent> {
  const customer = await emu.stripe.customers.create({ email: 'buyer@example.com' });
  return emu.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id, automatic_payment_methods: { enabled: true } });
}

async function openCheckout(page: Page, pi: Stripe.PaymentIntent, number: string): Promise<void> {
  await page.goto(`${origin}/checkout?secret=${encodeURIComponent(pi.client_secret!)}`);
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM / YY)').fill('12 / 34');
  await page.getByLabel('CVC').fill('123');
}

test('the 4242 card: the page shows the payment succeeded, and so does the emulator', async () => {
  await onPage(browser, 'payment 4242', async (page, shot) => {
    const pi = await order();
    await openCheckout(page, pi, '4242 4242 4242 4242');
    await shot('before-confirm');
    await page.getByRole('button', { name: 'Pay $20.00' }).click();
    await page.getByRole('status').filter({ hasText: `Payment succeeded: ${pi.id}` }).waitFor();
    await shot('after-confirm');

    const paid = await emu.stripe.paymentIntents.retrieve(pi.id, { expand: ['payment_method'] });
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 2000, last_payment_error: null, payment_method: { card: { last4: '4242', exp_month: 12, exp_year: 2034 } } });
    const types = (await emu.stripe.events.list({ limit: 100 })).data.filter((e) => (e.data.object as { id: string }).id === pi.id).map((e) => e.type);
    expect(types).toContain('payment_intent.succeeded');
    // What a return page does with the client secret: retrievePaymentIntent.
    const retrieved = await page.evaluate((secret) => (globalThis as any).stripe.retrievePaymentIntent(secret), pi.client_secret);
    expect(retrieved).toMatchObject({ paymentIntent: { id: pi.id, status: 'succeeded' } });
  });
});

test('a declining card: the error is on the page, the payment did not succeed', async () => {
  await onPage(browser, 'payment declined', async (page, shot) => {
    const pi = await order();
    await openCheckout(page, pi, '4000 0000 0000 0002');
    await shot('before-confirm');
    const confirmed = page.waitForResponse((r) => r.url().includes('/confirm'));
    await page.getByRole('button', { name: 'Pay $20.00' }).click();
    expect((await confirmed).status()).toBe(402);
    await page.getByRole('status').filter({ hasText: 'Your card was declined.' }).waitFor();
    await shot('after-confirm');

    expect(await emu.stripe.paymentIntents.retrieve(pi.id)).toMatchObject({ status: 'requires_payment_method', amount_received: 0, last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' } });
    const outcome = await page.evaluate(() => (globalThis as any).stripe.confirmPayment({ elements: (globalThis as any).elements, redirect: 'if_required' }));
    expect(outcome.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', payment_intent: { id: pi.id, status: 'requires_payment_method' } });
    expect(outcome.paymentIntent).toBeUndefined();
  });
});

test('a 3-D Secure card: the cardholder completes the challenge and the payment succeeds; a failed one is Stripe’s error', async () => {
  await onPage(browser, 'payment 3ds', async (page, shot) => {
    const pi = await order();
    await openCheckout(page, pi, '4000 0000 0000 3220');
    await page.getByRole('button', { name: 'Pay $20.00' }).click();
    const challenge = page.getByRole('dialog', { name: /3D Secure authentication/ });
    await challenge.waitFor();
    await shot('challenge');
    await challenge.getByRole('button', { name: 'Fail authentication' }).click();
    await page.getByRole('status').filter({ hasText: 'The provided PaymentMethod has failed authentication.' }).waitFor();
    expect((await emu.stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');

    await page.getByRole('button', { name: 'Pay $20.00' }).click();
    await challenge.getByRole('button', { name: 'Complete authentication' }).click();
    await page.getByRole('status').filter({ hasText: `Payment succeeded: ${pi.id}` }).waitFor();
    expect((await emu.stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });
});

test('without redirect: if_required, success goes to return_url with payment_intent and redirect_status', async () => {
  await onPage(browser, 'payment redirect', async (page) => {
    const pi = await order();
    await openCheckout(page, pi, '5555 5555 5555 4444');
    const landed = page.waitForURL((url) => url.pathname === '/done');
    await page.evaluate(() => void (globalThis as any).stripe.confirmPayment({ elements: (globalThis as any).elements, confirmParams: { return_url: `${(globalThis as any).location.origin}/done` } }));
    await landed;
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ payment_intent: pi.id, payment_intent_client_secret: pi.client_secret, redirect_status: 'succeeded' });
  });
});

test('confirmCardPayment with a card element; a SetupIntent secret given to confirmPayment is an integration error', async () => {
  await onPage(browser, 'confirmCardPayment', async (page) => {
    const pi = await emu.stripe.paymentIntents.create({ amount: 500, currency: 'eur', allowed_payment_method_types: ['card'] });
    await page.goto(`${origin}/checkout?secret=${encodeURIComponent(pi.client_secret!)}`);
    await page.evaluate(() => {
      const w = globalThis as any;
      w.document.getElementById('payment-element').innerHTML = '';
      w.card = w.elements.create('card');
      w.card.mount('#payment-element');
    });
    await page.getByLabel('Card number').fill('3782 822463 10005');
    await page.getByLabel('Expiry (MM / YY)').fill('04/31');
    await page.getByLabel('CVC').fill('1234');
    const result = await page.evaluate((secret) => (globalThis as any).stripe.confirmCardPayment(secret, { payment_method: { card: (globalThis as any).card } }), pi.client_secret);
    expect(result).toMatchObject({ paymentIntent: { id: pi.id, status: 'succeeded', amount_received: 500 } });

    const si = await emu.stripe.setupIntents.create({});
    const mixed = await page.evaluate((secret) => {
      try {
        (globalThis as any).stripe.confirmPayment({ elements: (globalThis as any).elements, clientSecret: secret, redirect: 'if_required' });
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    }, si.client_secret);
    expect(mixed).toMatch(/should be a PaymentIntent client secret. You specified: a SetupIntent client secret/);
  });
});

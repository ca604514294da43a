// The Stripe.js stand-in's calls, one by one, on a bare page in headless Chromium: what each
// resolves with, in Stripe.js's shapes.
import type { Browser, Page } from 'playwright-core';
import { launchChromium, servePages } from '../helpers/browser.js';
import type Stripe from 'stripe';
import { type TestEmulator, startTestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let site: Awaited<ReturnType<typeof servePages>>;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  emu = await startTestEmulator();
  // A bare page on its own origin (every path, so a return_url can land on it) loading the stand-in.
  site = await servePages(() => `<!doctype html><html lang="en"><title>bare</title><script src="${emu.url}/v3/"></script><div id="card"></div>`);
  origin = site.origin;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await emu?.close();
});

async function setupIntent(): Promise<Stripe.SetupIntent> {
  const customer = await emu.stripe.customers.create({ email: 'js@x.test' });
  return emu.stripe.setupIntents.create({ customer: customer.id });
}

/** A new page with `window.stripe` and an element of `type` mounted in #card (as `window.element`). */
async function pageWith(type: 'card' | 'payment', clientSecret?: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${origin}/checkout`);
  await page.evaluate(([t, secret]) => {
    const w = globalThis as any;
    w.stripe = w.Stripe('pk_test_stand_in');
    w.elements = w.stripe.elements(secret ? { clientSecret: secret } : {});
    w.element = w.elements.create(t);
    w.element.mount('#card');
  }, [type, clientSecret] as const);
  return page;
}

async function typeCard(page: Page, number: string): Promise<void> {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM / YY)').fill('04/31');
  await page.getByLabel('CVC').fill('4242');
}

test('confirmCardSetup with a card element, then retrieveSetupIntent: {setupIntent} both times', async () => {
  const si = await setupIntent();
  const page = await pageWith('card');
  await typeCard(page, '5555 5555 5555 4444');
  const confirmed = await page.evaluate((secret) => (globalThis as any).stripe.confirmCardSetup(secret, { payment_method: { card: (globalThis as any).element } }), si.client_secret);
  expect(confirmed).toMatchObject({ setupIntent: { id: si.id, status: 'succeeded' } });
  expect(confirmed.error).toBeUndefined();
  const retrieved = await page.evaluate((secret) => (globalThis as any).stripe.retrieveSetupIntent(secret), si.client_secret);
  expect(retrieved).toMatchObject({ setupIntent: { id: si.id, status: 'succeeded', payment_method: confirmed.setupIntent.payment_method } });
  expect((await emu.stripe.paymentMethods.retrieve(confirmed.setupIntent.payment_method)).card).toMatchObject({ last4: '4444', exp_month: 4, exp_year: 2031 });
  await page.close();
});

test("an element's change events say when the card is complete, as Stripe's do", async () => {
  const page = await pageWith('payment');
  await page.evaluate(() => {
    const w = globalThis as any;
    w.changes = [];
    w.element.on('change', (e: { complete: boolean; empty: boolean; elementType: string }) => w.changes.push(e));
  });
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  expect(await page.evaluate(() => (globalThis as any).changes.at(-1))).toMatchObject({ elementType: 'payment', empty: false, complete: false });
  await page.getByLabel('Expiry (MM / YY)').fill('04/31');
  await page.getByLabel('CVC').fill('123');
  expect(await page.evaluate(() => (globalThis as any).changes.at(-1))).toMatchObject({ complete: true });
  await page.close();
});

test('elements.submit() on an incomplete form: a validation_error, shown under the form, and nothing sent', async () => {
  const si = await setupIntent();
  const page = await pageWith('payment', si.client_secret!);
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  const result = await page.evaluate(() => (globalThis as any).elements.submit());
  expect(result).toEqual({ error: { type: 'validation_error', code: 'incomplete_expiry', message: "Your card's expiration date is incomplete." } });
  await page.getByRole('alert').filter({ hasText: "Your card's expiration date is incomplete." }).waitFor();
  expect((await emu.stripe.setupIntents.retrieve(si.id)).status).toBe('requires_payment_method');
  await page.close();
});

test('confirmSetup without redirect: if_required goes to return_url with the intent and redirect_status', async () => {
  const si = await setupIntent();
  const page = await pageWith('payment', si.client_secret!);
  await typeCard(page, '4242424242424242');
  const landed = page.waitForURL((url) => url.pathname === '/done');
  // Not awaited in the page: the redirect replaces it before the promise could resolve.
  await page.evaluate((returnUrl) => void (globalThis as any).stripe.confirmSetup({ elements: (globalThis as any).elements, confirmParams: { return_url: returnUrl } }), `${origin}/done`);
  await landed;
  const params = new URL(page.url()).searchParams;
  expect(Object.fromEntries(params)).toEqual({ setup_intent: si.id, setup_intent_client_secret: si.client_secret, redirect_status: 'succeeded' });
  await page.close();
});

test('a card error resolves as {error} with Stripe.js’s fields; a secret key is refused', async () => {
  const si = await setupIntent();
  const page = await pageWith('payment', si.client_secret!);
  await typeCard(page, '4000000000009995');
  const declined = await page.evaluate(() => (globalThis as any).stripe.confirmSetup({ elements: (globalThis as any).elements, redirect: 'if_required' }));
  expect(declined.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.', setup_intent: { id: si.id } });
  const badKey = await page.evaluate(() => {
    try {
      (globalThis as any).Stripe('sk_test_secret_in_the_browser');
      return 'accepted';
    } catch (err) {
      return (err as Error).message;
    }
  });
  expect(badKey).toMatch(/publishable key \(pk_test_…\)/);
  expect(badKey).not.toContain('secret_in_the_browser');
  await page.close();
});

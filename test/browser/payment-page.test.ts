// The example payment page in headless Chromium (Debian's `chromium`; .ci/run installs it) against
// a fresh emulator: the Stripe.js stand-in, the example site's backend and its verified webhook.
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { configureBilling } from '../../src/emulator/billing/store.js';
import { createExampleCatalog } from '../../src/example/catalog.js';
import { startExampleSite, type ExampleSite } from '../../src/example/site.js';
import { type TestEmulator, startTestEmulator } from '../helpers/emulator.js';
import { launchChromium, onPage as onPageOf } from '../helpers/browser.js';


let emu: TestEmulator;
let site: ExampleSite;
let browser: Browser;
let price: Stripe.Price;

beforeAll(async () => {
  emu = await startTestEmulator();
  // The first invoice of a metered price is 0; with this setting the subscription stays incomplete
  // until the card is set up, so "active" in these tests is something the page's confirm did.
  configureBilling(emu.core, { zeroInvoiceSetupStatus: 'incomplete' });
  price = await createExampleCatalog(emu.stripe);
  site = await startExampleSite({ stripe: emu.stripe, publishableKey: 'pk_test_example_page', stripeJsUrl: `${emu.url}/v3/`, price: price.id });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await emu?.close();
});

const onPage = (name: string, body: Parameters<typeof onPageOf>[2]) => onPageOf(browser, name, body);

/** Signs up on the page and types a card into the stand-in's form; returns the subscription's id. */
async function signUpAndTypeCard(page: Page, email: string, number: string, on: ExampleSite = site): Promise<string> {
  await page.goto(on.url);
  await page.getByLabel('Email').fill(email);
  const created = page.waitForResponse((r) => r.url().endsWith('/create-subscription'));
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  const { subscriptionId } = await (await created).json();
  await page.getByRole('group', { name: /Stripe emulator test form/ }).waitFor();
  expect(await page.getByRole('button', { name: 'Continue to payment' }).isVisible()).toBe(false);
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM / YY)').fill('12 / 34');
  await page.getByLabel('CVC').fill('123');
  return subscriptionId;
}

test('the 4242 card: subscription active, the card is the default, the webhook arrives verified', async () => {
  await onPage('4242 card', async (page, shot) => {
    const subId = await signUpAndTypeCard(page, 'ada@example.com', '4242 4242 4242 4242');
    await shot('before-confirm');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('status').filter({ hasText: 'Thank you! Your subscription is active.' }).waitFor();
    await shot('after-confirm');

    const sub = await emu.stripe.subscriptions.retrieve(subId);
    const customer = (await emu.stripe.customers.retrieve(sub.customer as string)) as Stripe.Customer;
    expect(sub.status).toBe('active');
    const card = await emu.stripe.paymentMethods.retrieve(customer.invoice_settings.default_payment_method as string);
    expect(card).toMatchObject({ customer: customer.id, card: { last4: '4242', exp_month: 12, exp_year: 2034 } });
    expect(sub.default_payment_method).toBe(card.id);
    // The site's handler accepts an event only when its Stripe-Signature verifies.
    const update = await site.waitForEvent((e) => e.type === 'customer.subscription.updated' && (e.data.object as Stripe.Subscription).id === subId);
    expect(update.data.object).toMatchObject({ status: 'active', default_payment_method: card.id });
  });
});

test('a declining card: the error is on the page, nothing became active or attached', async () => {
  await onPage('declining card', async (page, shot) => {
    const subId = await signUpAndTypeCard(page, 'bob@example.com', '4000 0000 0000 0002');
    await shot('before-confirm');
    const confirmed = page.waitForResponse((r) => r.url().includes('/confirm'));
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect((await confirmed).status()).toBe(402);
    await page.getByRole('status').filter({ hasText: 'Your card was declined.' }).waitFor();
    await shot('after-confirm');

    const sub = await emu.stripe.subscriptions.retrieve(subId);
    expect(sub).toMatchObject({ status: 'incomplete', default_payment_method: null });
    expect((await emu.stripe.paymentMethods.list({ customer: sub.customer as string })).data).toEqual([]);
    const failed = await site.waitForEvent((e) => e.type === 'setup_intent.setup_failed' && (e.data.object as Stripe.SetupIntent).id === sub.pending_setup_intent);
    expect(failed.data.object).toMatchObject({ status: 'requires_payment_method', last_setup_error: { code: 'card_declined' } });
    expect(site.events.filter((e) => e.type === 'customer.subscription.updated' && (e.data.object as Stripe.Subscription).id === subId)).toEqual([]);
    expect(await page.getByRole('button', { name: 'Subscribe' }).isEnabled()).toBe(true);
  });
});

test('a 3-D Secure card: the cardholder completes the challenge, and the subscription turns active', async () => {
  await onPage('3ds complete', async (page, shot) => {
    const subId = await signUpAndTypeCard(page, 'cleo@example.com', '4000 0025 0000 3155');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const challenge = page.getByRole('dialog', { name: /3D Secure authentication/ });
    await challenge.waitFor();
    await shot('challenge');
    await challenge.getByRole('button', { name: 'Complete authentication' }).click();
    await page.getByRole('status').filter({ hasText: 'Thank you! Your subscription is active.' }).waitFor();
    const sub = await emu.stripe.subscriptions.retrieve(subId);
    expect(sub.status).toBe('active');
    expect((await emu.stripe.paymentMethods.retrieve(sub.default_payment_method as string)).card?.last4).toBe('3155');
  });
});

test('a 3-D Secure card whose challenge fails: Stripe’s message on the page, nothing active', async () => {
  await onPage('3ds fail', async (page, shot) => {
    const subId = await signUpAndTypeCard(page, 'dan@example.com', '4000 0000 0000 3220');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('dialog', { name: /3D Secure authentication/ }).getByRole('button', { name: 'Fail authentication' }).click();
    await page.getByRole('status').filter({ hasText: 'We are unable to authenticate your payment method.' }).waitFor();
    await shot('after-confirm');
    expect(await emu.stripe.subscriptions.retrieve(subId)).toMatchObject({ status: 'incomplete', default_payment_method: null });
    expect(await page.getByRole('dialog').count()).toBe(0);
  });
});

test('the card that saves but fails later (…0341): active at sign-up; on a test clock the renewal fails, past_due, and the site hears of it', async () => {
  const now = Math.floor(Date.now() / 1000);
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: now });
  const clocked = await startExampleSite({ stripe: emu.stripe, publishableKey: 'pk_test_example_page', stripeJsUrl: `${emu.url}/v3/`, price: price.id, testClock: clock.id });
  try {
    await onPage('0341 renewal', async (page, shot) => {
      const subId = await signUpAndTypeCard(page, 'eve@example.com', '4000 0000 0000 0341', clocked);
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByRole('status').filter({ hasText: 'Thank you! Your subscription is active.' }).waitFor();
      await shot('after-confirm');
      const sub = await emu.stripe.subscriptions.retrieve(subId);
      expect(sub).toMatchObject({ status: 'active', test_clock: clock.id });

      await emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: sub.customer as string, value: '5000' }, timestamp: now });
      await emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 32 * 86_400 });
      for (let i = 0; i < 200 && (await emu.stripe.testHelpers.testClocks.retrieve(clock.id)).status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 25));

      const [renewal] = (await emu.stripe.invoices.list({ subscription: subId })).data.filter((i) => i.billing_reason === 'subscription_cycle');
      // 5,000 tokens → 5 × 1,000 × 4 cents, charged to the card the page saved, which fails.
      expect(renewal).toMatchObject({ status: 'open', amount_due: 20, attempted: true });
      expect((await emu.stripe.subscriptions.retrieve(subId)).status).toBe('past_due');
      const failed = await clocked.waitForEvent((e) => e.type === 'invoice.payment_failed' && (e.data.object as Stripe.Invoice).id === renewal.id);
      expect(failed.data.object).toMatchObject({ status: 'open', customer: sub.customer });
    });
  } finally {
    await clocked.close();
  }
});

// The billing cycle without a test clock (the emulator's own clock, injected here), the final
// invoice of `invoice_now`, and test clocks with their invoices across a --state crash.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { restartAfterCrash, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { advanceTo, waitUntilReady } from '../helpers/clock.js';

const START = Date.UTC(2026, 4, 10, 9, 30, 20);
const DAY_MS = 86_400_000;

async function catalog(emu: TestEmulator, interval: 'day' | 'month'): Promise<Stripe.Price> {
  const meter = await emu.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
  const product = await emu.stripe.products.create({ name: 'Alpaca AI' });
  return emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' }, recurring: { interval, usage_type: 'metered', meter: meter.id } });
}

const usage = (emu: TestEmulator, customer: string, value: number, timestamp?: number) =>
  emu.stripe.billing.meterEvents.create({ event_name: 'tokens', payload: { stripe_customer_id: customer, value: String(value) }, ...(timestamp ? { timestamp } : {}) });

/** A clock at `t0` with a paying customer on it, subscribed to `price`. */
async function clockSubscriber(emu: TestEmulator, price: Stripe.Price, t0: number): Promise<{ clock: string; customer: string; sub: string }> {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: t0 });
  const customer = await emu.stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  return { clock: clock.id, customer: customer.id, sub: sub.id };
}

describe('customers without a test clock', () => {
  let now = START;
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ clock: () => now });
  });
  afterAll(() => emu.close());

  it('renew when real time crosses the period end (a daily price)', async () => {
    const price = await catalog(emu, 'day');
    const customer = await emu.stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await usage(emu, customer.id, 2_001);
    now = START + DAY_MS + 2 * 3_600_000;
    const invoices = await emu.stripe.invoices.list({ subscription: sub.id });
    const renewal = invoices.data.find((i) => i.billing_reason === 'subscription_cycle');
    expect(renewal).toMatchObject({ status: 'paid', amount_paid: 3 * 4, period_start: START / 1000, period_end: (START + DAY_MS) / 1000, test_clock: null });
  });

  it('bill the usage of the cancel instant\'s own minute on the invoice_now invoice', async () => {
    const price = (await emu.stripe.prices.list({ limit: 1 })).data[0];
    const customer = await emu.stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    now += 30_000;
    await usage(emu, customer.id, 1_000, Math.floor(now / 1000) - 20);
    await usage(emu, customer.id, 5_000, Math.floor(now / 1000));
    await emu.stripe.subscriptions.cancel(sub.id, { invoice_now: true });
    const final = await emu.stripe.invoices.retrieve((await emu.stripe.subscriptions.retrieve(sub.id)).latest_invoice as string);
    expect([final.lines.data[0].quantity, final.amount_due]).toEqual([6_000, 6 * 4]);
  });
});

describe('test clocks with --state', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-clock-state-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keep the clock, its customers and the invoices its advance made through a crash', async () => {
    const T0 = Date.UTC(2026, 0, 15) / 1000;
    const FEB = Date.UTC(2026, 1, 15) / 1000;
    await restartAfterCrash(join(dir, 'clock.json'), async (emu) => {
      const { clock, customer, sub } = await clockSubscriber(emu, await catalog(emu, 'month'), T0);
      await usage(emu, customer, 7_000, T0);
      await advanceTo(emu.stripe, clock, FEB + 7200);
      return { clock, sub };
    }, async (restarted, { clock, sub }) => {
      expect(await restarted.stripe.testHelpers.testClocks.retrieve(clock)).toMatchObject({ status: 'ready', frozen_time: FEB + 7200 });
      const invoices = await restarted.stripe.invoices.list({ subscription: sub });
      expect(invoices.data.map((i) => [i.billing_reason, i.status, i.amount_paid])).toEqual([
        ['subscription_cycle', 'paid', 7 * 4],
        ['subscription_create', 'paid', 0],
      ]);
      expect((await restarted.stripe.subscriptions.retrieve(sub)).items.data[0].current_period_start).toBe(FEB);
    });
  });

  it('finish an advance cut short by a crash when the emulator starts again', async () => {
    const T0 = Date.UTC(2026, 0, 15) / 1000;
    const FEB = Date.UTC(2026, 1, 15) / 1000;
    // A crash right after the advance was acknowledged (the run may or may not have happened yet).
    await restartAfterCrash(join(dir, 'mid-advance.json'), async (emu) => {
      const { clock, sub } = await clockSubscriber(emu, await catalog(emu, 'month'), T0);
      const advancing = await emu.stripe.testHelpers.testClocks.advance(clock, { frozen_time: FEB + 7200 });
      expect(advancing.status).toBe('advancing');
      return { clock, sub };
    }, async (restarted, { clock, sub }) => {
      expect(await waitUntilReady(restarted.stripe, clock)).toMatchObject({ status: 'ready', frozen_time: FEB + 7200 });
      const invoices = await restarted.stripe.invoices.list({ subscription: sub });
      expect(invoices.data.map((i) => [i.billing_reason, i.status])).toEqual([['subscription_cycle', 'paid'], ['subscription_create', 'paid']]);
    });
  });
});

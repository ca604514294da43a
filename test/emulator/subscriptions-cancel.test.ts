// Scheduled cancellation with the real SDK, on a test clock: cancel_at_period_end (canceled_at is the
// request's time, as the SDK's type documents), cancel_at as a timestamp, min_period_end or
// max_period_end, and both honoured when the clock passes them.
import type Stripe from 'stripe';
import { advanceTo } from '../helpers/clock.js';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const FEB = Date.UTC(2026, 1, 15, 12) / 1000;
const NEXT_YEAR = Date.UTC(2027, 0, 15, 12) / 1000;
const DAY = 86_400;

let emu: TestEmulator;
let monthly: Stripe.Price;
let yearly: Stripe.Price;

beforeAll(async () => {
  emu = await startTestEmulator();
  const product = await emu.stripe.products.create({ name: 'Seats' });
  monthly = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 500, recurring: { interval: 'month' } });
  yearly = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 5000, recurring: { interval: 'year' } });
});
afterAll(() => emu.close());

async function subscribed(items: Stripe.SubscriptionCreateParams.Item[] = [{ price: monthly.id }], extra: Partial<Stripe.SubscriptionCreateParams> = {}) {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await emu.stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items, ...extra });
  return { clock: clock.id, sub };
}

describe('cancel_at_period_end', () => {
  it('sets canceled_at to the time of the request and cancel_at to the period end; the clock ends it then', async () => {
    const { clock, sub } = await subscribed();
    await advanceTo(emu.stripe, clock, T0 + 3 * DAY);
    const updated = await emu.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(updated).toMatchObject({ status: 'active', cancel_at_period_end: true, canceled_at: T0 + 3 * DAY, cancel_at: FEB, ended_at: null });

    const ended = await advanceTo(emu.stripe, clock, FEB + 60).then(() => emu.stripe.subscriptions.retrieve(sub.id));
    expect(ended).toMatchObject({ status: 'canceled', canceled_at: T0 + 3 * DAY, ended_at: FEB, cancel_at: FEB });
  });

  it('turning it off again clears canceled_at and cancel_at (the event names the old values)', async () => {
    const { sub } = await subscribed();
    await emu.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    const resumed = await emu.stripe.subscriptions.update(sub.id, { cancel_at_period_end: false });
    expect(resumed).toMatchObject({ cancel_at_period_end: false, canceled_at: null, cancel_at: null });
    const [event] = (await emu.stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    expect(event.data.previous_attributes).toEqual({ cancel_at_period_end: true, canceled_at: T0, cancel_at: FEB });
  });
});

describe('cancel_at', () => {
  it('a timestamp inside the period: accepted on create, the clock cancels the subscription at that instant', async () => {
    const { clock, sub } = await subscribed([{ price: monthly.id }], { cancel_at: T0 + 10 * DAY });
    expect(sub).toMatchObject({ status: 'active', cancel_at: T0 + 10 * DAY, cancel_at_period_end: false, canceled_at: T0 });
    await advanceTo(emu.stripe, clock, T0 + 9 * DAY);
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    await advanceTo(emu.stripe, clock, T0 + 11 * DAY);
    expect(await emu.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ status: 'canceled', ended_at: T0 + 10 * DAY, canceled_at: T0 });
  });

  it('min_period_end and max_period_end resolve to the earliest and latest item period end', async () => {
    const { sub } = await subscribed([{ price: monthly.id }, { price: yearly.id }]);
    const min = await emu.stripe.subscriptions.update(sub.id, { cancel_at: 'min_period_end' });
    expect(min.cancel_at).toBe(FEB);
    const max = await emu.stripe.subscriptions.update(sub.id, { cancel_at: 'max_period_end' });
    expect(max.cancel_at).toBe(NEXT_YEAR);
    const cleared = await emu.stripe.subscriptions.update(sub.id, { cancel_at: '' });
    expect(cleared).toMatchObject({ cancel_at: null, canceled_at: null });
  });

  it('the upcoming invoice leaves out the next period of licensed items when cancel_at ends it first', async () => {
    const { sub } = await subscribed();
    expect((await emu.stripe.invoices.createPreview({ subscription: sub.id })).amount_due).toBe(500);
    await emu.stripe.subscriptions.update(sub.id, { cancel_at: 'min_period_end' });
    expect((await emu.stripe.invoices.createPreview({ subscription: sub.id })).amount_due).toBe(0);
  });

  it('refuses a time in the past, an unknown keyword, and cancel_at with cancel_at_period_end', async () => {
    const { sub } = await subscribed();
    await expect(fail(emu.stripe.subscriptions.update(sub.id, { cancel_at: T0 - 60 }))).resolves.toMatchObject({ statusCode: 400, param: 'cancel_at' });
    await expect(fail(emu.stripe.subscriptions.update(sub.id, { cancel_at: 'someday' }))).resolves.toMatchObject({ statusCode: 400, param: 'cancel_at' });
    await expect(fail(emu.stripe.subscriptions.update(sub.id, { cancel_at: T0 + DAY, cancel_at_period_end: true }))).resolves.toMatchObject({ statusCode: 400, code: 'parameters_exclusive' });
  });
});

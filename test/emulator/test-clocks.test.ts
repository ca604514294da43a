// Test clocks in the emulator, driven with the real SDK: the object, attaching customers, the
// asynchronous advance with its events, Stripe's limits, and deleting a clock with its customers.
import Stripe from 'stripe';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { waitUntilReady } from '../helpers/clock.js';

let emu: TestEmulator;
let monthly: Stripe.Price;
const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const DAY = 86_400;

beforeAll(async () => {
  emu = await startTestEmulator();
  const product = await emu.stripe.products.create({ name: 'Seats' });
  monthly = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1000, recurring: { interval: 'month' } });
});
afterAll(() => emu.close());

async function eventTypes(prefix: string, objectId: string): Promise<string[]> {
  const events = await emu.stripe.events.list({ limit: 100 });
  return events.data
    .filter((e) => e.type.startsWith(prefix) && (e.data.object as { id?: string }).id === objectId)
    .map((e) => e.type)
    .reverse();
}

describe('test clock objects', () => {
  it('are created with Stripe\'s fields, retrieved, listed and deleted', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0, name: 'January' });
    expect(clock).toMatchObject({ object: 'test_helpers.test_clock', frozen_time: T0, name: 'January', status: 'ready', status_details: {}, livemode: false });
    expect(clock.id).toMatch(/^clock_/);
    expect(clock.deletes_after - clock.created).toBe(30 * DAY);
    expect(await emu.stripe.testHelpers.testClocks.retrieve(clock.id)).toEqual(clock);
    expect((await emu.stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toContain(clock.id);
    expect(await emu.stripe.testHelpers.testClocks.del(clock.id)).toEqual({ id: clock.id, object: 'test_helpers.test_clock', deleted: true });
    expect((await fail(emu.stripe.testHelpers.testClocks.retrieve(clock.id))).statusCode).toBe(404);
  });

  it('refuse a missing frozen_time and a name over 300 characters', async () => {
    const missing = await fail(emu.stripe.testHelpers.testClocks.create({} as Stripe.TestHelpers.TestClockCreateParams));
    expect([missing.code, missing.param]).toEqual(['parameter_missing', 'frozen_time']);
    const long = await fail(emu.stripe.testHelpers.testClocks.create({ frozen_time: T0, name: 'x'.repeat(301) }));
    expect(long.param).toBe('name');
  });
});

describe('customers on a test clock', () => {
  it('live on the clock\'s time, at most three per clock, and list only with test_clock', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const customer = await emu.stripe.customers.create({ email: 'clock@example.com', test_clock: clock.id });
    expect(customer.test_clock).toBe(clock.id);
    expect(customer.created).toBe(T0);
    await emu.stripe.customers.create({ test_clock: clock.id });
    await emu.stripe.customers.create({ test_clock: clock.id });
    const fourth = await fail(emu.stripe.customers.create({ test_clock: clock.id }));
    expect([fourth.statusCode, fourth.param]).toEqual([400, 'test_clock']);
    expect((await emu.stripe.customers.list({ test_clock: clock.id })).data).toHaveLength(3);
    expect((await emu.stripe.customers.list({ limit: 100 })).data.map((c) => c.id)).not.toContain(customer.id);
  });

  it('subscribe at the clock\'s time; subscriptions and invoices carry the clock', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const customer = await emu.stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], expand: ['latest_invoice'] });
    expect([sub.test_clock, sub.start_date, sub.items.data[0].current_period_start, sub.status]).toEqual([clock.id, T0, T0, 'active']);
    expect((sub.latest_invoice as Stripe.Invoice).test_clock).toBe(clock.id);
    expect((await emu.stripe.subscriptions.list({ test_clock: clock.id })).data.map((s) => s.id)).toEqual([sub.id]);
    expect((await emu.stripe.subscriptions.list({ limit: 100 })).data.map((s) => s.id)).not.toContain(sub.id);
    expect((await emu.stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([sub.id]);
  });

  it('attach an existing customer without subscriptions through test_clock create\'s customer', async () => {
    const customer = await emu.stripe.customers.create({ email: 'later@example.com' });
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0, customer: customer.id } as Stripe.TestHelpers.TestClockCreateParams);
    expect((await emu.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ test_clock: clock.id });
    const again = await fail(emu.stripe.testHelpers.testClocks.create({ frozen_time: T0, customer: customer.id } as Stripe.TestHelpers.TestClockCreateParams));
    expect(again.param).toBe('customer');
  });
});

describe('advancing', () => {
  it('answers advancing, becomes ready at the target, and announces both', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const advancing = await emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + DAY });
    expect(advancing.status).toBe('advancing');
    expect(advancing.status_details.advancing?.target_frozen_time).toBe(T0 + DAY);
    const ready = await waitUntilReady(emu.stripe, clock.id);
    expect([ready.status, ready.frozen_time]).toEqual(['ready', T0 + DAY]);
    expect(await eventTypes('test_helpers.test_clock', clock.id)).toEqual(['test_helpers.test_clock.created', 'test_helpers.test_clock.advancing', 'test_helpers.test_clock.ready']);
  });

  it('refuses to go back, to stand still, or to start again while advancing', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    for (const frozen_time of [T0 - 1, T0]) {
      const err = await fail(emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time }));
      expect([err.statusCode, err.param]).toEqual([400, 'frozen_time']);
    }
    await emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 60 });
    const busy = await fail(emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 120 }));
    expect([busy.statusCode, busy.code]).toEqual([400, 'test_clock_not_ready']);
    await waitUntilReady(emu.stripe, clock.id);
  });

  it('reaches at most two intervals of the shortest subscription, or two years without one', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const twoYears = Date.UTC(2028, 0, 15, 12) / 1000;
    expect((await fail(emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: twoYears + 1 }))).param).toBe('frozen_time');
    const customer = await emu.stripe.customers.create({ test_clock: clock.id });
    await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    const twoMonths = Date.UTC(2026, 2, 15, 12) / 1000;
    const tooFar = await fail(emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: twoMonths + 1 }));
    expect(tooFar.message).toContain(String(twoMonths));
    await emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: twoMonths });
    expect((await waitUntilReady(emu.stripe, clock.id)).frozen_time).toBe(twoMonths);
  });

  it('expires an incomplete subscription 23 hours into the clock\'s time', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const customer = await emu.stripe.customers.create({ test_clock: clock.id });
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], payment_behavior: 'default_incomplete' });
    expect(sub.status).toBe('incomplete');
    await emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 22 * 3600 });
    await waitUntilReady(emu.stripe, clock.id);
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).status).toBe('incomplete');
    await emu.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 24 * 3600 });
    await waitUntilReady(emu.stripe, clock.id);
    const expired = await emu.stripe.subscriptions.retrieve(sub.id);
    expect([expired.status, expired.ended_at]).toEqual(['incomplete_expired', T0 + 23 * 3600]);
  });
});

describe('limits per clock', () => {
  it('allow three live subscriptions per customer on a clock', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const customer = await emu.stripe.customers.create({ test_clock: clock.id });
    const product = await emu.stripe.products.create({ name: 'More seats' });
    const more = await Promise.all([2000, 3000, 4000, 5000].map((unit_amount) => emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount, recurring: { interval: 'month' } })));
    for (const price of more.slice(0, 3)) await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const fourth = await fail(emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: more[3].id }] }));
    expect([fourth.statusCode, fourth.param]).toEqual([400, 'customer']);
  });
});

describe('deleting a test clock', () => {
  it('happens by itself 30 days after its creation, with its customers', async () => {
    let now = Date.UTC(2026, 5, 1);
    const timed = await startTestEmulator({ clock: () => now });
    try {
      const clock = await timed.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
      const customer = await timed.stripe.customers.create({ test_clock: clock.id });
      now += 29 * DAY * 1000;
      expect((await timed.stripe.testHelpers.testClocks.retrieve(clock.id)).id).toBe(clock.id);
      now += 2 * DAY * 1000;
      expect((await fail(timed.stripe.testHelpers.testClocks.retrieve(clock.id))).statusCode).toBe(404);
      expect(await timed.stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
    } finally {
      await timed.close();
    }
  });

  it('deletes its customers and cancels their subscriptions', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const customer = await emu.stripe.customers.create({ test_clock: clock.id });
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    await emu.stripe.testHelpers.testClocks.del(clock.id);
    expect(await emu.stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');
    expect(await eventTypes('test_helpers.test_clock', clock.id)).toEqual(['test_helpers.test_clock.created', 'test_helpers.test_clock.deleted']);
  });
});

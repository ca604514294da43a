// Each v1 event names the request that caused it (`request: {id, idempotency_key}`), as Stripe's do;
// what the billing cycle does on its own (a test clock's advance) has a null request id.
import type Stripe from 'stripe';
import { advanceTo } from '../helpers/clock.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());

async function eventsAbout(id: string): Promise<Stripe.Event[]> {
  const { data } = await emu.stripe.events.list({ limit: 100 });
  return data.filter((e) => (e.data.object as { id?: string }).id === id);
}

describe('event.request', () => {
  it('carries the id and idempotency key of the request that made the change', async () => {
    const customer = await emu.stripe.customers.create({ name: 'Req' }, { idempotencyKey: 'events-request-key' });
    const [created] = await eventsAbout(customer.id);
    expect(created.type).toBe('customer.created');
    expect(created.request).toEqual({ id: customer.lastResponse.requestId, idempotency_key: 'events-request-key' });
  });

  it('names the request without a key of its own as the SDK sends it (a generated key on POST)', async () => {
    const product = await emu.stripe.products.create({ name: 'Req' });
    const [created] = await eventsAbout(product.id);
    expect(created.request?.id).toBe(product.lastResponse.requestId);
    expect(created.request?.idempotency_key).toMatch(/^stripe-node-retry-/);
  });

  it('a DELETE has a request id and no idempotency key', async () => {
    const product = await emu.stripe.products.create({ name: 'Gone' });
    const deleted = await emu.stripe.products.del(product.id);
    const [event] = (await eventsAbout(product.id)).filter((e) => e.type === 'product.deleted');
    expect(event.request).toEqual({ id: deleted.lastResponse.requestId, idempotency_key: null });
  });

  it('events of a test clock advance have a null request id', async () => {
    const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const product = await emu.stripe.products.create({ name: 'Cycle' });
    const price = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100, recurring: { interval: 'day' } });
    const customer = await emu.stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await advanceTo(emu.stripe, clock.id, T0 + 86_400 + 60);
    const renewed = (await eventsAbout(sub.id)).find((e) => e.type === 'customer.subscription.updated');
    expect(renewed?.request).toEqual({ id: null, idempotency_key: null });
    const [subCreated] = (await eventsAbout(sub.id)).filter((e) => e.type === 'customer.subscription.created');
    expect(subCreated.request?.id).toBe(sub.lastResponse.requestId);
  });
});

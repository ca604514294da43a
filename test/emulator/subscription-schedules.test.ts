// Subscription schedules in the emulator (SPEC.md, "Subscription schedules"), driven with the real
// SDK on test clocks: a schedule made from a subscription switches its prices at the phase boundary
// (the closing period on the old price, the next on the new), then releases or cancels it.
import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { advanceTo } from '../helpers/clock.js';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const FEB15 = Date.UTC(2026, 1, 15, 12) / 1000;
const MAR15 = Date.UTC(2026, 2, 15, 12) / 1000;
const HOUR = 3600;

let seats2: Stripe.Price;
const { emu, catalog } = useCatalogEmulator(async (started) => {
  seats2 = await started.stripe.prices.create({ product: 'alpaca_seats', currency: 'usd', unit_amount: 1200, recurring: { interval: 'month' } });
});

async function subscriber(items: Stripe.SubscriptionCreateParams.Item[]) {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await emu.stripe.customers.create({ email: 'sched@example.com', test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items });
  return { clock: clock.id, customer: customer.id, sub };
}
const tokens = (customer: string, value: number) => emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer, value: String(value) } });
const cycleInvoices = async (customer: string) => (await emu.stripe.invoices.list({ customer, limit: 20 })).data.filter((i) => i.billing_reason === 'subscription_cycle').reverse();
const lines = (inv: Stripe.Invoice) => inv.lines.data.map((l) => [l.pricing?.price_details?.price, l.quantity, l.amount]);

describe('subscription schedules', () => {
  it('from_subscription: one phase over the current period, the subscription points at it, other parameters are refused', async () => {
    const { sub } = await subscriber([{ price: catalog.tokens.id }]);
    const refused = await emu.stripe.subscriptionSchedules.create({ from_subscription: sub.id, end_behavior: 'cancel' }).catch((e: Stripe.errors.StripeError) => e);
    expect(refused).toMatchObject({ statusCode: 400, param: 'end_behavior' });
    const sched = await emu.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    expect(sched).toMatchObject({ object: 'subscription_schedule', status: 'active', end_behavior: 'release', subscription: sub.id, current_phase: { start_date: T0, end_date: FEB15 } });
    expect(sched.phases).toHaveLength(1);
    expect(sched.phases[0]).toMatchObject({ start_date: T0, end_date: FEB15, currency: 'usd', items: [{ price: catalog.tokens.id }] });
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).schedule).toBe(sched.id);
    const expanded = await emu.stripe.subscriptions.retrieve(sub.id, { expand: ['schedule'] });
    expect(expanded.schedule).toMatchObject({ id: sched.id, object: 'subscription_schedule' });
    expect((await emu.stripe.subscriptionSchedules.retrieve(sched.id, { expand: ['subscription'] })).subscription).toMatchObject({ id: sub.id, object: 'subscription' });
    const again = await emu.stripe.subscriptionSchedules.create({ from_subscription: sub.id }).catch((e: Stripe.errors.StripeError) => e);
    expect(again).toMatchObject({ statusCode: 400, param: 'from_subscription' });
    expect((await emu.stripe.subscriptionSchedules.list({ customer: sched.customer as string })).data.map((s) => s.id)).toEqual([sched.id]);
  });

  it('a next phase at the period end: the closing period bills the old price in full, the next the new one; then it releases', async () => {
    const { clock, customer, sub } = await subscriber([{ price: catalog.tokens.id }, { price: catalog.seats.id, quantity: 2 }]);
    await tokens(customer, 1500);
    await advanceTo(emu.stripe, clock, T0 + HOUR);
    const sched = await emu.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    const updated = await emu.stripe.subscriptionSchedules.update(sched.id, {
      end_behavior: 'release',
      metadata: { owner: 'test' },
      phases: [
        { start_date: sched.phases[0].start_date, end_date: FEB15, items: [{ price: catalog.tokens.id }, { price: catalog.seats.id, quantity: 2 }] },
        { items: [{ price: catalog.perUnit.id }, { price: seats2.id, quantity: 2 }], duration: { interval: 'month' } },
      ],
    });
    expect(updated.phases.map((p) => [p.start_date, p.end_date])).toEqual([[T0, FEB15], [FEB15, MAR15]]);
    expect(updated.metadata).toEqual({ owner: 'test' });
    await tokens(customer, 500);
    await advanceTo(emu.stripe, clock, FEB15 + 2 * HOUR);

    const [feb] = await cycleInvoices(customer);
    // All 2,000 tokens of the closed period at the old 4¢ per started 1,000; the seats for the next period at the new $12.
    expect(lines(feb)).toEqual([[catalog.tokens.id, 2000, 8], [seats2.id, 2, 2400]]);
    expect(feb.status).toBe('paid');
    const moved = await emu.stripe.subscriptions.retrieve(sub.id);
    expect(moved.items.data.map((i) => [i.price.id, i.quantity ?? null])).toEqual([[catalog.perUnit.id, null], [seats2.id, 2]]);
    expect((await emu.stripe.subscriptionSchedules.retrieve(sched.id)).current_phase).toEqual({ start_date: FEB15, end_date: MAR15 });

    await tokens(customer, 300);
    await advanceTo(emu.stripe, clock, MAR15 + 2 * HOUR);
    const [, mar] = await cycleInvoices(customer);
    // 300 tokens at 0.5¢ on the new metered price.
    expect(lines(mar)).toEqual([[catalog.perUnit.id, 300, 150], [seats2.id, 2, 2400]]);
    const released = await emu.stripe.subscriptionSchedules.retrieve(sched.id);
    expect(released).toMatchObject({ status: 'released', released_at: MAR15, released_subscription: sub.id, subscription: null, current_phase: null });
    const after = await emu.stripe.subscriptions.retrieve(sub.id);
    expect([after.status, after.schedule]).toEqual(['active', null]);
  });

  it('end_behavior cancel ends the subscription at the end of the last phase, billing its usage', async () => {
    const { clock, customer, sub } = await subscriber([{ price: catalog.perUnit.id }]);
    const sched = await emu.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    await emu.stripe.subscriptionSchedules.update(sched.id, { end_behavior: 'cancel', phases: [{ items: [{ price: catalog.perUnit.id }], end_date: FEB15 }] });
    await tokens(customer, 100);
    await advanceTo(emu.stripe, clock, FEB15 + 2 * HOUR);
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');
    expect(await emu.stripe.subscriptionSchedules.retrieve(sched.id)).toMatchObject({ status: 'completed', completed_at: FEB15 });
    const [last] = await cycleInvoices(customer);
    expect(lines(last)).toEqual([[catalog.perUnit.id, 100, 50]]);
  });

  it('release keeps the subscription as it is; cancel ends it; neither works twice', async () => {
    const a = await subscriber([{ price: catalog.seats.id }]);
    const s1 = await emu.stripe.subscriptionSchedules.create({ from_subscription: a.sub.id });
    expect(await emu.stripe.subscriptionSchedules.release(s1.id)).toMatchObject({ status: 'released', released_subscription: a.sub.id, subscription: null });
    expect((await emu.stripe.subscriptions.retrieve(a.sub.id)).schedule).toBeNull();
    await expect(emu.stripe.subscriptionSchedules.release(s1.id)).rejects.toMatchObject({ statusCode: 400 });

    const b = await subscriber([{ price: catalog.seats.id }]);
    const s2 = await emu.stripe.subscriptionSchedules.create({ from_subscription: b.sub.id });
    expect(await emu.stripe.subscriptionSchedules.cancel(s2.id)).toMatchObject({ status: 'canceled', canceled_at: T0 });
    expect((await emu.stripe.subscriptions.retrieve(b.sub.id)).status).toBe('canceled');
    await expect(emu.stripe.subscriptionSchedules.update(s2.id, { metadata: { a: 'b' } })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('refuses a changed start of the current phase, gaps between phases and a price in another currency', async () => {
    const { sub } = await subscriber([{ price: catalog.seats.id }]);
    const sched = await emu.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    const eur = await emu.stripe.prices.create({ product: 'alpaca_seats', currency: 'eur', unit_amount: 900, recurring: { interval: 'month' } });
    await expect(emu.stripe.subscriptionSchedules.update(sched.id, { phases: [{ start_date: T0 + 1, items: [{ price: catalog.seats.id }] }] })).rejects.toMatchObject({ param: 'phases[0][start_date]' });
    await expect(emu.stripe.subscriptionSchedules.update(sched.id, { phases: [{ items: [{ price: catalog.seats.id }], end_date: FEB15 }, { start_date: FEB15 + 1, items: [{ price: catalog.seats.id }] }] })).rejects.toMatchObject({ param: 'phases[1][start_date]' });
    await expect(emu.stripe.subscriptionSchedules.update(sched.id, { phases: [{ items: [{ price: eur.id }] }] })).rejects.toMatchObject({ param: 'phases[0][items][0][price]' });
    await expect(emu.stripe.subscriptionSchedules.retrieve('sub_sched_nope')).rejects.toMatchObject({ statusCode: 404 });
  });
});

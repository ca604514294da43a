// Usage-threshold alerts with the real SDK: create/retrieve/list/deactivate/activate/archive, and
// billing.alert.triggered once per customer when the aggregated usage reaches the threshold.
import Stripe from 'stripe';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let meter: Stripe.Billing.Meter;

beforeAll(async () => {
  emu = await startTestEmulator();
  meter = await emu.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
});
afterAll(() => emu.close());

const usage = (s: Stripe, customer: string, value: number) => s.billing.meterEvents.create({ event_name: 'tokens', payload: { stripe_customer_id: customer, value: String(value) } });

async function triggered(s: Stripe, alert: string): Promise<Stripe.Billing.AlertTriggered[]> {
  const events = await s.events.list({ type: 'billing.alert.triggered', limit: 100 });
  return events.data.map((e) => e.data.object as unknown as Stripe.Billing.AlertTriggered).filter((t) => t.alert.id === alert);
}

/** Polls (as a Stripe user does) until the alert has triggered `count` times; the emulator evaluates alerts as aggregation runs. */
async function waitForTriggers(s: Stripe, alert: string, count: number): Promise<Stripe.Billing.AlertTriggered[]> {
  for (;;) {
    const found = await triggered(s, alert);
    if (found.length >= count) return found;
    await sleep(20);
  }
}

describe('billing alerts', () => {
  it('creates a usage_threshold alert with Stripe\'s object and moves it through its statuses', async () => {
    const customer = await emu.stripe.customers.create({});
    const alert = await emu.stripe.billing.alerts.create({ alert_type: 'usage_threshold', title: 'Big spender', usage_threshold: { gte: 1000, meter: meter.id, recurrence: 'one_time', filters: [{ type: 'customer', customer: customer.id }] } });
    expect(alert).toMatchObject({ object: 'billing.alert', alert_type: 'usage_threshold', status: 'active', title: 'Big spender', usage_threshold: { gte: 1000, meter: meter.id, recurrence: 'one_time', filters: [{ type: 'customer', customer: customer.id }] } });
    expect(alert.id).toMatch(/^alrt_/);
    expect(await emu.stripe.billing.alerts.retrieve(alert.id)).toEqual(alert);
    expect((await emu.stripe.billing.alerts.list({ meter: meter.id })).data.map((a) => a.id)).toContain(alert.id);
    expect((await emu.stripe.billing.alerts.deactivate(alert.id)).status).toBe('inactive');
    expect((await emu.stripe.billing.alerts.activate(alert.id)).status).toBe('active');
    expect((await emu.stripe.billing.alerts.archive(alert.id)).status).toBe('archived');
    const err = await fail(emu.stripe.billing.alerts.activate(alert.id));
    expect(err.statusCode).toBe(400);
  });

  it('refuses an alert without a meter, with a threshold below 1, or on an unknown customer', async () => {
    const base = { alert_type: 'usage_threshold' as const, title: 't' };
    const cases: Array<[Stripe.Billing.AlertCreateParams, string]> = [
      [{ ...base, usage_threshold: { gte: 10, meter: 'mtr_missing', recurrence: 'one_time' } }, 'usage_threshold[meter]'],
      [{ ...base, usage_threshold: { gte: 0, meter: meter.id, recurrence: 'one_time' } }, 'usage_threshold[gte]'],
      [{ ...base, usage_threshold: { gte: 10, meter: meter.id, recurrence: 'one_time', filters: [{ type: 'customer', customer: 'cus_missing' }] } }, 'usage_threshold[filters][0][customer]'],
    ];
    for (const [params, param] of cases) {
      const err = await fail(emu.stripe.billing.alerts.create(params));
      expect([err.statusCode, err.param]).toEqual([expect.any(Number), param]);
    }
  });

  it('triggers once per customer, when that customer\'s aggregated usage reaches the threshold', async () => {
    const big = await emu.stripe.customers.create({});
    const small = await emu.stripe.customers.create({});
    const alert = await emu.stripe.billing.alerts.create({ alert_type: 'usage_threshold', title: 'Over 1k', usage_threshold: { gte: 1000, meter: meter.id, recurrence: 'one_time' } });
    await usage(emu.stripe, big.id, 600);
    await usage(emu.stripe, small.id, 999);
    await usage(emu.stripe, big.id, 400);
    const [first] = await waitForTriggers(emu.stripe, alert.id, 1);
    expect(first).toMatchObject({ object: 'billing.alert_triggered', customer: big.id, value: 1000, alert: { id: alert.id } });
    await usage(emu.stripe, big.id, 5000);
    await usage(emu.stripe, small.id, 1);
    const both = await waitForTriggers(emu.stripe, alert.id, 2);
    expect(both.map((t) => t.customer).sort()).toEqual([big.id, small.id].sort());
    // Evaluated again (alerts are read through the same evaluation): still one trigger each.
    await emu.stripe.billing.alerts.list();
    expect((await triggered(emu.stripe, alert.id)).length).toBe(2);
  });

  it('never triggers for a customer on a test clock, as Stripe documents', async () => {
    const frozen = Math.floor(Date.now() / 60_000) * 60 + 3600;
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: frozen });
    const onClock = await emu.stripe.customers.create({ test_clock: clock.id });
    const alert = await emu.stripe.billing.alerts.create({ alert_type: 'usage_threshold', title: 'clock', usage_threshold: { gte: 10, meter: meter.id, recurrence: 'one_time', filters: [{ type: 'customer', customer: onClock.id }] } });
    await emu.stripe.billing.meterEvents.create({ event_name: 'tokens', payload: { stripe_customer_id: onClock.id, value: '50' }, timestamp: frozen - 10 });
    const summaries = await emu.stripe.billing.meters.listEventSummaries(meter.id, { customer: onClock.id, start_time: frozen - 60, end_time: frozen + 60 });
    expect(summaries.data.reduce((sum, w) => sum + w.aggregated_value, 0)).toBe(50);
    await emu.stripe.billing.alerts.retrieve(alert.id);
    expect(await triggered(emu.stripe, alert.id)).toEqual([]);
  });

  it('does not trigger before the usage is aggregated', async () => {
    const slow = await startTestEmulator({ aggregationDelayMs: 3_600_000 });
    try {
      const m = await slow.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
      const customer = await slow.stripe.customers.create({});
      const alert = await slow.stripe.billing.alerts.create({ alert_type: 'usage_threshold', title: 't', usage_threshold: { gte: 10, meter: m.id, recurrence: 'one_time' } });
      await usage(slow.stripe, customer.id, 50);
      await slow.stripe.billing.alerts.retrieve(alert.id);
      expect(await triggered(slow.stripe, alert.id)).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});

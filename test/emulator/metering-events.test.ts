// v1 and v2 meter events, adjustments and identifier dedupe, driven with the real SDK.
import type Stripe from 'stripe';
import { configureMetering } from '../../src/emulator/metering/metering-state.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let customer: string;
const clock = { ms: Date.UTC(2026, 10, 20, 12, 0, 0) };
const now = () => Math.floor(clock.ms / 1000);

beforeAll(async () => {
  emu = await startTestEmulator({ clock: () => clock.ms });
  customer = (await emu.stripe.customers.create({ email: 'm@example.com' })).id;
  await emu.stripe.billing.meters.create({ display_name: 'API calls', event_name: 'api_call', default_aggregation: { formula: 'sum' } });
  await emu.stripe.billing.meters.create({
    display_name: 'Tokens',
    event_name: 'tokens',
    default_aggregation: { formula: 'sum' },
    customer_mapping: { type: 'by_id', event_payload_key: 'account' },
    value_settings: { event_payload_key: 'n' },
  });
  const old = await emu.stripe.billing.meters.create({ display_name: 'Old', event_name: 'old_event', default_aggregation: { formula: 'sum' } });
  await emu.stripe.billing.meters.deactivate(old.id);
});
afterAll(() => emu.close());

async function refusal(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const err = await p.then(
    () => undefined,
    (e: Stripe.errors.StripeError) => e,
  );
  if (!err) throw new Error('expected the call to be refused');
  return err;
}

async function total(meterEvent = 'api_call'): Promise<number> {
  const meters = await emu.stripe.billing.meters.list({ limit: 100 });
  const meter = meters.data.find((m) => m.event_name === meterEvent)!;
  const start = now() - (now() % 60) - 35 * 86400;
  const page = await emu.stripe.billing.meters.listEventSummaries(meter.id, { customer, start_time: start, end_time: start + 36 * 86400 });
  return page.data[0].aggregated_value;
}

describe('v1 meter events', () => {
  it('records an event and echoes it as a billing.meter_event', async () => {
    const before = await total();
    const ev = await emu.stripe.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: customer, value: '25' }, identifier: 'v1-a', timestamp: now() - 60 });
    expect(ev).toMatchObject({ object: 'billing.meter_event', event_name: 'api_call', identifier: 'v1-a', livemode: false, payload: { stripe_customer_id: customer, value: '25' }, timestamp: now() - 60 });
    expect(ev).not.toHaveProperty('id');
    expect(await total()).toBe(before + 25);
  });

  it('defaults the timestamp to now and generates an identifier', async () => {
    const ev = await emu.stripe.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: customer, value: '1' } });
    expect(ev.timestamp).toBe(now());
    expect(ev.identifier).toMatch(/^\w{10,}$/);
  });

  it('uses the meter’s own payload keys', async () => {
    await emu.stripe.billing.meterEvents.create({ event_name: 'tokens', payload: { account: customer, n: '1000' } });
    expect(await total('tokens')).toBe(1000);
    const err = await refusal(emu.stripe.billing.meterEvents.create({ event_name: 'tokens', payload: { stripe_customer_id: customer, value: '5' } }));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'payload[account]' });
  });

  it.each([
    ['an unknown event name', { event_name: 'nope', payload: { stripe_customer_id: 'X', value: '1' } }, 'event_name', /No active meter/],
    ['an inactive meter', { event_name: 'old_event', payload: { stripe_customer_id: 'X', value: '1' } }, 'event_name', /inactive/],
    ['no customer key', { event_name: 'api_call', payload: { value: '1' } }, 'payload[stripe_customer_id]', /stripe_customer_id/],
    ['an unknown customer', { event_name: 'api_call', payload: { stripe_customer_id: 'cus_nobody', value: '1' } }, 'payload[stripe_customer_id]', /No such customer/],
    ['a decimal value', { event_name: 'api_call', payload: { stripe_customer_id: 'X', value: '2.5' } }, 'payload[value]', /whole number/],
    ['a missing value', { event_name: 'api_call', payload: { stripe_customer_id: 'X' } }, 'payload[value]', /whole number/],
    ['a timestamp 6 minutes ahead', { event_name: 'api_call', payload: { stripe_customer_id: 'X', value: '1' }, timestamp: 'AHEAD' }, 'timestamp', /future/],
    ['a timestamp 36 days old', { event_name: 'api_call', payload: { stripe_customer_id: 'X', value: '1' }, timestamp: 'OLD' }, 'timestamp', /35 days/],
  ])('refuses %s', async (_name, params, param, message) => {
    const p = JSON.parse(JSON.stringify(params).replace('"X"', JSON.stringify(customer)));
    if (p.timestamp === 'AHEAD') p.timestamp = now() + 360;
    if (p.timestamp === 'OLD') p.timestamp = now() - 36 * 86400;
    const before = await total();
    const err = await refusal(emu.stripe.billing.meterEvents.create(p));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param });
    expect(err.message).toMatch(message);
    expect(await total()).toBe(before);
  });

  it('accepts negative corrections', async () => {
    const before = await total();
    await emu.stripe.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: customer, value: '-4' } });
    expect(await total()).toBe(before - 4);
  });

  it('refuses missing and unknown parameters', async () => {
    expect(await refusal(emu.stripe.billing.meterEvents.create({ payload: { value: '1' } } as never))).toMatchObject({ code: 'parameter_missing', param: 'event_name' });
    expect(await refusal(emu.stripe.billing.meterEvents.create({ event_name: 'api_call' } as never))).toMatchObject({ code: 'parameter_missing', param: 'payload' });
    expect(await refusal(emu.stripe.billing.meterEvents.create({ event_name: 'api_call', payload: {}, colour: 'red' } as never))).toMatchObject({ code: 'parameter_unknown' });
  });
});

describe('identifier dedupe', () => {
  it('refuses a repeat within 24 hours without counting it, and takes it again after', async () => {
    const before = await total();
    const params = { event_name: 'api_call', payload: { stripe_customer_id: customer, value: '7' }, identifier: 'dedupe-1' };
    await emu.stripe.billing.meterEvents.create(params);
    const err = await refusal(emu.stripe.billing.meterEvents.create(params));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'identifier' });
    expect(err.message).toBe('An event already exists with identifier dedupe-1.');
    expect(err.headers?.['stripe-should-retry']).toBe('false');
    // v2 shares the same identifier space.
    const v2err = await refusal(emu.stripe.v2.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: customer, value: '7' }, identifier: 'dedupe-1' }));
    expect(v2err.statusCode).toBe(400);
    expect(await total()).toBe(before + 7);
    clock.ms += 24 * 3600 * 1000;
    await emu.stripe.billing.meterEvents.create(params);
    expect(await total()).toBe(before + 14);
  });
});

describe('identifier dedupe, configured to ignore repeats', () => {
  it('answers 200 without counting the repeat', async () => {
    configureMetering(emu.core, { duplicateIdentifier: 'ignore' });
    try {
      const before = await total();
      const params = { event_name: 'api_call', payload: { stripe_customer_id: customer, value: '11' }, identifier: 'ignored-1' };
      await emu.stripe.billing.meterEvents.create(params);
      await expect(emu.stripe.billing.meterEvents.create(params)).resolves.toMatchObject({ identifier: 'ignored-1' });
      await expect(emu.stripe.v2.billing.meterEvents.create(params)).resolves.toMatchObject({ identifier: 'ignored-1' });
      expect(await total()).toBe(before + 11);
    } finally {
      configureMetering(emu.core, { duplicateIdentifier: 'error' });
    }
  });
});

describe('adjustments', () => {
  it('cancels an event by identifier, once, within 24 hours', async () => {
    const before = await total();
    await emu.stripe.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: customer, value: '40' }, identifier: 'to-cancel' });
    await emu.stripe.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: customer, value: '2' }, identifier: 'too-old' });
    expect(await total()).toBe(before + 42);
    const adj = await emu.stripe.billing.meterEventAdjustments.create({ event_name: 'api_call', type: 'cancel', cancel: { identifier: 'to-cancel' } });
    expect(adj).toMatchObject({ object: 'billing.meter_event_adjustment', cancel: { identifier: 'to-cancel' }, event_name: 'api_call', status: 'complete', type: 'cancel' });
    expect(await total()).toBe(before + 2);
    expect(await refusal(emu.stripe.billing.meterEventAdjustments.create({ event_name: 'api_call', type: 'cancel', cancel: { identifier: 'to-cancel' } }))).toMatchObject({ statusCode: 400, param: 'cancel[identifier]' });
    clock.ms += 24 * 3600 * 1000 + 1000;
    const late = await refusal(emu.stripe.billing.meterEventAdjustments.create({ event_name: 'api_call', type: 'cancel', cancel: { identifier: 'too-old' } }));
    expect(late).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'cancel[identifier]' });
    expect(late.message).toMatch(/last 24 hours/);
    expect(await total()).toBe(before + 2);
  });

  it('cancels through v2 too', async () => {
    const before = await total();
    await emu.stripe.v2.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: customer, value: '9' }, identifier: 'v2-cancel' });
    const adj = await emu.stripe.v2.billing.meterEventAdjustments.create({ event_name: 'api_call', type: 'cancel', cancel: { identifier: 'v2-cancel' } });
    expect(adj).toMatchObject({ object: 'v2.billing.meter_event_adjustment', status: 'complete', cancel: { identifier: 'v2-cancel' } });
    expect(adj.id).toMatch(/^mea_/);
    expect(await total()).toBe(before);
  });

  it('refuses an adjustment without a type or identifier', async () => {
    expect(await refusal(emu.stripe.billing.meterEventAdjustments.create({ event_name: 'api_call', cancel: { identifier: 'x' } } as never))).toMatchObject({ code: 'parameter_missing', param: 'type' });
    expect(await refusal(emu.stripe.billing.meterEventAdjustments.create({ event_name: 'api_call', type: 'cancel' }))).toMatchObject({ code: 'parameter_missing', param: 'cancel' });
  });
});

describe('v2 meter events', () => {
  it('records with ISO timestamps and validates synchronously', async () => {
    const before = await total();
    const ts = new Date((now() - 120) * 1000).toISOString();
    const ev = await emu.stripe.v2.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: customer, value: '3' }, timestamp: ts });
    expect(ev).toMatchObject({ object: 'v2.billing.meter_event', event_name: 'api_call', timestamp: ts, livemode: false });
    expect(Date.parse(ev.created)).toBe(now() * 1000);
    expect(await total()).toBe(before + 3);
    const err = await refusal(emu.stripe.v2.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_ghost', value: '3' } }));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 });
    expect(err.message).toMatch(/No such customer/);
  });

  it('refuses a timestamp that is not RFC 3339, naming the field', async () => {
    const err = await refusal(emu.stripe.v2.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: customer, value: '3' }, timestamp: 'yesterday' }));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'timestamp' });
    expect(err.message).toMatch(/RFC 3339/);
  });
});

// v2 meter event sessions and the stream, with the real SDK: session-token auth, batches,
// asynchronous validation with error reports, and expiry.
import Stripe from 'stripe';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const clock = { ms: Date.UTC(2026, 10, 20, 12, 0, 0) };
const nowSec = () => Math.floor(clock.ms / 1000);
let emu: TestEmulator;
let customer: string;
let meter: Stripe.Billing.Meter;

beforeAll(async () => {
  emu = await startTestEmulator({ clock: () => clock.ms, sessionTtlSeconds: 60 });
  customer = (await emu.stripe.customers.create({ email: 'stream@example.com' })).id;
  meter = await emu.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
});
afterAll(() => emu.close());

function streamClient(token: string): Stripe {
  return new Stripe(token, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
}

async function total(): Promise<number> {
  const start = nowSec() - (nowSec() % 86400) - 30 * 86400;
  const page = await emu.stripe.billing.meters.listEventSummaries(meter.id, { customer, start_time: start, end_time: start + 32 * 86400 });
  return page.data[0].aggregated_value;
}

const event = (value: string, extra: Record<string, unknown> = {}) => ({ event_name: 'tokens', payload: { stripe_customer_id: customer, value }, ...extra });

describe('meter event sessions', () => {
  it('returns a token and an ISO expiry after the configured lifetime', async () => {
    const s = await emu.stripe.v2.billing.meterEventSession.create();
    expect(s.object).toBe('v2.billing.meter_event_session');
    expect(s.authentication_token).toEqual(expect.any(String));
    expect(Date.parse(s.expires_at) - Date.parse(s.created)).toBe(60_000);
  });

  it('is required by the stream: the secret key alone is refused', async () => {
    const err = (await emu.stripe.v2.billing.meterEventStream.create({ events: [event('1')] }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err.type).toBe('StripeAuthenticationError');
  });
});

describe('the stream', () => {
  it('accepts up to 100 events with the session token and answers {}', async () => {
    const before = await total();
    const s = await emu.stripe.v2.billing.meterEventSession.create();
    const events = Array.from({ length: 100 }, (_, i) => event(String(i + 1), { identifier: `s-${i}` }));
    await expect(streamClient(s.authentication_token).v2.billing.meterEventStream.create({ events })).resolves.toBeDefined();
    // Per-request apiKey works as well (the other way the SDK can be used).
    await emu.stripe.v2.billing.meterEventStream.create({ events: [event('1000', { timestamp: new Date((nowSec() - 60) * 1000).toISOString() })] }, { apiKey: s.authentication_token });
    expect(await total()).toBe(before + 5050 + 1000);
  });

  it('refuses a batch over 100 events and records none of it', async () => {
    const before = await total();
    const s = await emu.stripe.v2.billing.meterEventSession.create();
    const events = Array.from({ length: 101 }, () => event('1'));
    const err = (await streamClient(s.authentication_token).v2.billing.meterEventStream.create({ events }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 });
    expect(err.message).toMatch(/at most 100/);
    expect(await total()).toBe(before);
  });

  it('refuses a malformed event in a batch as a whole', async () => {
    const before = await total();
    const s = await emu.stripe.v2.billing.meterEventSession.create();
    const err = (await streamClient(s.authentication_token).v2.billing.meterEventStream.create({ events: [event('5'), { payload: {} } as never] }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/events\[1\]\.event_name/);
    expect(await total()).toBe(before);
  });

  it('drops invalid events asynchronously and reports them as v2 events', async () => {
    const before = await total();
    const s = await emu.stripe.v2.billing.meterEventSession.create();
    await streamClient(s.authentication_token).v2.billing.meterEventStream.create({
      events: [
        event('10'),
        { event_name: 'tokens', payload: { stripe_customer_id: 'cus_ghost', value: '1' }, identifier: 'ghost-1' },
        event('1.5', { identifier: 'frac-1' }),
        event('1', { identifier: 'old-1', timestamp: new Date((nowSec() - 40 * 86400) * 1000).toISOString() }),
        { event_name: 'no_such_meter', payload: { stripe_customer_id: customer, value: '1' }, identifier: 'nometer-1' },
      ],
    });
    expect(await total()).toBe(before + 10);
    const list = await emu.stripe.v2.core.events.list({ object_id: meter.id });
    const report = list.data.find((e) => e.type === 'v1.billing.meter.error_report_triggered')!;
    expect(report).toBeDefined();
    const full = (await emu.stripe.v2.core.events.retrieve(report.id)) as unknown as Stripe.Events.V1BillingMeterErrorReportTriggeredEvent;
    expect(full.related_object).toMatchObject({ id: meter.id, type: 'billing.meter' });
    expect(full.data.reason.error_count).toBe(3);
    const byCode = Object.fromEntries(full.data.reason.error_types.map((t) => [t.code, t]));
    expect(Object.keys(byCode).sort()).toEqual(['meter_event_customer_not_found', 'meter_event_invalid_value', 'timestamp_too_far_in_past']);
    expect(byCode.meter_event_customer_not_found.sample_errors[0].request.identifier).toBe('ghost-1');
    expect(full.data.developer_message_summary).toMatch(/3 meter events were dropped/);
    const all = await emu.stripe.v2.core.events.list({ types: ['v1.billing.meter.no_meter_found'] });
    expect(all.data).toHaveLength(1);
    const noMeter = (await emu.stripe.v2.core.events.retrieve(all.data[0].id)) as unknown as Stripe.Events.V1BillingMeterNoMeterFoundEvent;
    expect(noMeter.data.reason.error_types[0]).toMatchObject({ code: 'no_meter', error_count: 1 });
  });

  it('drops repeated identifiers silently', async () => {
    const before = await total();
    const s = await emu.stripe.v2.billing.meterEventSession.create();
    const client = streamClient(s.authentication_token);
    await client.v2.billing.meterEventStream.create({ events: [event('3', { identifier: 'rep-1' }), event('3', { identifier: 'rep-1' })] });
    await client.v2.billing.meterEventStream.create({ events: [event('3', { identifier: 'rep-1' })] });
    expect(await total()).toBe(before + 3);
  });

  it('answers an expired token with TemporarySessionExpiredError', async () => {
    const s = await emu.stripe.v2.billing.meterEventSession.create();
    const client = streamClient(s.authentication_token);
    await client.v2.billing.meterEventStream.create({ events: [event('1')] });
    clock.ms += 60_000;
    const err = (await client.v2.billing.meterEventStream.create({ events: [event('1')] }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err).toBeInstanceOf(Stripe.errors.TemporarySessionExpiredError);
    expect(err.statusCode).toBe(401);
    // A new session works again.
    const fresh = await emu.stripe.v2.billing.meterEventSession.create();
    await expect(streamClient(fresh.authentication_token).v2.billing.meterEventStream.create({ events: [event('1')] })).resolves.toBeDefined();
  });

  it('pages v2 events with next_page_url and filters them by created', async () => {
    clock.ms += 5000;
    const s = await emu.stripe.v2.billing.meterEventSession.create();
    for (let i = 0; i < 3; i++) {
      await streamClient(s.authentication_token).v2.billing.meterEventStream.create({ events: [{ event_name: `missing_${i}`, payload: {} }] });
    }
    const first = await emu.stripe.v2.core.events.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.next_page_url).toEqual(expect.any(String));
    const all = await emu.stripe.v2.core.events.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all.filter((e) => e.type === 'v1.billing.meter.no_meter_found').length).toBe(4);
    const recent = await emu.stripe.v2.core.events.list({ created: { gte: nowSec() } });
    expect(recent.data).toHaveLength(3);
    expect((await emu.stripe.v2.core.events.list({ created: { lt: nowSec() } })).data).toHaveLength(all.length - 3);
  });

  it('publishes an error report only once the aggregation delay has passed', async () => {
    const delayed = await startTestEmulator({ clock: () => clock.ms, aggregationDelayMs: 5000 });
    try {
      const s = await delayed.stripe.v2.billing.meterEventSession.create();
      await delayed.stripe.v2.billing.meterEventStream.create({ events: [{ event_name: 'nothing_here', payload: {} }] }, { apiKey: s.authentication_token });
      expect((await delayed.stripe.v2.core.events.list()).data).toHaveLength(0);
      clock.ms += 5000;
      const after = await delayed.stripe.v2.core.events.list();
      expect(after.data.map((e) => e.type)).toEqual(['v1.billing.meter.no_meter_found']);
    } finally {
      await delayed.close();
    }
  });
});

// Metering and events across a restart with --state: aggregates, identifiers, delayed events and
// v1 events survive; webhook secrets are never written to the file.
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { restartAfterCrash, startTestEmulator } from '../helpers/emulator.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-metering-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('metering with --state', () => {
  it('keeps usage, identifiers and events, but never the webhook secret', async () => {
    const file = join(dir, 'state.json');
    const first = await startTestEmulator({ stateFile: file, aggregationDelayMs: 60_000 });
    const customer = (await first.stripe.customers.create({ email: 'keep@example.com' })).id;
    const meter = await first.stripe.billing.meters.create({ display_name: 'T', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
    const endpoint = await first.stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/never', enabled_events: ['customer.created'] });
    await first.stripe.billing.meterEvents.create({ event_name: 'tokens', payload: { stripe_customer_id: customer, value: '30' }, identifier: 'kept-1' });
    // Still inside the 60 s delay when the emulator stops: it must not be lost.
    const session = await first.stripe.v2.billing.meterEventSession.create();
    await first.stripe.v2.billing.meterEventStream.create({ events: [{ event_name: 'tokens', payload: { stripe_customer_id: customer, value: '12' } }] }, { apiKey: session.authentication_token });
    expect(await readFile(`${file}.wal`, 'utf8')).not.toMatch(/whsec_/);
    await first.close();
    const saved = await readFile(file, 'utf8');
    expect(saved).not.toContain(endpoint.secret!);
    expect(saved).not.toMatch(/whsec_/);

    const second = await startTestEmulator({ stateFile: file });
    try {
      const start = Math.floor(Date.now() / 86400_000) * 86400 - 86400;
      const page = await second.stripe.billing.meters.listEventSummaries(meter.id, { customer, start_time: start, end_time: start + 3 * 86400 });
      expect(page.data[0].aggregated_value).toBe(42);
      const repeat = (await second.stripe.billing.meterEvents
        .create({ event_name: 'tokens', payload: { stripe_customer_id: customer, value: '30' }, identifier: 'kept-1' })
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(repeat).toMatchObject({ statusCode: 400, param: 'identifier' });
      await second.stripe.billing.meterEventAdjustments.create({ event_name: 'tokens', type: 'cancel', cancel: { identifier: 'kept-1' } });
      const after = await second.stripe.billing.meters.listEventSummaries(meter.id, { customer, start_time: start, end_time: start + 3 * 86400 });
      expect(after.data[0].aggregated_value).toBe(12);
      const events = await second.stripe.events.list({ type: 'customer.created' });
      expect(events.data.map((e) => (e.data.object as Stripe.Customer).id)).toEqual([customer]);
      await expect(second.stripe.webhookEndpoints.retrieve(endpoint.id)).resolves.toMatchObject({ url: 'http://127.0.0.1:9/never' });
    } finally {
      await second.close();
    }
  });

  it('has new usage on disk before answering, without waiting for close', async () => {
    await restartAfterCrash(join(dir, 'live.json'), async (emu) => {
      const customer = (await emu.stripe.customers.create({ email: 'live@example.com' })).id;
      const meter = await emu.stripe.billing.meters.create({ display_name: 'T', event_name: 'live', default_aggregation: { formula: 'sum' } });
      await emu.stripe.billing.meterEvents.create({ event_name: 'live', payload: { stripe_customer_id: customer, value: '5' }, identifier: 'live-1' });
      await emu.stripe.billing.meterEvents.create({ event_name: 'live', payload: { stripe_customer_id: customer, value: '7' }, identifier: 'live-2' });
      await emu.stripe.billing.meterEventAdjustments.create({ event_name: 'live', type: 'cancel', cancel: { identifier: 'live-2' } });
      return { customer, meter: meter.id };
    }, async (restarted, { customer, meter }) => {
      const start = Math.floor(Date.now() / 86400_000) * 86400 - 86400;
      const page = await restarted.stripe.billing.meters.listEventSummaries(meter, { customer, start_time: start, end_time: start + 3 * 86400 });
      expect(page.data.map((w) => w.aggregated_value)).toEqual([5]);
    });
  });

  it('counts logged events once when a crash came between writing the snapshot and emptying the log', async () => {
    const file = join(dir, 'fold.json');
    const oldLog = join(dir, 'fold-old.wal');
    const emu = await startTestEmulator({ stateFile: file });
    let meter: Stripe.Billing.Meter;
    let customer: string;
    try {
      customer = (await emu.stripe.customers.create({ email: 'fold@example.com' })).id;
      meter = await emu.stripe.billing.meters.create({ display_name: 'T', event_name: 'fold', default_aggregation: { formula: 'sum' } });
      const session = await emu.stripe.v2.billing.meterEventSession.create();
      await emu.stripe.v2.billing.meterEventStream.create({ events: [{ event_name: 'fold', payload: { stripe_customer_id: customer, value: '3' } }] }, { apiKey: session.authentication_token });
      await copyFile(`${file}.wal`, oldLog);
    } finally {
      // Close folds the log into the snapshot and empties the log...
      await emu.close();
    }
    // ...put back the log as it was before, as if the crash came just before emptying it.
    await copyFile(oldLog, `${file}.wal`);
    const restarted = await startTestEmulator({ stateFile: file });
    try {
      const start = Math.floor(Date.now() / 86400_000) * 86400 - 86400;
      const page = await restarted.stripe.billing.meters.listEventSummaries(meter.id, { customer, start_time: start, end_time: start + 3 * 86400 });
      expect(page.data.map((w) => w.aggregated_value)).toEqual([3]);
    } finally {
      await restarted.close();
    }
  });
});

// v1 events produced by the emulator's changes: listing, filters, pagination and retrieval.
import type Stripe from 'stripe';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const clock = { ms: Date.UTC(2026, 10, 20, 12, 0, 0) };
let emu: TestEmulator;
let meter: Stripe.Billing.Meter;
let t0: number;

beforeAll(async () => {
  emu = await startTestEmulator({ clock: () => clock.ms });
  t0 = Math.floor(clock.ms / 1000);
  meter = await emu.stripe.billing.meters.create({ display_name: 'Calls', event_name: 'calls', default_aggregation: { formula: 'sum' } });
  await emu.stripe.billing.meters.update(meter.id, { display_name: 'API calls' });
  clock.ms += 10_000;
  await emu.stripe.billing.meters.deactivate(meter.id);
  const product = await emu.stripe.products.create({ name: 'Widget' });
  await emu.stripe.products.update(product.id, { name: 'Widget 2' });
  await emu.stripe.products.del(product.id);
});
afterAll(() => emu.close());

describe('v1 events', () => {
  it('records creates, updates and deletes with the object and previous attributes', async () => {
    const { data } = await emu.stripe.events.list({ limit: 100 });
    expect(data.map((e) => e.type)).toEqual(['product.deleted', 'product.updated', 'product.created', 'billing.meter.deactivated', 'billing.meter.updated', 'billing.meter.created']);
    const updated = data.find((e) => e.type === 'billing.meter.updated')!;
    expect(updated).toMatchObject({ object: 'event', livemode: false, api_version: '2026-10-28.endive', pending_webhooks: 0 });
    expect(updated.id).toMatch(/^evt_/);
    expect((updated.data.object as Stripe.Billing.Meter).display_name).toBe('API calls');
    expect(updated.data.previous_attributes).toMatchObject({ display_name: 'Calls' });
    const created = data.find((e) => e.type === 'billing.meter.created')!;
    // The event keeps the object as it was then, not as it is now.
    expect((created.data.object as Stripe.Billing.Meter).status).toBe('active');
    expect(created.data).not.toHaveProperty('previous_attributes');
  });

  it('filters by type, with the * wildcard, and by types[]', async () => {
    const byType = await emu.stripe.events.list({ type: 'product.updated' });
    expect(byType.data.map((e) => e.type)).toEqual(['product.updated']);
    const wildcard = await emu.stripe.events.list({ type: 'billing.meter.*' });
    expect(wildcard.data.map((e) => e.type)).toEqual(['billing.meter.deactivated', 'billing.meter.updated', 'billing.meter.created']);
    const types = await emu.stripe.events.list({ types: ['product.created', 'billing.meter.created'] });
    expect(types.data.map((e) => e.type)).toEqual(['product.created', 'billing.meter.created']);
    const err = (await emu.stripe.events.list({ type: 'a.b', types: ['c.d'] }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err).toMatchObject({ statusCode: 400, code: 'parameters_exclusive' });
  });

  it('filters by created', async () => {
    const late = await emu.stripe.events.list({ created: { gte: t0 + 10 } });
    expect(late.data.map((e) => e.type)).toEqual(['product.deleted', 'product.updated', 'product.created', 'billing.meter.deactivated']);
    const early = await emu.stripe.events.list({ created: { lt: t0 + 10 } });
    expect(early.data).toHaveLength(2);
    expect((await emu.stripe.events.list({ created: t0 })).data).toHaveLength(2);
  });

  it('pages newest first and retrieves one by id', async () => {
    const all = await emu.stripe.events.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(all).toHaveLength(6);
    const page2 = await emu.stripe.events.list({ limit: 2, starting_after: all[1].id });
    expect(page2.data.map((e) => e.id)).toEqual([all[2].id, all[3].id]);
    expect(page2.has_more).toBe(true);
    expect((await emu.stripe.events.retrieve(all[4].id)).type).toBe(all[4].type);
    const missing = (await emu.stripe.events.retrieve('evt_missing').catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});

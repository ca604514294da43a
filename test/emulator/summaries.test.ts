// GET /v1/billing/meters/:id/event_summaries with the real SDK: formulas, alignment, grouping
// windows, pagination and the aggregation delay.
import type Stripe from 'stripe';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const DAY = 86400;
// "Now" is 10:30 UTC on day D; events go on D-2 and D-1.
const D = Date.UTC(2026, 10, 20) / 1000;
const clock = { ms: (D + 10.5 * 3600) * 1000 };

let emu: TestEmulator;
let customer: string;
let other: string;
const meters: Record<string, Stripe.Billing.Meter> = {};

async function send(event: string, cust: string, value: number | undefined, ts: number) {
  await emu.stripe.billing.meterEvents.create({ event_name: event, payload: { stripe_customer_id: cust, ...(value === undefined ? {} : { value: String(value) }) }, timestamp: ts });
}

beforeAll(async () => {
  emu = await startTestEmulator({ clock: () => clock.ms });
  customer = (await emu.stripe.customers.create({ email: 's@example.com' })).id;
  other = (await emu.stripe.customers.create({ email: 'o@example.com' })).id;
  for (const formula of ['sum', 'count', 'last'] as const) {
    meters[formula] = await emu.stripe.billing.meters.create({ display_name: formula, event_name: `ev_${formula}`, default_aggregation: { formula } });
  }
  // Day D-2: 01:10 (5), 01:50 (7), 03:00 (11); day D-1: 00:00:30 (13). Other customer: 100.
  const points: Array<[number, number]> = [[D - 2 * DAY + 4200, 5], [D - 2 * DAY + 6600, 7], [D - 2 * DAY + 10800, 11], [D - DAY + 30, 13]];
  for (const [ts, v] of points) {
    await send('ev_sum', customer, v, ts);
    await send('ev_count', customer, undefined, ts);
  }
  // For "last", send out of order: the latest timestamp wins, not the latest arrival.
  await send('ev_last', customer, 9, D - DAY + 30);
  await send('ev_last', customer, 4, D - 2 * DAY + 4200);
  await send('ev_sum', other, 100, D - 2 * DAY + 4200);
});
afterAll(() => emu.close());

const summaries = (formula: string, params: Partial<Stripe.Billing.MeterListEventSummariesParams>) =>
  emu.stripe.billing.meters.listEventSummaries(meters[formula].id, { customer, start_time: D - 2 * DAY, end_time: D, ...params });

describe('formulas', () => {
  it('sum, count and last over one range give one summary', async () => {
    const [sum, count, last] = await Promise.all(['sum', 'count', 'last'].map((f) => summaries(f, {})));
    expect(sum.data).toHaveLength(1);
    expect(sum.data[0]).toMatchObject({ object: 'billing.meter_event_summary', aggregated_value: 36, start_time: D - 2 * DAY, end_time: D, meter: meters.sum.id, livemode: false });
    expect(sum.data[0].id).toMatch(/^mtrusg_/);
    expect(count.data[0].aggregated_value).toBe(4);
    expect(last.data[0].aggregated_value).toBe(9);
  });

  it('end_time is exclusive and start_time inclusive', async () => {
    const s = await summaries('sum', { start_time: D - 2 * DAY + 4200 - 60, end_time: D - 2 * DAY + 10800 });
    expect(s.data[0].aggregated_value).toBe(12);
  });

  it('keeps customers apart and answers 0 for a customer without events', async () => {
    expect((await summaries('sum', { customer: other })).data[0].aggregated_value).toBe(100);
    const none = (await emu.stripe.customers.create({ email: 'n@example.com' })).id;
    expect((await summaries('sum', { customer: none })).data).toEqual([expect.objectContaining({ aggregated_value: 0 })]);
  });
});

describe('grouping windows', () => {
  it('hour windows list the hours that saw events, newest first', async () => {
    const s = await summaries('sum', { value_grouping_window: 'hour', limit: 100 });
    expect(s.data.map((x) => [x.start_time - (D - 2 * DAY), x.end_time - x.start_time, x.aggregated_value])).toEqual([
      [DAY, 3600, 13],
      [3 * 3600, 3600, 11],
      [3600, 3600, 12],
    ]);
  });

  it('day windows split at 00:00 UTC', async () => {
    const s = await summaries('sum', { value_grouping_window: 'day' });
    expect(s.data.map((x) => [x.start_time, x.aggregated_value])).toEqual([[D - DAY, 13], [D - 2 * DAY, 23]]);
    const last = await summaries('last', { value_grouping_window: 'day' });
    expect(last.data.map((x) => x.aggregated_value)).toEqual([9, 4]);
  });

  it.each([
    ['start_time not on a minute', { start_time: D - 2 * DAY + 30 }, 'start_time'],
    ['end_time not on a minute', { end_time: D - 1 }, 'end_time'],
    ['hour window off the hour', { start_time: D - 2 * DAY + 60, value_grouping_window: 'hour' }, 'start_time'],
    ['day window off midnight UTC', { end_time: D - 3600, value_grouping_window: 'day' }, 'end_time'],
    ['an unknown window', { value_grouping_window: 'week' }, 'value_grouping_window'],
    ['end before start', { start_time: D, end_time: D - DAY }, 'end_time'],
  ])('refuses %s with a 400 naming the parameter', async (_name, params, param) => {
    const err = (await summaries('sum', params as never).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param });
  });

  it('requires customer, start_time and end_time', async () => {
    const err = (await emu.stripe.billing.meters.listEventSummaries(meters.sum.id, { customer } as never).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err).toMatchObject({ code: 'parameter_missing', param: 'start_time' });
    const missing = (await emu.stripe.billing.meters.listEventSummaries('mtr_missing', { customer, start_time: D - DAY, end_time: D }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});

describe('pagination', () => {
  it('auto-pagination walks every hour window once with stable ids', async () => {
    const many = (await emu.stripe.customers.create({ email: 'p@example.com' })).id;
    for (let h = 0; h < 25; h++) await send('ev_sum', many, h + 1, D - 2 * DAY + h * 3600 + 120);
    const all = await emu.stripe.billing.meters
      .listEventSummaries(meters.sum.id, { customer: many, start_time: D - 2 * DAY, end_time: D, value_grouping_window: 'hour', limit: 4 })
      .autoPagingToArray({ limit: 1000 });
    expect(all).toHaveLength(25);
    expect(new Set(all.map((s) => s.id)).size).toBe(25);
    expect(all.reduce((t, s) => t + s.aggregated_value, 0)).toBe((25 * 26) / 2);
    const again = await emu.stripe.billing.meters.listEventSummaries(meters.sum.id, { customer: many, start_time: D - 2 * DAY, end_time: D, value_grouping_window: 'hour', limit: 4 });
    expect(again.data.map((s) => s.id)).toEqual(all.slice(0, 4).map((s) => s.id));
    expect(again.has_more).toBe(true);
  });
});

describe('aggregation delay', () => {
  it('events become visible only after the delay', async () => {
    const delayed = await startTestEmulator({ clock: () => clock.ms, aggregationDelayMs: 1000 });
    try {
      const c = (await delayed.stripe.customers.create({ email: 'd@example.com' })).id;
      const m = await delayed.stripe.billing.meters.create({ display_name: 'd', event_name: 'delayed', default_aggregation: { formula: 'sum' } });
      await delayed.stripe.billing.meterEvents.create({ event_name: 'delayed', payload: { stripe_customer_id: c, value: '8' } });
      const read = async () => (await delayed.stripe.billing.meters.listEventSummaries(m.id, { customer: c, start_time: D, end_time: D + DAY })).data[0].aggregated_value;
      expect(await read()).toBe(0);
      clock.ms += 999;
      expect(await read()).toBe(0);
      clock.ms += 1;
      expect(await read()).toBe(8);
    } finally {
      await delayed.close();
    }
  });
});

// The billing cycle driven by a test clock, with the real SDK: the renewal draft at period end,
// usage reported in the grace hour, finalization and payment, failures with retries and the final
// state, recovery with invoices.pay, several periods in one advance, and real-time renewals.
import Stripe from 'stripe';
import { configureBilling } from '../../src/emulator/billing/store.js';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { advanceTo } from '../helpers/clock.js';

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const FEB = Date.UTC(2026, 1, 15, 12) / 1000;
const MAR = Date.UTC(2026, 2, 15, 12) / 1000;
const HOUR = 3600;
const DAY = 86_400;

let emu: TestEmulator;
let price: Stripe.Price;

beforeAll(async () => {
  emu = await startTestEmulator();
  const s = emu.stripe;
  await s.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
  const meter = (await s.billing.meters.list()).data[0];
  const product = await s.products.create({ name: 'Alpaca AI' });
  price = await s.prices.create({ product: product.id, currency: 'usd', unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' }, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id } });
});
afterAll(() => emu.close());

async function subscribed(card: string) {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await emu.stripe.customers.create({ test_clock: clock.id, payment_method: card, invoice_settings: { default_payment_method: card } });
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  return { clock: clock.id, customer: customer.id, sub: sub.id };
}

const usage = (customer: string, value: number, timestamp: number) => emu.stripe.billing.meterEvents.create({ event_name: 'tokens', payload: { stripe_customer_id: customer, value: String(value) }, timestamp });

async function renewals(sub: string): Promise<Stripe.Invoice[]> {
  const list = await emu.stripe.invoices.list({ subscription: sub, limit: 100 });
  return list.data.filter((i) => i.billing_reason === 'subscription_cycle').reverse();
}

/** Event types about one object (or its subscription), oldest first. */
async function story(ids: string[]): Promise<string[]> {
  const events = await emu.stripe.events.list({ limit: 100 });
  return events.data
    .filter((e) => ids.includes((e.data.object as { id: string }).id))
    .reverse()
    .map((e) => e.type);
}

describe('renewal at period end', () => {
  it('drafts the closed period\'s usage, takes grace-hour usage, then finalizes and pays the amount the preview showed', async () => {
    const { clock, customer, sub } = await subscribed('pm_card_visa');
    await usage(customer, 40_377_931, T0 + 60);
    const preview = await emu.stripe.invoices.createPreview({ customer, subscription: sub });
    expect(preview.amount_due).toBe(40_378 * 4);

    await advanceTo(emu.stripe, clock, FEB + 60);
    const [draft] = await renewals(sub);
    expect(draft).toMatchObject({ status: 'draft', amount_due: preview.amount_due, period_start: T0, period_end: FEB, created: FEB, automatically_finalizes_at: FEB + HOUR, test_clock: clock });
    expect(draft.lines.data[0]).toMatchObject({ quantity: 40_377_931, period: { start: T0, end: FEB } });
    const renewed = await emu.stripe.subscriptions.retrieve(sub);
    expect([renewed.items.data[0].current_period_start, renewed.latest_invoice]).toEqual([FEB, draft.id]);

    // Usage for the closed period reported during the grace hour is on the invoice.
    await usage(customer, 1_000, FEB - 5);
    await advanceTo(emu.stripe, clock, FEB + HOUR + 60);
    const paid = await emu.stripe.invoices.retrieve(draft.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: (40_378 + 1) * 4, attempt_count: 1 });
    expect(paid.status_transitions.finalized_at).toBe(FEB + HOUR);
    expect(paid.number).toMatch(/-0002$/);
    expect(await story([draft.id])).toEqual(['invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']);
    const subEvents = (await emu.stripe.events.list({ type: 'customer.subscription.updated', limit: 100 })).data.filter((e) => (e.data.object as Stripe.Subscription).id === sub);
    expect((subEvents[0].data.previous_attributes as Partial<Stripe.Subscription>).items?.data[0].current_period_start).toBe(T0);
  });

  it('bills each period in turn when one advance crosses several', async () => {
    const { clock, customer, sub } = await subscribed('pm_card_visa');
    await usage(customer, 1_500, T0);
    await advanceTo(emu.stripe, clock, FEB + DAY);
    await usage(customer, 2_500, FEB + DAY);
    await advanceTo(emu.stripe, clock, MAR + 2 * HOUR);
    const invoices = await renewals(sub);
    expect(invoices.map((i) => [i.period_start, i.period_end, i.amount_paid, i.status])).toEqual([
      [T0, FEB, 2 * 4, 'paid'],
      [FEB, MAR, 3 * 4, 'paid'],
    ]);
  });
});

describe('a renewal draft\'s schedule', () => {
  it('follows automatically_finalizes_at when it is moved, and auto_advance=false keeps it a draft', async () => {
    const { clock, sub } = await subscribed('pm_card_visa');
    await advanceTo(emu.stripe, clock, FEB + 60);
    const [draft] = await renewals(sub);
    const moved = await emu.stripe.invoices.update(draft.id, { automatically_finalizes_at: FEB + 3 * HOUR });
    expect(moved.automatically_finalizes_at).toBe(FEB + 3 * HOUR);
    await advanceTo(emu.stripe, clock, FEB + 2 * HOUR);
    expect((await emu.stripe.invoices.retrieve(draft.id)).status).toBe('draft');
    await advanceTo(emu.stripe, clock, FEB + 3 * HOUR);
    expect((await emu.stripe.invoices.retrieve(draft.id)).status).toBe('paid');
    const late = await fail(emu.stripe.invoices.update(draft.id, { automatically_finalizes_at: FEB + 4 * HOUR }));
    expect([late.statusCode, late.param]).toEqual([400, 'automatically_finalizes_at']);
  });

  it('stays a draft with auto_advance=false', async () => {
    const { clock, sub } = await subscribed('pm_card_visa');
    await advanceTo(emu.stripe, clock, FEB + 60);
    const [draft] = await renewals(sub);
    await emu.stripe.invoices.update(draft.id, { auto_advance: false });
    await advanceTo(emu.stripe, clock, FEB + 5 * HOUR);
    expect((await emu.stripe.invoices.retrieve(draft.id)).status).toBe('draft');
  });
});

describe('failed renewal payments', () => {
  it('leave the invoice open and the subscription past_due, retry on the schedule, then cancel', async () => {
    const { clock, customer, sub } = await subscribed('pm_card_chargeCustomerFail');
    await usage(customer, 5_000, T0);
    await advanceTo(emu.stripe, clock, FEB + HOUR);
    const [invoice] = await renewals(sub);
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, attempted: true, next_payment_attempt: FEB + HOUR + DAY });
    expect((await emu.stripe.subscriptions.retrieve(sub)).status).toBe('past_due');
    const pastDue = (await emu.stripe.events.list({ type: 'customer.subscription.updated', limit: 100 })).data.find((e) => (e.data.object as Stripe.Subscription).id === sub && (e.data.previous_attributes as { status?: string } | undefined)?.status);
    expect(pastDue?.data.previous_attributes).toEqual({ status: 'active' });

    await advanceTo(emu.stripe, clock, FEB + 15 * DAY);
    const last = await emu.stripe.invoices.retrieve(invoice.id);
    expect([last.status, last.attempt_count, last.next_payment_attempt]).toEqual(['open', 8, null]);
    const ended = await emu.stripe.subscriptions.retrieve(sub);
    expect([ended.status, ended.cancellation_details?.reason, ended.ended_at]).toEqual(['canceled', 'payment_failed', FEB + HOUR + 14 * DAY]);
    const types = await story([invoice.id, sub]);
    expect(types.filter((t) => t === 'invoice.payment_failed')).toHaveLength(8);
    expect(types.slice(-2)).toEqual(['invoice.payment_failed', 'customer.subscription.deleted']);
  });

  it('end in unpaid instead when the emulator is set so', async () => {
    configureBilling(emu.core, { afterRetries: 'unpaid' });
    try {
      const { clock, customer, sub } = await subscribed('pm_card_chargeCustomerFail');
      await usage(customer, 5_000, T0);
      await advanceTo(emu.stripe, clock, FEB + HOUR);
      await advanceTo(emu.stripe, clock, FEB + 15 * DAY);
      expect((await emu.stripe.subscriptions.retrieve(sub)).status).toBe('unpaid');
    } finally {
      configureBilling(emu.core, { afterRetries: 'cancel' });
    }
  });

  it('recover with invoices.pay and a working card: paid, subscription active, no more retries', async () => {
    const { clock, customer, sub } = await subscribed('pm_card_chargeCustomerFail');
    await usage(customer, 5_000, T0);
    await advanceTo(emu.stripe, clock, FEB + HOUR);
    const [invoice] = await renewals(sub);
    const paid = await emu.stripe.invoices.pay(invoice.id, { payment_method: 'pm_card_visa' });
    expect([paid.status, paid.amount_paid, paid.next_payment_attempt]).toEqual(['paid', 20, null]);
    expect((await emu.stripe.subscriptions.retrieve(sub)).status).toBe('active');
    await advanceTo(emu.stripe, clock, FEB + 15 * DAY);
    expect((await emu.stripe.invoices.retrieve(invoice.id)).attempt_count).toBe(2);
  });
});

describe('test cards', () => {
  it('the charge-time decline cards cannot be attached to a customer', async () => {
    const err = await fail(emu.stripe.customers.create({ payment_method: 'pm_card_visa_chargeDeclined' }));
    expect([err.type, err.code, (err as Stripe.errors.StripeCardError).decline_code]).toEqual(['StripeCardError', 'card_declined', 'generic_decline']);
    expect((await emu.stripe.customers.create({ payment_method: 'pm_card_chargeCustomerFail' })).id).toMatch(/^cus_/);
  });

  it('pm_card_chargeCustomerFail is saved by a SetupIntent (nothing is charged), then fails the charge', async () => {
    const customer = await emu.stripe.customers.create({});
    const si = await emu.stripe.setupIntents.create({ customer: customer.id });
    const confirmed = await emu.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_chargeCustomerFail' });
    expect(confirmed.status).toBe('succeeded');
  });
});

describe('invoice lists', () => {
  it('filter by customer, subscription, status and created', async () => {
    const { clock, customer, sub } = await subscribed('pm_card_visa');
    await advanceTo(emu.stripe, clock, FEB + 60);
    const all = await emu.stripe.invoices.list({ customer });
    expect(all.data.map((i) => i.status)).toEqual(['draft', 'paid']);
    expect((await emu.stripe.invoices.list({ customer, status: 'draft' })).data.map((i) => i.period_end)).toEqual([FEB]);
    expect((await emu.stripe.invoices.list({ subscription: sub, created: { gte: FEB } })).data).toHaveLength(1);
    expect((await emu.stripe.invoices.list({ subscription: sub, created: { lt: FEB } })).data.map((i) => i.billing_reason)).toEqual(['subscription_create']);
  });
});

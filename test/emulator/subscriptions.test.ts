import type Stripe from 'stripe';
import { configureBilling } from '../../src/emulator/billing/store.js';
import { type TestEmulator, fail, startTestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let clockMs = Date.parse('2026-01-31T10:00:00Z');
const events: Array<{ type: string; object: Record<string, any>; previous?: Record<string, any> }> = [];
let metered: Stripe.Price;
let seat: Stripe.Price;
let yearly: Stripe.Price;
let usage = 0;

beforeAll(async () => {
  emu = await startTestEmulator({ clock: () => clockMs });
  emu.core.onEvent((type, object, previous) => events.push({ type, object, previous }));
  emu.core.setUsageSource({ aggregate: () => usage });
  const product = await emu.stripe.products.create({ name: 'Alpaca AI' });
  const meter = await emu.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'sub_tokens', default_aggregation: { formula: 'sum' } });
  metered = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' }, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id } });
  seat = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' } });
  yearly = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 0, recurring: { interval: 'year' } });
});
afterAll(() => emu.close());

const newCustomer = (params: Stripe.CustomerCreateParams = {}) => emu.stripe.customers.create(params);
const guideParams = (customer: string, price: string): Stripe.SubscriptionCreateParams => ({
  customer,
  items: [{ price }],
  payment_behavior: 'default_incomplete',
  payment_settings: { save_default_payment_method: 'on_subscription' },
  expand: ['latest_invoice.confirmation_secret', 'pending_setup_intent'],
});

describe('creating subscriptions the way the Stripe guide does', () => {
  test('a metered-only subscription without a payment method gets a pending SetupIntent and a zero first invoice', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create(guideParams(c.id, metered.id));
    expect(sub.id).toMatch(/^sub_/);
    expect(sub.status).toBe('active');
    const si = sub.pending_setup_intent as Stripe.SetupIntent;
    expect(si).toMatchObject({ object: 'setup_intent', status: 'requires_payment_method', customer: c.id, usage: 'off_session' });
    expect(si.client_secret).toMatch(new RegExp(`^${si.id}_secret_[A-Za-z0-9]+$`));
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ object: 'invoice', billing_reason: 'subscription_create', amount_due: 0, status: 'paid', confirmation_secret: null });
    const item = sub.items.data[0];
    expect(item.id).toMatch(/^si_/);
    expect(item).not.toHaveProperty('quantity');
    expect(item.price.id).toBe(metered.id);
    // Anchored on Jan 31: the monthly period ends on the last day of February.
    expect(new Date(item.current_period_end * 1000).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(item.current_period_start).toBe(sub.start_date);
  });

  test('a subscription whose first invoice has an amount returns latest_invoice.confirmation_secret and starts incomplete', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create({ ...guideParams(c.id, seat.id), items: [{ price: seat.id, quantity: 3 }] });
    expect(sub.status).toBe('incomplete');
    expect(sub.pending_setup_intent).toBeNull();
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'open', amount_due: 4500, total: 4500, subtotal: 4500, amount_paid: 0 });
    expect(invoice.confirmation_secret).toEqual({ client_secret: expect.stringMatching(/^pi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/), type: 'payment_intent' });
    // Not expanded: ids only, and the secret stays off the plain invoice.
    const plain = await emu.stripe.subscriptions.retrieve(sub.id);
    expect(plain.latest_invoice).toBe(invoice.id);
    expect(await emu.stripe.invoices.retrieve(invoice.id)).not.toHaveProperty('confirmation_secret');
  });

  test('with a default card on file the first invoice is charged and the subscription is active', async () => {
    const c = await newCustomer({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }], expand: ['latest_invoice'] });
    expect(sub.status).toBe('active');
    expect(sub.latest_invoice).toMatchObject({ status: 'paid', amount_paid: 1500, amount_remaining: 0 });
  });

  test('send_invoice subscriptions are active at once with an open first invoice due in days_until_due', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }], collection_method: 'send_invoice', days_until_due: 14, expand: ['latest_invoice'] });
    expect(sub).toMatchObject({ status: 'active', collection_method: 'send_invoice', days_until_due: 14, pending_setup_intent: null });
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'open', amount_due: 1500, collection_method: 'send_invoice', due_date: sub.created + 14 * 86_400 });
  });

  test('default_payment_method on create must be attached to the customer and is charged', async () => {
    const c = await newCustomer();
    const pm = await emu.stripe.paymentMethods.attach('pm_card_visa', { customer: c.id });
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }], default_payment_method: pm.id, expand: ['latest_invoice'] });
    expect(sub).toMatchObject({ status: 'active', default_payment_method: pm.id, latest_invoice: { status: 'paid' } });
    const stranger = await emu.stripe.paymentMethods.attach('pm_card_visa', { customer: (await newCustomer()).id });
    await expect(fail(emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }], default_payment_method: stranger.id }))).resolves.toMatchObject({ param: 'default_payment_method' });
  });

  test('error_if_incomplete without a payment method is refused and stores nothing', async () => {
    const c = await newCustomer();
    const err = await fail(emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }], payment_behavior: 'error_if_incomplete' }));
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 });
    expect((await emu.stripe.subscriptions.list({ customer: c.id, status: 'all' })).data).toEqual([]);
  });

  test('the zero-invoice status is a documented switch: incomplete until the SetupIntent succeeds', async () => {
    configureBilling(emu.core, { zeroInvoiceSetupStatus: 'incomplete' });
    try {
      const c = await newCustomer();
      const sub = await emu.stripe.subscriptions.create(guideParams(c.id, metered.id));
      expect(sub.status).toBe('incomplete');
      expect(sub.pending_setup_intent).toMatchObject({ object: 'setup_intent' });
    } finally {
      configureBilling(emu.core, { zeroInvoiceSetupStatus: 'active' });
    }
  });

  test('items of different intervals each carry their own period', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: metered.id }, { price: yearly.id, quantity: 2 }] });
    const [m, y] = sub.items.data;
    expect(new Date(m.current_period_end * 1000).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(new Date(y.current_period_end * 1000).toISOString()).toBe('2027-01-31T10:00:00.000Z');
    expect(y.quantity).toBe(2);
  });

  test('emits customer.subscription.created and the invoice events', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: metered.id }] });
    const types = events.filter((e) => e.object.id === sub.id || e.object.id === sub.latest_invoice).map((e) => e.type);
    expect(types).toEqual(['customer.subscription.created', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']);
  });
});

describe('subscription rules', () => {
  test('a metered item takes no quantity', async () => {
    const c = await newCustomer();
    const err = await fail(emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: metered.id, quantity: 1 }] }));
    expect(err).toMatchObject({ statusCode: 400, param: 'items[0][quantity]' });
  });

  test('unknown customer or price, and inactive prices, are refused naming the parameter', async () => {
    const c = await newCustomer();
    await expect(fail(emu.stripe.subscriptions.create({ customer: 'cus_nobody', items: [{ price: seat.id }] }))).resolves.toMatchObject({ code: 'resource_missing', param: 'customer' });
    await expect(fail(emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: 'price_nope' }] }))).resolves.toMatchObject({ code: 'resource_missing', param: 'items[0][price]' });
    const old = await emu.stripe.prices.create({ product: seat.product as string, currency: 'usd', unit_amount: 1, recurring: { interval: 'month' } });
    await emu.stripe.prices.update(old.id, { active: false });
    await expect(fail(emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: old.id }] }))).resolves.toMatchObject({ param: 'items[0][price]' });
    await expect(fail(emu.stripe.subscriptions.create({ customer: c.id } as Stripe.SubscriptionCreateParams))).resolves.toMatchObject({ code: 'parameter_missing', param: 'items' });
  });

  test('list filters by customer, status and price; canceled ones only on request', async () => {
    const c = await newCustomer();
    const a = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: metered.id }] });
    const b = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }] });
    await emu.stripe.subscriptions.cancel(a.id);
    expect((await emu.stripe.subscriptions.list({ customer: c.id })).data.map((s) => s.id)).toEqual([b.id]);
    expect((await emu.stripe.subscriptions.list({ customer: c.id, status: 'all' })).data.map((s) => s.id)).toEqual([b.id, a.id]);
    expect((await emu.stripe.subscriptions.list({ customer: c.id, status: 'canceled' })).data.map((s) => s.id)).toEqual([a.id]);
    expect((await emu.stripe.subscriptions.list({ customer: c.id, status: 'incomplete' })).data.map((s) => s.id)).toEqual([b.id]);
    expect((await emu.stripe.subscriptions.list({ customer: c.id, price: seat.id })).data.map((s) => s.id)).toEqual([b.id]);
  });

  test('update: cancel_at_period_end and metadata, with previous_attributes on the event', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: metered.id }], metadata: { plan: 'pro' } });
    const updated = await emu.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true, metadata: { plan: '', team: 'a' } });
    expect(updated).toMatchObject({ cancel_at_period_end: true, metadata: { team: 'a' }, status: 'active' });
    const event = events.filter((e) => e.type === 'customer.subscription.updated' && e.object.id === sub.id).pop();
    // Scheduling the cancellation also sets cancel_at (the period end) and canceled_at (now).
    expect(event?.previous).toEqual({ cancel_at_period_end: false, cancel_at: null, canceled_at: null, metadata: { plan: 'pro' } });
  });

  test('update items: change a quantity, add an item, delete one', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: metered.id }, { price: seat.id, quantity: 1 }] });
    const [m, s] = sub.items.data;
    const updated = await emu.stripe.subscriptions.update(sub.id, { items: [{ id: s.id, quantity: 5 }, { id: m.id, deleted: true }, { price: yearly.id }] });
    expect(updated.items.data.map((i) => [i.price.id, i.quantity])).toEqual([
      [seat.id, 5],
      [yearly.id, 1],
    ]);
    await expect(fail(emu.stripe.subscriptions.update(sub.id, { items: [{ id: 'si_missing', quantity: 2 }] }))).resolves.toMatchObject({ code: 'resource_missing', param: 'items[0][id]' });
  });

  test('cancel with invoice_now bills the period usage on a final invoice', async () => {
    const c = await newCustomer({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: metered.id }] });
    usage = 1_234_567;
    try {
      const canceled = await emu.stripe.subscriptions.cancel(sub.id, { invoice_now: true, prorate: false }, {});
      expect(canceled).toMatchObject({ status: 'canceled', canceled_at: expect.any(Number), ended_at: expect.any(Number) });
      expect(canceled.latest_invoice).not.toBe(sub.latest_invoice);
      const final = await emu.stripe.invoices.retrieve(canceled.latest_invoice as string);
      expect(final).toMatchObject({ amount_due: 4940, status: 'paid', parent: { subscription_details: { subscription: sub.id } } });
      expect(final.lines.data[0]).toMatchObject({ quantity: 1_234_567, amount: 4940 });
      expect(events.some((e) => e.type === 'customer.subscription.deleted' && e.object.id === sub.id)).toBe(true);
    } finally {
      usage = 0;
    }
    await expect(fail(emu.stripe.subscriptions.cancel(sub.id))).resolves.toMatchObject({ statusCode: 400 });
  });

  test('cancel without invoice_now issues no invoice', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: metered.id }] });
    const canceled = await emu.stripe.subscriptions.cancel(sub.id);
    expect(canceled.latest_invoice).toBe(sub.latest_invoice);
    expect((await emu.stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
  });

  test('item periods roll forward as the clock passes the period end', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: metered.id }] });
    const saved = clockMs;
    clockMs = Date.parse('2026-03-05T00:00:00Z');
    try {
      const item = (await emu.stripe.subscriptions.retrieve(sub.id)).items.data[0];
      expect(new Date(item.current_period_start * 1000).toISOString()).toBe('2026-02-28T10:00:00.000Z');
      expect(new Date(item.current_period_end * 1000).toISOString()).toBe('2026-03-31T10:00:00.000Z');
    } finally {
      clockMs = saved;
    }
  });

  test('an incomplete subscription expires after 23 hours: incomplete_expired, first invoice voided', async () => {
    const c = await newCustomer();
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }], payment_behavior: 'default_incomplete' });
    const saved = clockMs;
    try {
      clockMs = saved + 22 * 3600 * 1000;
      expect((await emu.stripe.subscriptions.retrieve(sub.id)).status).toBe('incomplete');
      clockMs = saved + 23 * 3600 * 1000;
      const expired = await emu.stripe.subscriptions.retrieve(sub.id);
      expect(expired).toMatchObject({ status: 'incomplete_expired', ended_at: sub.created + 23 * 3600 });
      expect(await emu.stripe.invoices.retrieve(sub.latest_invoice as string)).toMatchObject({ status: 'void' });
      const update = events.filter((e) => e.type === 'customer.subscription.updated' && e.object.id === sub.id).pop();
      expect(update?.previous).toEqual({ status: 'incomplete' });
      await expect(fail(emu.stripe.invoices.pay(sub.latest_invoice as string, { payment_method: 'pm_card_visa' }))).resolves.toMatchObject({ statusCode: 400 });
      expect((await emu.stripe.subscriptions.list({ customer: c.id, status: 'ended' })).data.map((s) => s.id)).toEqual([sub.id]);
    } finally {
      clockMs = saved;
    }
  });
});

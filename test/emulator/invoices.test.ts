import Stripe from 'stripe';
import { type TestEmulator, fail, startTestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
const clockMs = Date.parse('2026-05-10T00:00:00Z');
let product: Stripe.Product;
let meter: Stripe.Billing.Meter;
/** Usage the metering part would report, keyed by meter and customer; calls are recorded. */
const usage = new Map<string, number>();
const calls: Array<{ meter: string; customer: string; start: number; end: number }> = [];

beforeAll(async () => {
  emu = await startTestEmulator({ clock: () => clockMs });
  emu.core.setUsageSource({
    aggregate: (m, customer, start, end) => {
      calls.push({ meter: m.id, customer, start, end });
      return usage.get(`${m.id}/${customer}`) ?? 0;
    },
  });
  product = await emu.stripe.products.create({ name: 'Alpaca AI' });
  meter = await emu.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'inv_tokens', default_aggregation: { formula: 'sum' } });
});
afterAll(() => emu.close());

type PriceShape = Omit<Stripe.PriceCreateParams, 'currency' | 'product' | 'recurring'>;
const meteredPrice = (shape: PriceShape) => emu.stripe.prices.create({ ...shape, product: product.id, currency: 'usd', recurring: { interval: 'month', usage_type: 'metered', meter: meter.id } });

/** A customer subscribed to `price` with `units` of usage in the current period; returns the preview. */
async function previewWith(price: Stripe.Price, units: number): Promise<{ preview: Stripe.Invoice; sub: Stripe.Subscription; customer: Stripe.Customer }> {
  const customer = await emu.stripe.customers.create({});
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  usage.set(`${meter.id}/${customer.id}`, units);
  const preview = await emu.stripe.invoices.createPreview({ customer: customer.id, subscription: sub.id });
  return { preview, sub, customer };
}

describe('invoice preview math, for every price form', () => {
  test('package, rounding up: 0.04 USD per 1,000 tokens, 1,234,567 tokens is 1,235 packages = 4,940 cents', async () => {
    const price = await meteredPrice({ unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' } });
    const { preview, sub } = await previewWith(price, 1_234_567);
    expect(preview.id).toMatch(/^upcoming_in_/);
    expect(preview).toMatchObject({ object: 'invoice', billing_reason: 'upcoming', customer: sub.customer, subtotal: 4940, total: 4940, amount_due: 4940, currency: 'usd' });
    const line = preview.lines.data[0];
    const item = sub.items.data[0];
    expect(line).toMatchObject({
      object: 'line_item',
      amount: 4940,
      quantity: 1_234_567,
      period: { start: item.current_period_start, end: item.current_period_end },
      pricing: { type: 'price_details', price_details: { price: price.id, product: product.id } },
      parent: { type: 'subscription_item_details', subscription_item_details: { subscription: sub.id, subscription_item: item.id, proration: false } },
    });
    // Decimal fields arrive as strings and the SDK turns them into Decimals.
    expect(String(line.quantity_decimal)).toBe('1234567');
    expect(String(line.pricing?.unit_amount_decimal)).toBe('4');
  });

  test('package, rounding down drops the partial package', async () => {
    const price = await meteredPrice({ unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'down' } });
    expect((await previewWith(price, 1_234_567)).preview.total).toBe(4936);
  });

  test('per-unit integer amount', async () => {
    const price = await meteredPrice({ unit_amount: 3 });
    expect((await previewWith(price, 250)).preview.total).toBe(750);
  });

  test('per-unit decimal amount multiplies exactly and rounds once', async () => {
    const price = await meteredPrice({ unit_amount_decimal: Stripe.Decimal.from('0.004') });
    const { preview } = await previewWith(price, 1_234_567);
    expect(preview.total).toBe(4938);
    expect(String(preview.lines.data[0].pricing?.unit_amount_decimal)).toBe('0.004');
  });

  const tiers: Stripe.PriceCreateParams.Tier[] = [
    { up_to: 5, unit_amount: 700 },
    { up_to: 10, unit_amount: 650 },
    { up_to: 'inf', unit_amount: 600 },
  ];

  test('graduated tiers bill each tier its own rate', async () => {
    const price = await meteredPrice({ billing_scheme: 'tiered', tiers_mode: 'graduated', tiers });
    expect((await previewWith(price, 12)).preview.total).toBe(5 * 700 + 5 * 650 + 2 * 600);
  });

  test('volume tiers bill the whole quantity at the tier it reaches, flat amount included', async () => {
    const price = await meteredPrice({ billing_scheme: 'tiered', tiers_mode: 'volume', tiers: [{ up_to: 100, unit_amount: 10 }, { up_to: 'inf', unit_amount: 5, flat_amount: 1000 }] });
    expect((await previewWith(price, 101)).preview.total).toBe(101 * 5 + 1000);
  });

  test('licensed items bill quantity × unit amount for the next period', async () => {
    const seat = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' } });
    const customer = await emu.stripe.customers.create({});
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: seat.id, quantity: 3 }] });
    const preview = await emu.stripe.invoices.createPreview({ customer: customer.id });
    const item = sub.items.data[0];
    expect(preview.total).toBe(4500);
    expect(preview.lines.data[0]).toMatchObject({ quantity: 3, amount: 4500, period: { start: item.current_period_end } });
  });

  test('a negative period total bills quantity 0', async () => {
    const price = await meteredPrice({ unit_amount: 3 });
    const { preview } = await previewWith(price, -40);
    expect(preview.lines.data[0]).toMatchObject({ quantity: 0, amount: 0 });
    expect(preview.total).toBe(0);
  });

  test('mixed items: totals add up from the lines, and usage is asked for the current period', async () => {
    const perUnit = await meteredPrice({ unit_amount: 2 });
    const seat = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 999, recurring: { interval: 'month' } });
    const customer = await emu.stripe.customers.create({});
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: perUnit.id }, { price: seat.id, quantity: 2 }] });
    usage.set(`${meter.id}/${customer.id}`, 1001);
    calls.length = 0;
    const preview = await emu.stripe.invoices.createPreview({ customer: customer.id, subscription: sub.id });
    expect(preview.lines.data.map((l) => l.amount)).toEqual([2002, 1998]);
    expect(preview.subtotal).toBe(2002 + 1998);
    expect(preview.amount_due).toBe(preview.total);
    const item = sub.items.data[0];
    expect(calls).toEqual([{ meter: meter.id, customer: customer.id, start: item.current_period_start, end: item.current_period_end }]);
  });
});

describe('invoice preview rules', () => {
  test('nothing is persisted: the preview is neither listed nor retrievable', async () => {
    const price = await meteredPrice({ unit_amount: 1 });
    const { preview, customer } = await previewWith(price, 10);
    const listed = await emu.stripe.invoices.list({ customer: customer.id });
    expect(listed.data.map((i) => i.billing_reason)).toEqual(['subscription_create']);
    await expect(fail(emu.stripe.invoices.retrieve(preview.id))).resolves.toMatchObject({ statusCode: 404 });
  });

  test('a customer without a live subscription has no upcoming invoice', async () => {
    const customer = await emu.stripe.customers.create({});
    await expect(fail(emu.stripe.invoices.createPreview({ customer: customer.id }))).resolves.toMatchObject({ statusCode: 400, code: 'invoice_upcoming_none' });
    await expect(fail(emu.stripe.invoices.createPreview({ customer: 'cus_missing' }))).resolves.toMatchObject({ code: 'resource_missing', param: 'customer' });
    await expect(fail(emu.stripe.invoices.createPreview({}))).resolves.toMatchObject({ code: 'parameter_missing', param: 'customer' });
  });

  test('a subscription of another customer is refused', async () => {
    const price = await meteredPrice({ unit_amount: 1 });
    const { sub } = await previewWith(price, 1);
    const other = await emu.stripe.customers.create({});
    await expect(fail(emu.stripe.invoices.createPreview({ customer: other.id, subscription: sub.id }))).resolves.toMatchObject({ statusCode: 400, param: 'subscription' });
  });
});

describe('persisted invoices', () => {
  test('retrieve, list by subscription and status, and list lines', async () => {
    const seat = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 700, recurring: { interval: 'month' } });
    const price = await meteredPrice({ unit_amount: 1 });
    const customer = await emu.stripe.customers.create({});
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: seat.id, quantity: 2 }, { price: price.id }] });
    const invoice = await emu.stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(invoice).toMatchObject({ id: expect.stringMatching(/^in_/), status: 'open', amount_due: 1400, billing_reason: 'subscription_create', customer: customer.id, parent: { subscription_details: { subscription: sub.id } } });
    expect(invoice.number).toBe(`${customer.invoice_prefix}-0001`);
    expect(invoice.lines.data[0].description).toBe('2 × Alpaca AI');
    expect((await emu.stripe.invoices.list({ subscription: sub.id, status: 'open' })).data.map((i) => i.id)).toEqual([invoice.id]);
    expect((await emu.stripe.invoices.list({ subscription: sub.id, status: 'paid' })).data).toEqual([]);
    const lines = await emu.stripe.invoices.listLineItems(invoice.id, { limit: 1 });
    expect(lines.has_more).toBe(true);
    const all = await emu.stripe.invoices.listLineItems(invoice.id).autoPagingToArray({ limit: 10 });
    expect(all.map((l) => [l.amount, l.quantity])).toEqual([
      [1400, 2],
      [0, 0],
    ]);
    await expect(fail(emu.stripe.invoices.retrieve('in_missing'))).resolves.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});

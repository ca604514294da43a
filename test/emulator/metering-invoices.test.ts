// Invoice previews bill the period's real usage from the meters (E1b's preview reads it through
// core.usage, which the metering part supplies): package, per-unit decimal and tiered prices.
import Stripe from 'stripe';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let customer: string;
let subscription: Stripe.Subscription;
const prices: Record<string, Stripe.Price> = {};

beforeAll(async () => {
  emu = await startTestEmulator();
  const s = emu.stripe;
  customer = (await s.customers.create({ email: 'usage@example.com' })).id;
  const product = await s.products.create({ name: 'Alpaca AI' });
  const meter = async (event_name: string, formula: 'sum' | 'count' | 'last' = 'sum') => (await s.billing.meters.create({ display_name: event_name, event_name, default_aggregation: { formula } })).id;
  const recurring = (m: string) => ({ interval: 'month' as const, usage_type: 'metered' as const, meter: m });
  prices.package = await s.prices.create({ product: product.id, currency: 'usd', unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' }, recurring: recurring(await meter('tokens')) });
  prices.perUnit = await s.prices.create({ product: product.id, currency: 'usd', unit_amount_decimal: Stripe.Decimal.from('0.5'), recurring: recurring(await meter('images')) });
  prices.tiered = await s.prices.create({
    product: product.id,
    currency: 'usd',
    billing_scheme: 'tiered',
    tiers_mode: 'graduated',
    tiers: [{ up_to: 10, unit_amount: 100 }, { up_to: 'inf', unit_amount: 50 }],
    recurring: recurring(await meter('seats', 'last')),
  });
  subscription = await s.subscriptions.create({ customer, items: Object.values(prices).map((p) => ({ price: p.id })) });
});
afterAll(() => emu.close());

async function lines(): Promise<Record<string, Stripe.InvoiceLineItem>> {
  const preview = await emu.stripe.invoices.createPreview({ customer, subscription: subscription.id });
  const byPrice: Record<string, Stripe.InvoiceLineItem> = {};
  for (const line of preview.lines.data) {
    const price = line.pricing?.price_details?.price;
    const id = typeof price === 'string' ? price : price?.id;
    const key = Object.keys(prices).find((k) => prices[k].id === id);
    if (key) byPrice[key] = line;
  }
  return byPrice;
}

const record = (event_name: string, value: number, identifier?: string) =>
  emu.stripe.billing.meterEvents.create({ event_name, payload: { stripe_customer_id: customer, value: String(value) }, ...(identifier ? { identifier } : {}) });

describe('invoice previews with usage', () => {
  it('bill nothing before any usage', async () => {
    const l = await lines();
    expect([l.package.amount, l.perUnit.amount, l.tiered.amount]).toEqual([0, 0, 0]);
  });

  it('bill the recorded usage for package, per-unit decimal and tiered prices', async () => {
    await record('tokens', 1_000_000);
    await record('tokens', 234_567);
    await record('images', 10);
    await record('images', 4);
    await record('seats', 30);
    await record('seats', 15);
    const l = await lines();
    // 1,234,567 tokens at 0.04 USD per 1,000 → 1,235 packages, 4,940 cents.
    expect(l.package.amount).toBe(4940);
    expect(l.perUnit).toMatchObject({ quantity: 14, amount: 7 });
    // "last" meter: 15 seats → 10 × 100 + 5 × 50.
    expect(l.tiered).toMatchObject({ quantity: 15, amount: 1250 });
  });

  it('drop cancelled usage from the preview', async () => {
    await record('images', 100, 'oops-1');
    expect((await lines()).perUnit.amount).toBe(57);
    await emu.stripe.billing.meterEventAdjustments.create({ event_name: 'images', type: 'cancel', cancel: { identifier: 'oops-1' } });
    expect((await lines()).perUnit.amount).toBe(7);
  });
});

// Property: the invoice preview just before a period ends and the renewal invoice after it agree to
// the cent, for package, per-unit (decimal), graduated and volume prices and any usage.
import fc from 'fast-check';
import Stripe from 'stripe';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { advanceTo } from '../helpers/clock.js';

const T0 = Date.UTC(2026, 0, 1) / 1000;
const FEB = Date.UTC(2026, 1, 1) / 1000;

let emu: TestEmulator;
let meterId: string;
let productId: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  meterId = (await emu.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } })).id;
  productId = (await emu.stripe.products.create({ name: 'Alpaca AI' })).id;
});
afterAll(() => emu.close());

const recurring = () => ({ interval: 'month' as const, usage_type: 'metered' as const, meter: meterId });

const priceParams = fc.oneof(
  fc.record({ amount: fc.integer({ min: 1, max: 500 }), size: fc.integer({ min: 1, max: 5000 }), round: fc.constantFrom('up' as const, 'down' as const) }).map(
    (p): Stripe.PriceCreateParams => ({ product: productId, currency: 'usd', unit_amount: p.amount, transform_quantity: { divide_by: p.size, round: p.round }, recurring: recurring() }),
  ),
  fc.integer({ min: 1, max: 99_999 }).map((milli): Stripe.PriceCreateParams => ({ product: productId, currency: 'usd', unit_amount_decimal: Stripe.Decimal.from(String(milli / 1000)), recurring: recurring() })),
  fc.record({ mode: fc.constantFrom('graduated' as const, 'volume' as const), upTo: fc.integer({ min: 1, max: 10_000 }), first: fc.integer({ min: 0, max: 100 }), then: fc.integer({ min: 0, max: 100 }), flat: fc.integer({ min: 0, max: 1000 }) }).map(
    (t): Stripe.PriceCreateParams => ({
      product: productId,
      currency: 'usd',
      billing_scheme: 'tiered',
      tiers_mode: t.mode,
      tiers: [{ up_to: t.upTo, unit_amount: t.first }, { up_to: 'inf', unit_amount: t.then, flat_amount: t.flat }],
      recurring: recurring(),
    }),
  ),
);

describe('preview before the period end and renewal after it', () => {
  it('bill the same amount for every price scheme and usage', async () => {
    await fc.assert(
      fc.asyncProperty(priceParams, fc.array(fc.integer({ min: 0, max: 3_000_000 }), { maxLength: 4 }), async (params, values) => {
        const price = await emu.stripe.prices.create(params);
        const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
        const customer = await emu.stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
        const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
        await advanceTo(emu.stripe, clock.id, FEB - 60);
        for (const value of values) await emu.stripe.billing.meterEvents.create({ event_name: 'tokens', payload: { stripe_customer_id: customer.id, value: String(value) } });
        const preview = await emu.stripe.invoices.createPreview({ customer: customer.id, subscription: sub.id });
        await advanceTo(emu.stripe, clock.id, FEB + 7200);
        const renewal = (await emu.stripe.invoices.list({ subscription: sub.id })).data.find((i) => i.billing_reason === 'subscription_cycle');
        expect(renewal?.status).toBe('paid');
        expect(renewal?.amount_paid).toBe(preview.amount_due);
        expect(renewal?.lines.data[0].amount).toBe(preview.lines.data[0].amount);
        await emu.stripe.testHelpers.testClocks.del(clock.id);
      }),
      { numRuns: 25 },
    );
  });
});

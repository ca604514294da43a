// `subscriptions migrate --at now` against the emulator on a test clock: a metered subscription's
// usage so far is invoiced once on the old price and the rest of the period on the new one; a
// licensed one keeps its quantity; a re-run finds nothing to do; incompatible prices are refused.
import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { advanceTo } from '../helpers/clock.js';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const HOUR = 3600;
const FEB15 = Date.UTC(2026, 1, 15, 12) / 1000;

let seats2: Stripe.Price;
const { emu, catalog, cli } = useCatalogEmulator(async (started) => {
  seats2 = await started.stripe.prices.create({ product: 'alpaca_seats', currency: 'usd', unit_amount: 1200, lookup_key: 'alpaca_seats_monthly_v2', recurring: { interval: 'month' } });
});

async function subscriber(price: string, quantity?: number) {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await emu.stripe.customers.create({ email: `migrate-${price}@example.com`, test_clock: clock.id });
  const pm = await emu.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await emu.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price, ...(quantity ? { quantity } : {}) }] });
  return { clock: clock.id, customer: customer.id, sub };
}
const tokens = (customer: string, value: number) => emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer, value: String(value) } });

describe('subscriptions migrate --at now', () => {
  it('bills the usage before the swap on the old price at once and the rest of the period on the new one, once', async () => {
    const { clock, customer, sub } = await subscriber(catalog.tokens.id);
    await tokens(customer, 1000);
    await advanceTo(emu.stripe, clock, T0 + HOUR);

    const dry = await cli('--json', 'subscriptions', 'migrate', '--from', 'alpaca_ai_tokens_monthly', '--to', 'alpaca_ai_tokens_per_unit', '--at', 'now', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.json()).toMatchObject({ dry_run: true, planned: [{ id: sub.id, customer }], migrated: [] });
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).items.data[0].price.id).toBe(catalog.tokens.id);

    const r = await cli('--json', 'subscriptions', 'migrate', '--from', catalog.tokens.id, '--to', 'alpaca_ai_tokens_per_unit', '--at', 'now', '--yes');
    expect(r.code).toBe(0);
    const [migrated] = r.json().migrated;
    expect(migrated).toMatchObject({ id: sub.id, customer, invoice: expect.stringMatching(/^in_/) });
    const swapInvoice = await emu.stripe.invoices.retrieve(migrated.invoice);
    // 1,000 tokens on the old price: one started package of 1,000 × 4¢.
    expect(swapInvoice).toMatchObject({ billing_reason: 'subscription_update', total: 4, status: 'paid' });
    expect(swapInvoice.lines.data.map((l) => [l.pricing?.price_details?.price, l.quantity])).toEqual([[catalog.tokens.id, 1000]]);
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).items.data[0].price.id).toBe(catalog.perUnit.id);

    await advanceTo(emu.stripe, clock, T0 + 2 * HOUR);
    await tokens(customer, 500);
    await advanceTo(emu.stripe, clock, FEB15 + HOUR);
    const renewal = (await emu.stripe.invoices.list({ customer, limit: 10 })).data.find((i) => i.billing_reason === 'subscription_cycle')!;
    // Only the 500 tokens after the swap, at 0.5¢: 250¢; the 1,000 before it are not billed again.
    expect(renewal.lines.data.map((l) => [l.pricing?.price_details?.price, l.quantity, l.amount])).toEqual([[catalog.perUnit.id, 500, 250]]);

    const again = await cli('--json', 'subscriptions', 'migrate', '--from', catalog.tokens.id, '--to', 'alpaca_ai_tokens_per_unit', '--at', 'now', '--yes');
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ planned: [], migrated: [], failed: [] });
  });

  it('keeps a licensed item\'s quantity and issues no invoice for it', async () => {
    const { sub } = await subscriber(catalog.seats.id, 3);
    const r = await cli('subscriptions', 'migrate', '--from', 'alpaca_seats_monthly', '--to', 'alpaca_seats_monthly_v2', '--at', 'now', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`migrated ${sub.id}`);
    expect(r.stdout).toContain('Migrated 1, already migrated 0, skipped 0, failed 0.');
    const item = (await emu.stripe.subscriptions.retrieve(sub.id)).items.data[0];
    expect([item.price.id, item.quantity]).toEqual([seats2.id, 3]);
  });

  it('moves only the subscriptions of --customer', async () => {
    const a = await subscriber(catalog.tiered.id);
    const b = await subscriber(catalog.tiered.id);
    const r = await cli('--json', 'subscriptions', 'migrate', '--from', 'alpaca_ai_tokens_tiered', '--to', 'alpaca_ai_tokens_monthly', '--at', 'now', '--yes', '--customer', a.customer);
    expect(r.code).toBe(0);
    expect(r.json().migrated.map((m: { id: string }) => m.id)).toEqual([a.sub.id]);
    expect((await emu.stripe.subscriptions.retrieve(b.sub.id)).items.data[0].price.id).toBe(catalog.tiered.id);
  });

  it('refuses incompatible prices, unknown prices, an unknown --at and a missing --yes without a terminal (exit 3)', async () => {
    const incompatible = await cli('subscriptions', 'migrate', '--from', 'alpaca_ai_tokens_per_unit', '--to', 'alpaca_seats_monthly_v2', '--at', 'now', '--yes');
    expect([incompatible.code, incompatible.stderr]).toEqual([3, expect.stringContaining('does not bill like --from')]);
    const unknown = await cli('subscriptions', 'migrate', '--from', 'no_such_key', '--to', 'alpaca_seats_monthly_v2', '--at', 'now', '--yes');
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining("--from 'no_such_key': no such price")]);
    const later = await cli('subscriptions', 'migrate', '--from', 'alpaca_seats_monthly_v2', '--to', 'alpaca_seats_monthly', '--at', 'tomorrow', '--yes');
    expect([later.code, later.stderr]).toEqual([3, expect.stringContaining("--at 'tomorrow' is not one of now, period-end")]);
    const { sub } = await subscriber(catalog.perUnit.id);
    const unconfirmed = await cli('subscriptions', 'migrate', '--from', 'alpaca_ai_tokens_per_unit', '--to', 'alpaca_ai_tokens_tiered', '--at', 'now');
    expect([unconfirmed.code, unconfirmed.stderr]).toEqual([3, expect.stringContaining('--yes')]);
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).items.data[0].price.id).toBe(catalog.perUnit.id);
  });
});

// The emulator's metered price swap by proration_behavior (SPEC.md, "Swapping a metered item's
// price"), driven with the real SDK: `none` bills neither the usage before the swap nor twice.
import { describe, expect, it } from '@jest/globals';
import { advanceTo } from '../helpers/clock.js';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const FEB15 = Date.UTC(2026, 1, 15, 12) / 1000;

const { emu, catalog } = useCatalogEmulator();

describe('metered price swap', () => {
  it('with proration_behavior none drops the usage before the swap and bills the rest on the new price', async () => {
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const customer = await emu.stripe.customers.create({ email: 'swap-none@example.com', test_clock: clock.id });
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.tokens.id }] });
    const send = (value: number) => emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer.id, value: String(value) } });
    await send(1000);
    await advanceTo(emu.stripe, clock.id, T0 + 3600);
    const before = await emu.stripe.subscriptions.retrieve(sub.id);
    const after = await emu.stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0].id, price: catalog.perUnit.id }], proration_behavior: 'none' });
    expect(after.latest_invoice).toBe(before.latest_invoice);
    await advanceTo(emu.stripe, clock.id, T0 + 7200);
    await send(40);
    const preview = await emu.stripe.invoices.createPreview({ customer: customer.id, subscription: sub.id });
    expect(preview.lines.data.map((l) => [l.pricing?.price_details?.price, l.quantity, l.amount])).toEqual([[catalog.perUnit.id, 40, 20]]);
    await advanceTo(emu.stripe, clock.id, FEB15 + 60);
    const renewal = (await emu.stripe.invoices.list({ customer: customer.id })).data.find((i) => i.billing_reason === 'subscription_cycle')!;
    expect(renewal.total).toBe(20);
  });
});

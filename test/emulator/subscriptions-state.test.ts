import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { startTestEmulator } from '../helpers/emulator.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-billing-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('billing state and retries', () => {
  test('customers, subscriptions, pending SetupIntents and invoices survive a restart with --state', async () => {
    const file = join(dir, 'state.json');
    const first = await startTestEmulator({ stateFile: file });
    const product = await first.stripe.products.create({ name: 'Persisted' });
    const meter = await first.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'state_tokens', default_aggregation: { formula: 'sum' } });
    const price = await first.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id } });
    const customer = await first.stripe.customers.create({ email: 'kept@x.test', metadata: { uid: '9' } });
    const sub = await first.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], payment_behavior: 'default_incomplete', expand: ['pending_setup_intent'] });
    await first.close();

    const second = await startTestEmulator({ stateFile: file });
    try {
      expect(await second.stripe.customers.retrieve(customer.id)).toMatchObject({ email: 'kept@x.test', metadata: { uid: '9' } });
      const again = await second.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice', 'pending_setup_intent'] });
      expect(again).toMatchObject({ status: sub.status, items: { data: [{ id: sub.items.data[0].id, current_period_end: sub.items.data[0].current_period_end }] } });
      expect(again.latest_invoice).toMatchObject({ id: sub.latest_invoice as string, billing_reason: 'subscription_create' });
      const si = again.pending_setup_intent as Stripe.SetupIntent;
      expect(si.id).toBe((sub.pending_setup_intent as Stripe.SetupIntent).id);
      // The flow carries on after the restart.
      await second.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' });
      expect(await second.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ pending_setup_intent: null });
    } finally {
      await second.close();
    }
  });

  test('a retried subscription create with the same Idempotency-Key returns the first subscription, not a second one', async () => {
    const emu = await startTestEmulator();
    try {
      const product = await emu.stripe.products.create({ name: 'Idem' });
      const price = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 500, recurring: { interval: 'month' } });
      const customer = await emu.stripe.customers.create({});
      const params: Stripe.SubscriptionCreateParams = { customer: customer.id, items: [{ price: price.id }] };
      const a = await emu.stripe.subscriptions.create(params, { idempotencyKey: 'sub-create-1' });
      const b = await emu.stripe.subscriptions.create(params, { idempotencyKey: 'sub-create-1' });
      expect(b.id).toBe(a.id);
      expect((await emu.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
      expect((await emu.stripe.invoices.list({ customer: customer.id })).data).toHaveLength(1);
    } finally {
      await emu.close();
    }
  });
});

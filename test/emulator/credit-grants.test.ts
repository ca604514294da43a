// Billing credits with the real SDK: credit grants and their rules, the balance summary and
// balance transactions, and credits applied to metered lines when a renewal invoice finalizes.
import Stripe from 'stripe';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { advanceTo } from '../helpers/clock.js';

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const FEB = Date.UTC(2026, 1, 15, 12) / 1000;
const HOUR = 3600;
const DAY = 86_400;

let emu: TestEmulator;
let metered: Stripe.Price;
let otherMetered: Stripe.Price;
let licensed: Stripe.Price;

beforeAll(async () => {
  emu = await startTestEmulator();
  const s = emu.stripe;
  const meter = await s.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
  const images = await s.billing.meters.create({ display_name: 'Images', event_name: 'images', default_aggregation: { formula: 'sum' } });
  const product = await s.products.create({ name: 'Alpaca AI' });
  // 5 cents per 1,000 tokens (rounded up): 323,000 tokens cost $16.15.
  metered = await s.prices.create({ product: product.id, currency: 'usd', unit_amount: 5, transform_quantity: { divide_by: 1000, round: 'up' }, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id } });
  otherMetered = await s.prices.create({ product: product.id, currency: 'usd', unit_amount: 100, recurring: { interval: 'month', usage_type: 'metered', meter: images.id } });
  licensed = await s.prices.create({ product: product.id, currency: 'usd', unit_amount: 2000, recurring: { interval: 'month' } });
});
afterAll(() => emu.close());

async function clockCustomer() {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await emu.stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  return { clock: clock.id, customer: customer.id };
}

const tokens = (customer: string, value: number, timestamp: number) => emu.stripe.billing.meterEvents.create({ event_name: 'tokens', payload: { stripe_customer_id: customer, value: String(value) }, timestamp });
const images = (customer: string, value: number, timestamp: number) => emu.stripe.billing.meterEvents.create({ event_name: 'images', payload: { stripe_customer_id: customer, value: String(value) }, timestamp });

function grant(customer: string, value: number, extra: Partial<Stripe.Billing.CreditGrantCreateParams> = {}) {
  return emu.stripe.billing.creditGrants.create({ customer, amount: { type: 'monetary', monetary: { currency: 'usd', value } }, applicability_config: { scope: { price_type: 'metered' } }, ...extra });
}

async function available(customer: string): Promise<number> {
  const summary = await emu.stripe.billing.creditBalanceSummaries.retrieve({ customer, filter: { type: 'applicability_scope', applicability_scope: { price_type: 'metered' } } });
  return summary.balances[0]?.available_balance.monetary?.value ?? 0;
}

/** Subscribes, reports usage in the first period and advances past the renewal's finalization. */
async function renewalInvoice(clock: string, customer: string, items: Stripe.SubscriptionCreateParams.Item[], usage: () => Promise<unknown>): Promise<Stripe.Invoice> {
  const sub = await emu.stripe.subscriptions.create({ customer, items });
  await usage();
  await advanceTo(emu.stripe, clock, FEB + HOUR + 60);
  const list = await emu.stripe.invoices.list({ subscription: sub.id });
  return list.data.find((i) => i.billing_reason === 'subscription_cycle')!;
}

describe('credit grants', () => {
  it('creates a grant with Stripe\'s object and defaults, on the customer\'s test clock', async () => {
    const { clock, customer } = await clockCustomer();
    const created = await grant(customer, 1000, { category: 'promotional', name: 'Welcome credit', metadata: { source: 'signup' } });
    expect(created).toMatchObject({
      object: 'billing.credit_grant',
      amount: { type: 'monetary', monetary: { currency: 'usd', value: 1000 } },
      applicability_config: { scope: { price_type: 'metered' } },
      category: 'promotional',
      customer,
      effective_at: T0,
      expires_at: null,
      priority: 50,
      name: 'Welcome credit',
      metadata: { source: 'signup' },
      test_clock: clock,
      voided_at: null,
      created: T0,
    });
    expect(created.id).toMatch(/^credgr_/);
    expect(await emu.stripe.billing.creditGrants.retrieve(created.id)).toEqual(created);
    const listed = await emu.stripe.billing.creditGrants.list({ customer });
    expect(listed.data.map((g) => g.id)).toEqual([created.id]);
    const txns = await emu.stripe.billing.creditBalanceTransactions.list({ customer });
    expect(txns.data).toEqual([expect.objectContaining({ object: 'billing.credit_balance_transaction', type: 'credit', credit_grant: created.id, credit: expect.objectContaining({ type: 'credits_granted', amount: { type: 'monetary', monetary: { currency: 'usd', value: 1000 } } }) })]);
    expect(await available(customer)).toBe(1000);
    const events = await emu.stripe.events.list({ type: 'billing.credit_grant.created' });
    expect(events.data.some((e) => (e.data.object as { id: string }).id === created.id)).toBe(true);
  });

  it('refuses a grant without a scope, with both scopes, on a licensed price, in another currency, or with a bad priority', async () => {
    const { customer } = await clockCustomer();
    const monetary = { type: 'monetary' as const, monetary: { currency: 'usd', value: 500 } };
    const attempts: Array<[Partial<Stripe.Billing.CreditGrantCreateParams>, string]> = [
      [{ applicability_config: { scope: {} } }, 'applicability_config'],
      [{ applicability_config: { scope: { price_type: 'metered', prices: [{ id: metered.id }] } } }, 'applicability_config[scope]'],
      [{ applicability_config: { scope: { prices: [{ id: licensed.id }] } } }, 'applicability_config[scope][prices][0][id]'],
      [{ amount: { type: 'monetary', monetary: { currency: 'eur', value: 500 } }, applicability_config: { scope: { prices: [{ id: metered.id }] } } }, 'applicability_config[scope][prices][0][id]'],
      [{ priority: 101 }, 'priority'],
      [{ amount: { type: 'monetary', monetary: { currency: 'usd', value: 0 } } }, 'amount[monetary][value]'],
      [{ effective_at: T0 + DAY, expires_at: T0 + HOUR }, 'expires_at'],
    ];
    for (const [extra, param] of attempts) {
      const err = await fail(emu.stripe.billing.creditGrants.create({ customer, amount: monetary, applicability_config: { scope: { price_type: 'metered' } }, ...extra }));
      expect([err.statusCode, err.param]).toEqual([400, param]);
    }
    expect((await emu.stripe.billing.creditGrants.list({ customer })).data).toEqual([]);
  });

  it('updates expires_at and metadata, and voiding or expiring leaves nothing available, with a debit each', async () => {
    const { customer } = await clockCustomer();
    const a = await grant(customer, 700);
    const b = await grant(customer, 300);
    const updated = await emu.stripe.billing.creditGrants.update(a.id, { expires_at: T0 + 10 * DAY, metadata: { k: 'v' } });
    expect(updated).toMatchObject({ expires_at: T0 + 10 * DAY, metadata: { k: 'v' } });
    expect((await emu.stripe.billing.creditGrants.update(a.id, { expires_at: '' })).expires_at).toBeNull();

    const voided = await emu.stripe.billing.creditGrants.voidGrant(a.id);
    expect(voided.voided_at).toBe(T0);
    expect(await available(customer)).toBe(300);
    const expired = await emu.stripe.billing.creditGrants.expire(b.id);
    expect(expired.expires_at).toBe(T0);
    expect(await available(customer)).toBe(0);
    const debits = (await emu.stripe.billing.creditBalanceTransactions.list({ customer })).data.filter((t) => t.type === 'debit');
    expect(debits.map((t) => [t.credit_grant, t.debit?.type, t.debit?.amount.monetary?.value]).sort()).toEqual([[a.id, 'credits_voided', 700], [b.id, 'credits_expired', 300]].sort());
    expect((await fail(emu.stripe.billing.creditGrants.voidGrant(a.id))).statusCode).toBe(400);
    const updates = (await emu.stripe.events.list({ type: 'billing.credit_grant.updated', limit: 100 })).data.filter((e) => (e.data.object as { id: string }).id === a.id);
    // Newest first: the void, clearing expires_at, then the first update.
    expect(updates.map((e) => e.data.previous_attributes)).toEqual([{ voided_at: null }, { expires_at: T0 + 10 * DAY }, { expires_at: null, metadata: {} }]);
  });
});

describe('credits applied when a renewal invoice finalizes', () => {
  it('takes a $10 promotional credit off $16.15 of usage: $6.15 due and a balance of 0', async () => {
    const { clock, customer } = await clockCustomer();
    const g = await grant(customer, 1000, { category: 'promotional' });
    const invoice = await renewalInvoice(clock, customer, [{ price: metered.id }], () => tokens(customer, 323_000, T0 + 60));
    expect(invoice).toMatchObject({ status: 'paid', subtotal: 1615, total: 615, amount_due: 615, amount_paid: 615 });
    const [txn] = (await emu.stripe.billing.creditBalanceTransactions.list({ customer, credit_grant: g.id })).data.filter((t) => t.type === 'debit');
    expect(txn).toMatchObject({ debit: { type: 'credits_applied', amount: { monetary: { value: 1000, currency: 'usd' } }, credits_applied: { invoice: invoice.id, invoice_line_item: invoice.lines.data[0].id } }, effective_at: FEB + HOUR });
    expect(invoice.total_pretax_credit_amounts).toEqual([{ amount: 1000, credit_balance_transaction: txn.id, type: 'credit_balance_transaction' }]);
    expect(invoice.lines.data[0].pretax_credit_amounts).toEqual([{ amount: 1000, credit_balance_transaction: txn.id, type: 'credit_balance_transaction' }]);
    expect(await available(customer)).toBe(0);
  });

  it('never takes more than the metered lines: licensed lines are paid in full and the rest of the credit stays', async () => {
    const { clock, customer } = await clockCustomer();
    await grant(customer, 5000);
    const invoice = await renewalInvoice(clock, customer, [{ price: metered.id }, { price: licensed.id, quantity: 1 }], () => tokens(customer, 323_000, T0 + 60));
    expect(invoice).toMatchObject({ subtotal: 1615 + 2000, amount_due: 2000 });
    expect(await available(customer)).toBe(5000 - 1615);
  });

  it('uses grants by priority, then earliest expiry, and only grants scoped to the line\'s price', async () => {
    const { clock, customer } = await clockCustomer();
    const later = await grant(customer, 1000, { priority: 10 });
    const sooner = await grant(customer, 1000, { priority: 10, expires_at: FEB + 5 * DAY });
    const first = await grant(customer, 300, { priority: 0 });
    const imagesOnly = await grant(customer, 10_000, { priority: 0, applicability_config: { scope: { prices: [{ id: otherMetered.id }] } } });
    const invoice = await renewalInvoice(clock, customer, [{ price: metered.id }], () => tokens(customer, 323_000, T0 + 60));
    expect(invoice.amount_due).toBe(0);
    const used = async (id: string) => (await emu.stripe.billing.creditBalanceTransactions.list({ customer, credit_grant: id })).data.filter((t) => t.type === 'debit').reduce((sum, t) => sum + (t.debit?.amount.monetary?.value ?? 0), 0);
    expect([await used(first.id), await used(sooner.id), await used(later.id), await used(imagesOnly.id)]).toEqual([300, 1000, 315, 0]);
    expect(await available(customer)).toBe(685 + 10_000);
  });

  it('does not apply a grant in another currency than the invoice', async () => {
    const { clock, customer } = await clockCustomer();
    await emu.stripe.billing.creditGrants.create({ customer, amount: { type: 'monetary', monetary: { currency: 'eur', value: 1000 } }, applicability_config: { scope: { price_type: 'metered' } } });
    const invoice = await renewalInvoice(clock, customer, [{ price: metered.id }], () => tokens(customer, 323_000, T0 + 60));
    expect(invoice.amount_due).toBe(1615);
    const summary = await emu.stripe.billing.creditBalanceSummaries.retrieve({ customer, filter: { type: 'applicability_scope', applicability_scope: { price_type: 'metered' } } });
    expect(summary.balances).toEqual([{ available_balance: { type: 'monetary', monetary: { currency: 'eur', value: 1000 } }, ledger_balance: { type: 'monetary', monetary: { currency: 'eur', value: 1000 } } }]);
  });

  it('skips grants not yet effective or already expired at finalization', async () => {
    const { clock, customer } = await clockCustomer();
    await grant(customer, 1000, { effective_at: FEB + 2 * HOUR });
    await grant(customer, 1000, { expires_at: FEB });
    const invoice = await renewalInvoice(clock, customer, [{ price: metered.id }, { price: otherMetered.id }], async () => {
      await tokens(customer, 323_000, T0 + 60);
      await images(customer, 1, T0 + 60);
    });
    expect(invoice.amount_due).toBe(1615 + 100);
    expect(invoice.total_pretax_credit_amounts).toEqual([]);
  });

  it('shows the credit that would apply on the preview, without spending it', async () => {
    const { customer } = await clockCustomer();
    await grant(customer, 1000, { category: 'promotional' });
    const sub = await emu.stripe.subscriptions.create({ customer, items: [{ price: metered.id }] });
    await tokens(customer, 323_000, T0 + 60);
    const preview = await emu.stripe.invoices.createPreview({ customer, subscription: sub.id });
    expect(preview).toMatchObject({ subtotal: 1615, total: 615, amount_due: 615 });
    expect(preview.total_pretax_credit_amounts).toEqual([{ amount: 1000, credit_balance_transaction: null, type: 'credit_balance_transaction' }]);
    expect(await available(customer)).toBe(1000);
    expect((await emu.stripe.billing.creditBalanceTransactions.list({ customer })).data.filter((t) => t.type === 'debit')).toEqual([]);
  });

  it('applies credits to the final invoice of a subscription canceled with invoice_now', async () => {
    const { customer } = await clockCustomer();
    await grant(customer, 1000);
    const sub = await emu.stripe.subscriptions.create({ customer, items: [{ price: metered.id }] });
    await tokens(customer, 323_000, T0);
    const canceled = await emu.stripe.subscriptions.cancel(sub.id, { invoice_now: true });
    const final = await emu.stripe.invoices.retrieve(canceled.latest_invoice as string);
    expect(final).toMatchObject({ subtotal: 1615, amount_due: 615, status: 'paid', amount_paid: 615 });
    expect(await available(customer)).toBe(0);
  });
});

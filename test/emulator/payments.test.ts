import type Stripe from 'stripe';
import { configureBilling } from '../../src/emulator/billing/store.js';
import { type TestEmulator, fail, startTestEmulator } from '../helpers/emulator.js';
import { awaitingCard, meteredPrice } from '../helpers/payments.js';

let emu: TestEmulator;
const events: Array<{ type: string; object: Record<string, any>; previous?: Record<string, any> }> = [];
let metered: Stripe.Price;
let seat: Stripe.Price;

beforeAll(async () => {
  emu = await startTestEmulator();
  emu.core.onEvent((type, object, previous) => events.push({ type, object, previous }));
  metered = await meteredPrice(emu.stripe, 'Payments');
  seat = await emu.stripe.prices.create({ product: metered.product as string, currency: 'usd', unit_amount: 900, recurring: { interval: 'month' } });
});
afterAll(() => emu.close());

const meteredSubscription = () => awaitingCard(emu.stripe, metered, 'payer@x.test');

describe('SetupIntents', () => {
  test('confirming with pm_card_visa succeeds, makes the card the default and clears pending_setup_intent', async () => {
    const { customer, sub, si } = await meteredSubscription();
    expect(await emu.stripe.setupIntents.retrieve(si.id)).toMatchObject({ id: si.id, status: 'requires_payment_method' });
    const confirmed = await emu.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' });
    expect(confirmed.status).toBe('succeeded');
    const pm = confirmed.payment_method as string;
    expect(pm).toMatch(/^pm_/);
    expect((await emu.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ invoice_settings: { default_payment_method: pm } });
    expect(await emu.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ status: 'active', pending_setup_intent: null, default_payment_method: pm });
    expect(events.filter((e) => e.object.id === si.id).map((e) => e.type)).toEqual(['setup_intent.created', 'setup_intent.succeeded']);
  });

  test('an incomplete subscription turns active, announced with previous_attributes {status: incomplete}', async () => {
    configureBilling(emu.core, { zeroInvoiceSetupStatus: 'incomplete' });
    try {
      const { sub, si } = await meteredSubscription();
      expect(sub.status).toBe('incomplete');
      await emu.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' });
      const update = events.filter((e) => e.type === 'customer.subscription.updated' && e.object.id === sub.id).pop();
      expect(update?.object.status).toBe('active');
      expect(update?.previous).toMatchObject({ status: 'incomplete', pending_setup_intent: si.id });
    } finally {
      configureBilling(emu.core, { zeroInvoiceSetupStatus: 'active' });
    }
  });

  test('a declined card raises StripeCardError, records last_setup_error and leaves the subscription as it was', async () => {
    const { customer, sub, si } = await meteredSubscription();
    const err = await fail(emu.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_chargeDeclined' }));
    expect(err).toBeInstanceOf(emu.stripe.errors.StripeCardError);
    expect(err).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline', rawType: 'card_error' });
    const after = await emu.stripe.setupIntents.retrieve(si.id);
    expect(after).toMatchObject({ status: 'requires_payment_method', last_setup_error: { code: 'card_declined', decline_code: 'generic_decline' } });
    expect(await emu.stripe.subscriptions.retrieve(sub.id)).toMatchObject({ pending_setup_intent: si.id });
    expect(((await emu.stripe.customers.retrieve(customer.id)) as Stripe.Customer).invoice_settings.default_payment_method).toBeNull();
    expect(events.some((e) => e.type === 'setup_intent.setup_failed' && e.object.id === si.id)).toBe(true);
    // The customer can try again with a working card.
    await expect(emu.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' })).resolves.toMatchObject({ status: 'succeeded' });
  });

  test('a succeeded SetupIntent cannot be confirmed again; an unknown one is a 404', async () => {
    const { si } = await meteredSubscription();
    await emu.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' });
    await expect(fail(emu.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' }))).resolves.toMatchObject({ statusCode: 400, code: 'setup_intent_unexpected_state' });
    await expect(fail(emu.stripe.setupIntents.retrieve('seti_missing'))).resolves.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  test('confirm without any payment method names the missing parameter', async () => {
    const { si } = await meteredSubscription();
    await expect(fail(emu.stripe.setupIntents.confirm(si.id))).resolves.toMatchObject({ code: 'parameter_missing', param: 'payment_method' });
  });
});

describe('payment methods and invoice payment', () => {
  test('test tokens become card objects; attach and detach', async () => {
    const customer = await emu.stripe.customers.create({});
    const pm = await emu.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(pm).toMatchObject({ object: 'payment_method', type: 'card', customer: customer.id, card: { brand: 'visa', last4: '4242' } });
    expect(pm.id).not.toBe('pm_card_visa');
    await expect(emu.stripe.paymentMethods.detach(pm.id)).resolves.toMatchObject({ customer: null });
    await expect(fail(emu.stripe.paymentMethods.retrieve('pm_unknown'))).resolves.toMatchObject({ statusCode: 404 });
  });

  test('paying the open first invoice with a card activates an incomplete subscription', async () => {
    const customer = await emu.stripe.customers.create({});
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: seat.id }], payment_behavior: 'default_incomplete', payment_settings: { save_default_payment_method: 'on_subscription' } });
    expect(sub.status).toBe('incomplete');
    const declined = await fail(emu.stripe.invoices.pay(sub.latest_invoice as string, { payment_method: 'pm_card_chargeDeclined' }));
    expect(declined).toBeInstanceOf(emu.stripe.errors.StripeCardError);
    const paid = await emu.stripe.invoices.pay(sub.latest_invoice as string, { payment_method: 'pm_card_visa' });
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 900, amount_remaining: 0 });
    const after = await emu.stripe.subscriptions.retrieve(sub.id);
    expect(after.status).toBe('active');
    expect(after.default_payment_method).toEqual(expect.stringMatching(/^pm_/));
    const update = events.filter((e) => e.type === 'customer.subscription.updated' && e.object.id === sub.id).pop();
    expect(update?.previous).toMatchObject({ status: 'incomplete' });
    await expect(fail(emu.stripe.invoices.pay(paid.id, { payment_method: 'pm_card_visa' }))).resolves.toMatchObject({ statusCode: 400 });
  });

  test('a declined default card leaves the new subscription incomplete with an open invoice', async () => {
    const customer = await emu.stripe.customers.create({ payment_method: 'pm_card_chargeDeclined', invoice_settings: { default_payment_method: 'pm_card_chargeDeclined' } });
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: seat.id }], expand: ['latest_invoice'] });
    expect(sub.status).toBe('incomplete');
    expect(sub.latest_invoice).toMatchObject({ status: 'open', amount_paid: 0 });
    const refused = await fail(emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: seat.id }], payment_behavior: 'error_if_incomplete' }));
    expect(refused).toBeInstanceOf(emu.stripe.errors.StripeCardError);
  });
});

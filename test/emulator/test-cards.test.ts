// Stripe's test cards (docs.stripe.com/testing), table-driven with the real SDK: the working brands
// by token and by number, the decline table (each fails as documented and cannot be attached), the
// attach-then-fail card, and the card that needs 3-D Secure on every charge.
import type Stripe from 'stripe';
import { advanceTo } from '../helpers/clock.js';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let seat: Stripe.Price;
const events: string[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
  emu.core.onEvent((type) => events.push(type));
  const product = await emu.stripe.products.create({ name: 'Cards' });
  seat = await emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 900, recurring: { interval: 'month' } });
});
afterAll(() => emu.close());

const customer = () => emu.stripe.customers.create({});

/** What the hosted Checkout page posts when the customer pays with `card`. */
const completeCheckout = (url: string, card: string) =>
  fetch(`${url}/complete`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card }).toString() });

/** Confirms a new SetupIntent for a new customer with raw card details, as a payment form sends them. */
async function confirmNumber(number: string) {
  const c = await customer();
  const si = await emu.stripe.setupIntents.create({ customer: c.id });
  const confirm = emu.stripe.setupIntents.confirm(si.id, { payment_method_data: { type: 'card', card: { number, exp_month: 12, exp_year: 2040, cvc: '123' } } as Stripe.SetupIntentConfirmParams.PaymentMethodData });
  return { c, si, confirm };
}

const WORKING: Array<{ token: string; number: string; brand: string; funding: string }> = [
  { token: 'pm_card_visa', number: '4242424242424242', brand: 'visa', funding: 'credit' },
  { token: 'pm_card_visa_debit', number: '4000056655665556', brand: 'visa', funding: 'debit' },
  { token: 'pm_card_mastercard', number: '5555555555554444', brand: 'mastercard', funding: 'credit' },
  { token: 'pm_card_mastercard_debit', number: '5200828282828210', brand: 'mastercard', funding: 'debit' },
  { token: 'pm_card_mastercard_prepaid', number: '5105105105105100', brand: 'mastercard', funding: 'prepaid' },
  { token: 'pm_card_amex', number: '378282246310005', brand: 'amex', funding: 'credit' },
  { token: 'pm_card_discover', number: '6011111111111117', brand: 'discover', funding: 'credit' },
  { token: 'pm_card_diners', number: '3056930009020004', brand: 'diners', funding: 'credit' },
  { token: 'pm_card_jcb', number: '3566002020360505', brand: 'jcb', funding: 'credit' },
  { token: 'pm_card_unionpay', number: '6200000000000005', brand: 'unionpay', funding: 'credit' },
];

describe('working brands', () => {
  it.each(WORKING)('$token attaches with brand $brand, last4 of $number, and pays a subscription', async ({ token, number, brand, funding }) => {
    const c = await customer();
    const pm = await emu.stripe.paymentMethods.attach(token, { customer: c.id });
    expect(pm).toMatchObject({ customer: c.id, card: { brand, funding, last4: number.slice(-4) } });
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }], default_payment_method: pm.id });
    expect(sub.status).toBe('active');
  });

  it.each(WORKING)('the number $number sets up a $brand card', async ({ number, brand }) => {
    const { confirm } = await confirmNumber(number);
    const si = await confirm;
    expect(si.status).toBe('succeeded');
    expect((await emu.stripe.paymentMethods.retrieve(si.payment_method as string)).card).toMatchObject({ brand, last4: number.slice(-4) });
  });
});

const DECLINES: Array<{ token: string; number: string; code: string; decline: string; message: string }> = [
  { token: 'pm_card_visa_chargeDeclined', number: '4000000000000002', code: 'card_declined', decline: 'generic_decline', message: 'Your card was declined.' },
  { token: 'pm_card_visa_chargeDeclinedInsufficientFunds', number: '4000000000009995', code: 'card_declined', decline: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  { token: 'pm_card_visa_chargeDeclinedLostCard', number: '4000000000009987', code: 'card_declined', decline: 'lost_card', message: 'Your card was declined.' },
  { token: 'pm_card_visa_chargeDeclinedStolenCard', number: '4000000000009979', code: 'card_declined', decline: 'stolen_card', message: 'Your card was declined.' },
  { token: 'pm_card_visa_chargeDeclinedVelocityLimitExceeded', number: '4000000000006975', code: 'card_declined', decline: 'card_velocity_exceeded', message: 'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.' },
  { token: 'pm_card_chargeDeclinedExpiredCard', number: '4000000000000069', code: 'expired_card', decline: 'expired_card', message: 'Your card has expired.' },
  { token: 'pm_card_chargeDeclinedIncorrectCvc', number: '4000000000000127', code: 'incorrect_cvc', decline: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  { token: 'pm_card_chargeDeclinedProcessingError', number: '4000000000000119', code: 'processing_error', decline: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' },
  { token: 'pm_card_chargeDeclinedFraudulent', number: '4100000000000019', code: 'card_declined', decline: 'fraudulent', message: 'Your card was declined.' },
];

describe('the decline table', () => {
  it.each(DECLINES)('$token cannot be attached: 402 $code / $decline', async ({ token, code, decline, message }) => {
    const c = await customer();
    const err = await fail(emu.stripe.paymentMethods.attach(token, { customer: c.id }));
    expect(err).toBeInstanceOf(emu.stripe.errors.StripeCardError);
    expect(err).toMatchObject({ statusCode: 402, rawType: 'card_error', code, decline_code: decline, message });
    expect(err.doc_url).toBe(`https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`);
    expect((await emu.stripe.paymentMethods.list({ customer: c.id })).data).toHaveLength(0);
  });

  it.each(DECLINES)('the number $number fails a SetupIntent with card_error $decline', async ({ code, decline }) => {
    const { si, confirm } = await confirmNumber(DECLINES.find((d) => d.decline === decline)!.number);
    const err = await fail(confirm);
    expect(err).toMatchObject({ statusCode: 402, rawType: 'card_error', code, decline_code: decline });
    expect(await emu.stripe.setupIntents.retrieve(si.id)).toMatchObject({ status: 'requires_payment_method', last_setup_error: { code, decline_code: decline, doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}` } });
  });

  it.each(DECLINES)('$token fails a SetupIntent confirm and Checkout', async ({ token, decline }) => {
    const c = await customer();
    const si = await emu.stripe.setupIntents.create({ customer: c.id });
    await expect(fail(emu.stripe.setupIntents.confirm(si.id, { payment_method: token }))).resolves.toMatchObject({ statusCode: 402, decline_code: decline });
    const session = await emu.stripe.checkout.sessions.create({ mode: 'subscription', customer: c.id, line_items: [{ price: seat.id, quantity: 1 }], success_url: 'https://x.test/ok' });
    const res = await completeCheckout(session.url as string, token);
    expect(res.status).toBe(402);
    expect(((await res.json()) as { error: { decline_code: string } }).error.decline_code).toBe(decline);
    expect((await emu.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });
});

describe('attach, then every charge fails (pm_card_chargeCustomerFail, 4000 0000 0000 0341)', () => {
  it('attaches and sets up, then the subscription stays incomplete and invoices.pay is declined', async () => {
    const c = await customer();
    const pm = await emu.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: c.id });
    expect(pm.card?.last4).toBe('0341');
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }], default_payment_method: pm.id });
    expect(sub.status).toBe('incomplete');
    const err = await fail(emu.stripe.invoices.pay(sub.latest_invoice as string, { payment_method: pm.id }));
    expect(err).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    const { confirm } = await confirmNumber('4000000000000341');
    expect((await confirm).status).toBe('succeeded');
  });
});

describe('3-D Secure on every charge (pm_card_authenticationRequired, 4000 0027 6000 3184)', () => {
  it('a SetupIntent waits in requires_action', async () => {
    const c = await customer();
    const si = await emu.stripe.setupIntents.create({ customer: c.id });
    const confirmed = await emu.stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_authenticationRequired' });
    expect(confirmed).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
    const { confirm } = await confirmNumber('4000002760003184');
    expect((await confirm).status).toBe('requires_action');
  });

  it('a subscription charged with it is incomplete, its invoice open, with invoice.payment_action_required', async () => {
    const c = await customer();
    const pm = await emu.stripe.paymentMethods.attach('pm_card_authenticationRequired', { customer: c.id });
    expect(pm.card?.last4).toBe('3184');
    events.length = 0;
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }], default_payment_method: pm.id });
    expect(sub.status).toBe('incomplete');
    expect((await emu.stripe.invoices.retrieve(sub.latest_invoice as string)).status).toBe('open');
    expect(events).toContain('invoice.payment_action_required');
    const err = await fail(emu.stripe.invoices.pay(sub.latest_invoice as string));
    expect(err).toMatchObject({ statusCode: 402, decline_code: 'authentication_required' });
  });

  it('a renewal charged with it leaves the subscription past_due, with payment_action_required and payment_failed', async () => {
    const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
    const c = await emu.stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: seat.id }] });
    const strict = await emu.stripe.paymentMethods.attach('pm_card_authenticationRequired', { customer: c.id });
    await emu.stripe.subscriptions.update(sub.id, { default_payment_method: strict.id });
    events.length = 0;
    await advanceTo(emu.stripe, clock.id, Date.UTC(2026, 1, 15, 14) / 1000);
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');
    expect(events.filter((e) => e.startsWith('invoice.payment_'))).toEqual(['invoice.payment_action_required', 'invoice.payment_failed']);
  });

  it('Checkout (where the hosted page authenticates the cardholder) completes and pays', async () => {
    const c = await customer();
    const session = await emu.stripe.checkout.sessions.create({ mode: 'subscription', customer: c.id, line_items: [{ price: seat.id, quantity: 1 }], success_url: 'https://x.test/ok' });
    const res = await completeCheckout(session.url as string, 'pm_card_authenticationRequired');
    expect(res.status).toBe(200);
    const done = await emu.stripe.checkout.sessions.retrieve(session.id);
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expect((await emu.stripe.subscriptions.retrieve(done.subscription as string)).status).toBe('active');
  });
});

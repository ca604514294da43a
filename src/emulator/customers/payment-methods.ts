// Stripe's test payment method tokens. Passing a token such as `pm_card_visa`
// creates a fresh `pm_…` card object, as Stripe does; the declining ones carry
// the decline that a later charge or setup returns as a 402 card error.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError, docUrlOf, resourceMissing } from '../http/errors.js';
import { paymentMethods, type PaymentMethodRecord } from './store.js';

interface TestCard {
  brand: string;
  last4: string;
  funding: string;
  /** The number a payment form may type for it (docs.stripe.com/testing pairs each with its token). */
  number?: string;
  decline?: string;
  /** Stripe: the charge-time decline cards "can't be attached to a Customer object". */
  unattachable?: boolean;
  /** The decline comes only with a charge: setting the card up (and attaching it) succeeds. */
  declinesOnlyCharges?: boolean;
  /** Setting the card up needs 3-D Secure authentication by the cardholder. */
  authenticatesOnSetup?: boolean;
}

const brand = (b: string, last4: string, number: string, funding = 'credit'): TestCard => ({ brand: b, last4, funding, number });
/** A card of the decline table: refused when attached, set up or charged. */
const declined = (decline: string, number: string): TestCard => ({ brand: 'visa', last4: number.slice(-4), funding: 'credit', number, decline, unattachable: true });

export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: brand('visa', '4242', '4242424242424242'),
  pm_card_visa_debit: brand('visa', '5556', '4000056655665556', 'debit'),
  pm_card_mastercard: brand('mastercard', '4444', '5555555555554444'),
  pm_card_mastercard_debit: brand('mastercard', '8210', '5200828282828210', 'debit'),
  pm_card_mastercard_prepaid: brand('mastercard', '5100', '5105105105105100', 'prepaid'),
  pm_card_amex: brand('amex', '0005', '378282246310005'),
  pm_card_discover: brand('discover', '1117', '6011111111111117'),
  pm_card_diners: brand('diners', '0004', '3056930009020004'),
  pm_card_jcb: brand('jcb', '0505', '3566002020360505'),
  pm_card_unionpay: brand('unionpay', '0005', '6200000000000005'),
  // ⚠ The emulator's older names, not in Stripe's current table: they attach, then decline.
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', funding: 'credit', decline: 'generic_decline' },
  pm_card_chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', funding: 'credit', decline: 'insufficient_funds' },
  pm_card_visa_chargeDeclined: declined('generic_decline', '4000000000000002'),
  pm_card_visa_chargeDeclinedInsufficientFunds: declined('insufficient_funds', '4000000000009995'),
  pm_card_visa_chargeDeclinedLostCard: declined('lost_card', '4000000000009987'),
  pm_card_visa_chargeDeclinedStolenCard: declined('stolen_card', '4000000000009979'),
  pm_card_visa_chargeDeclinedVelocityLimitExceeded: declined('card_velocity_exceeded', '4000000000006975'),
  pm_card_chargeDeclinedExpiredCard: declined('expired_card', '4000000000000069'),
  pm_card_chargeDeclinedIncorrectCvc: declined('incorrect_cvc', '4000000000000127'),
  pm_card_chargeDeclinedProcessingError: declined('processing_error', '4000000000000119'),
  pm_card_chargeDeclinedFraudulent: declined('fraudulent', '4100000000000019'),
  // Attaches, then every charge fails: how a renewal payment failure is tested.
  pm_card_chargeCustomerFail: { brand: 'visa', last4: '0341', funding: 'credit', number: '4000000000000341', decline: 'generic_decline', declinesOnlyCharges: true },
  pm_card_authenticationRequiredOnSetup: { brand: 'visa', last4: '3155', funding: 'credit', number: '4000002500003155', authenticatesOnSetup: true },
  pm_card_threeDSecure2Required: { brand: 'visa', last4: '3220', funding: 'credit', number: '4000000000003220', authenticatesOnSetup: true },
  pm_card_threeDSecureRequired: { brand: 'visa', last4: '3063', funding: 'credit', number: '4000000000003063', authenticatesOnSetup: true },
  // 3-D Secure on every transaction: setting up waits for the cardholder, and a charge without them
  // (an invoice paid automatically) needs their action: decline code authentication_required.
  pm_card_authenticationRequired: { brand: 'visa', last4: '3184', funding: 'credit', number: '4000002760003184', decline: 'authentication_required', declinesOnlyCharges: true, authenticatesOnSetup: true },
};

/** The decline of a charge made without the cardholder on a card that authenticates every charge. */
export const AUTHENTICATION_REQUIRED = 'authentication_required';

/** The card numbers of Stripe's testing docs that a payment form (the Stripe.js stand-in) may type, by token. */
const CARD_NUMBERS: Record<string, string> = Object.fromEntries(
  Object.entries(TEST_CARDS)
    .filter(([, c]) => c.number)
    .map(([token, c]) => [c.number as string, token]),
);

/** Declines are remembered per card object (by its fingerprint) so a stored pm_… still declines later. */
const DECLINE_BY_FINGERPRINT: Record<string, string> = Object.fromEntries(
  Object.entries(TEST_CARDS)
    .filter(([, c]) => c.decline)
    .map(([token, c]) => [fingerprintOf(token), c.decline as string]),
);

const UNATTACHABLE = new Set(Object.entries(TEST_CARDS).filter(([, c]) => c.unattachable).map(([token]) => fingerprintOf(token)));

/** Unique per test token (the cards' own names are long and share prefixes). */
function fingerprintOf(token: string): string {
  return `fp_${token.replace(/^pm_card_/, '').replace(/[^A-Za-z0-9]/g, '')}`;
}

/** Cards saved (--state) before fingerprints held the whole name carry its first 16 characters. */
const LEGACY_FINGERPRINTS: Record<string, string> = Object.fromEntries(
  ['pm_card_chargeDeclinedInsufficientFunds', 'pm_card_chargeCustomerFail', 'pm_card_authenticationRequiredOnSetup', 'pm_card_threeDSecure2Required'].map((token) => [
    `fp_${token.replace(/^pm_card_/, '').slice(0, 16)}`,
    fingerprintOf(token),
  ]),
);

function fingerprintOfMethod(method: PaymentMethodRecord): string | undefined {
  const fingerprint = method.card?.fingerprint ?? undefined;
  return fingerprint ? (LEGACY_FINGERPRINTS[fingerprint] ?? fingerprint) : undefined;
}

function newCardMethod(core: EmulatorCore, token: string, card: TestCard): PaymentMethodRecord {
  const method = {
    id: core.id('pm_'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: 12,
      exp_year: new Date(core.nowMs()).getUTCFullYear() + 3,
      fingerprint: fingerprintOf(token),
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: core.now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  } as unknown as PaymentMethodRecord;
  return paymentMethods(core).insert(method);
}

/** A test token becomes a new card object; an existing `pm_…` id is looked up (400 naming `param` if unknown). */
export function resolvePaymentMethod(core: EmulatorCore, idOrToken: string, param: string): PaymentMethodRecord {
  const card = TEST_CARDS[idOrToken];
  if (card) return newCardMethod(core, idOrToken, card);
  return paymentMethods(core).require(idOrToken, 'payment_method', param);
}

/** The decline code a charge with this method gets, if any. */
export function declineOf(method: PaymentMethodRecord): string | undefined {
  const fingerprint = fingerprintOfMethod(method);
  return fingerprint ? DECLINE_BY_FINGERPRINT[fingerprint] : undefined;
}

const CHARGE_ONLY_FINGERPRINTS = new Set(Object.entries(TEST_CARDS).filter(([, c]) => c.declinesOnlyCharges).map(([token]) => fingerprintOf(token)));

/** The decline code setting this method up (a SetupIntent) gets, if any. */
export function setupDeclineOf(method: PaymentMethodRecord): string | undefined {
  const fingerprint = fingerprintOfMethod(method);
  return fingerprint && CHARGE_ONLY_FINGERPRINTS.has(fingerprint) ? undefined : declineOf(method);
}

const AUTHENTICATING_FINGERPRINTS = new Set(Object.entries(TEST_CARDS).filter(([, c]) => c.authenticatesOnSetup).map(([token]) => fingerprintOf(token)));

/** Whether setting this method up waits for the cardholder's 3-D Secure authentication. */
export function authenticatesOnSetup(method: PaymentMethodRecord): boolean {
  const fingerprint = fingerprintOfMethod(method);
  return fingerprint ? AUTHENTICATING_FINGERPRINTS.has(fingerprint) : false;
}

/** Card details as a payment form sends them (`payment_method_data[card]`). */
export interface RawCard {
  number: string;
  exp_month: number;
  exp_year: number;
}

/**
 * A card object from raw details: the test numbers behave as documented; a number that fails the
 * Luhn check is `incorrect_number`, and any other number is a real card, which test mode declines.
 */
export function cardFromNumber(core: EmulatorCore, raw: RawCard): PaymentMethodRecord {
  const number = raw.number.replace(/[\s-]/g, '');
  const token = CARD_NUMBERS[number];
  if (!token) {
    if (!/^\d{12,19}$/.test(number) || !passesLuhn(number)) {
      throw new StripeHttpError(402, { type: 'card_error', code: 'incorrect_number', param: 'number', message: 'Your card number is incorrect.' });
    }
    throw new StripeHttpError(402, { type: 'card_error', code: 'card_declined', decline_code: 'test_mode_live_card', message: 'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.' });
  }
  const method = newCardMethod(core, token, TEST_CARDS[token]);
  return paymentMethods(core).update(method.id, { card: { ...method.card!, exp_month: raw.exp_month, exp_year: raw.exp_year } });
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

const DECLINE_MESSAGES: Record<string, string> = {
  generic_decline: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  lost_card: 'Your card was declined.',
  stolen_card: 'Your card was declined.',
  fraudulent: 'Your card was declined.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: "Your card's security code is incorrect.",
  processing_error: 'An error occurred while processing your card. Try again in a little bit.',
  card_velocity_exceeded: 'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.',
  authentication_required: 'Your card was declined. This transaction requires authentication.',
};

/** Stripe's error `code` for a decline: its own for these three (the testing docs' table), else card_declined. */
const ERROR_CODES: Record<string, string> = { expired_card: 'expired_card', incorrect_cvc: 'incorrect_cvc', processing_error: 'processing_error' };

/** The error `code` a decline with this decline code carries. */
export function declineErrorCode(declineCode: string): string {
  return ERROR_CODES[declineCode] ?? 'card_declined';
}

/** The 402 `card_error` Stripe answers a declined card with (the SDK raises StripeCardError). */
export function cardDeclined(declineCode: string, extra: Record<string, unknown> = {}): StripeHttpError {
  return new StripeHttpError(402, {
    type: 'card_error',
    code: declineErrorCode(declineCode),
    decline_code: declineCode,
    message: DECLINE_MESSAGES[declineCode] ?? 'Your card was declined.',
    ...extra,
  });
}

/** The error object a failed SetupIntent or invoice payment keeps (last_setup_error). */
export function declineDetails(declineCode: string, method: PaymentMethodRecord): Stripe.SetupIntent.LastSetupError {
  return {
    code: declineErrorCode(declineCode),
    decline_code: declineCode,
    doc_url: docUrlOf(declineErrorCode(declineCode)),
    message: DECLINE_MESSAGES[declineCode] ?? 'Your card was declined.',
    payment_method: method,
    type: 'card_error',
  } as Stripe.SetupIntent.LastSetupError;
}

/** Attaches a method to a customer; a method already on another customer is refused, as Stripe does. */
export function attachPaymentMethod(core: EmulatorCore, method: PaymentMethodRecord, customerId: string): PaymentMethodRecord {
  const fingerprint = fingerprintOfMethod(method);
  if (fingerprint && UNATTACHABLE.has(fingerprint)) throw cardDeclined(DECLINE_BY_FINGERPRINT[fingerprint], { param: 'payment_method' });
  if (method.customer && method.customer !== customerId) {
    throw new StripeHttpError(400, {
      type: 'invalid_request_error',
      code: 'payment_method_unexpected_state',
      message: `The payment method ${method.id} is already attached to another customer.`,
      param: 'payment_method',
    });
  }
  if (method.customer === customerId) return method;
  const updated = paymentMethods(core).update(method.id, { customer: customerId });
  core.emit('payment_method.attached', updated);
  return updated;
}

export function requirePaymentMethod(core: EmulatorCore, id: string): PaymentMethodRecord {
  const found = paymentMethods(core).get(id);
  if (!found) throw resourceMissing('payment_method', id);
  return found;
}

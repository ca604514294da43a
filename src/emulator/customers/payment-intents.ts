// Standalone PaymentIntents: the stored object and its status machine. A confirm with a working
// card succeeds at once; a 3-D Secure card waits in requires_action for the cardholder; a declining
// card leaves the intent waiting for another one, with last_payment_error. Invoices do not use
// these (their payments stay as they are; see SPEC.md).
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError } from '../http/errors.js';
import { secretFor } from '../billing/invoice-ledger.js';
import { attachPaymentMethod, authenticatesOnSetup, cardDeclined, declineDetails, declineOf } from './payment-methods.js';
import type { PaymentMethodRecord } from './store.js';
import { COLLECTIONS } from '../collection-names.js';

export type PaymentIntentRecord = Stripe.PaymentIntent;

export function paymentIntents(core: EmulatorCore) {
  return core.collection<PaymentIntentRecord>(COLLECTIONS.paymentIntents);
}

export interface NewPaymentIntent {
  amount: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  receipt_email: string | null;
  setup_future_usage: Stripe.PaymentIntent.SetupFutureUsage | null;
  capture_method: 'automatic' | 'automatic_async';
  /** The caller's list of payment method types (null: none given). */
  allowed_payment_method_types: Stripe.PaymentIntent.AllowedPaymentMethodType[] | null;
  /** null when the caller listed payment method types. */
  automatic_payment_methods: Stripe.PaymentIntent.AutomaticPaymentMethods | null;
}

export function createPaymentIntent(core: EmulatorCore, fields: NewPaymentIntent): PaymentIntentRecord {
  const id = core.id('pi_');
  const pi = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: fields.allowed_payment_method_types,
    amount: fields.amount,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: fields.automatic_payment_methods,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: fields.capture_method,
    client_secret: secretFor(core, id),
    confirmation_method: 'automatic',
    created: core.now(),
    currency: fields.currency,
    customer: fields.customer,
    customer_account: null,
    description: fields.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: fields.receipt_email,
    review: null,
    setup_future_usage: fields.setup_future_usage,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  } as unknown as PaymentIntentRecord;
  paymentIntents(core).insert(pi);
  core.emit('payment_intent.created', pi);
  return pi;
}

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

function unexpectedState(pi: PaymentIntentRecord, message: string): StripeHttpError {
  return new StripeHttpError(400, { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message, payment_intent: pi });
}

export function assertConfirmable(pi: PaymentIntentRecord): void {
  if (CONFIRMABLE.includes(pi.status)) return;
  throw unexpectedState(
    pi,
    pi.status === 'succeeded'
      ? 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.'
      : `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
  );
}

const customerOf = (pi: PaymentIntentRecord): string | null => (typeof pi.customer === 'string' ? pi.customer : (pi.customer?.id ?? null));

/** The decline the intent keeps and the 402 carries; status back to requires_payment_method. */
function fail(core: EmulatorCore, pi: PaymentIntentRecord, error: Stripe.PaymentIntent.LastPaymentError): PaymentIntentRecord {
  paymentIntents(core).update(pi.id, { status: 'requires_payment_method', payment_method: null, next_action: null, last_payment_error: error });
  core.emit('payment_intent.payment_failed', pi);
  return pi;
}

function succeed(core: EmulatorCore, pi: PaymentIntentRecord, pm: PaymentMethodRecord): PaymentIntentRecord {
  const customer = customerOf(pi);
  // setup_future_usage saves the card on the customer for later payments (not as their default).
  if (pi.setup_future_usage && customer) attachPaymentMethod(core, pm, customer);
  paymentIntents(core).update(pi.id, { status: 'succeeded', payment_method: pm.id, amount_received: pi.amount, next_action: null, last_payment_error: null });
  core.emit('payment_intent.succeeded', pi);
  return pi;
}

/**
 * Confirms with `pm`. Returns the intent (succeeded or requires_action); a declined card throws
 * Stripe's 402 card error with the intent in it, after the intent has recorded the failure.
 * `offSession`: the cardholder is not there, so a 3-D Secure card that was not set up for this
 * customer is declined with authentication_required instead of asking for authentication.
 */
export function confirmWith(core: EmulatorCore, pi: PaymentIntentRecord, pm: PaymentMethodRecord, offSession: boolean): PaymentIntentRecord {
  assertConfirmable(pi);
  const customer = customerOf(pi);
  if (pm.customer && pm.customer !== customer) {
    throw new StripeHttpError(400, {
      type: 'invalid_request_error',
      param: 'payment_method',
      message: customer
        ? `The provided PaymentMethod ${pm.id} belongs to another Customer. Use a PaymentMethod attached to ${customer}, or one not attached to any Customer.`
        : 'The provided PaymentMethod belongs to a Customer, but you did not provide a Customer. Please include the Customer in the `customer` parameter on the PaymentIntent.',
    });
  }
  const decline = declineOf(pm);
  if (decline) {
    fail(core, pi, declineDetails(decline, pm) as Stripe.PaymentIntent.LastPaymentError);
    throw cardDeclined(decline, { payment_intent: pi, payment_method: pm });
  }
  if (authenticatesOnSetup(pm)) {
    if (offSession && !(customer && pm.customer === customer)) {
      const error = { type: 'card_error', code: 'authentication_required', decline_code: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.', payment_method: pm };
      fail(core, pi, error as Stripe.PaymentIntent.LastPaymentError);
      throw new StripeHttpError(402, { ...error, payment_intent: pi });
    }
    if (!offSession) {
      // Stripe.js reads next_action.use_stripe_sdk to run the challenge; the stand-in shows a dialog.
      paymentIntents(core).update(pi.id, { status: 'requires_action', payment_method: pm.id, last_payment_error: null, next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } } as Stripe.PaymentIntent.NextAction });
      core.emit('payment_intent.requires_action', pi);
      return pi;
    }
  }
  return succeed(core, pi, pm);
}

/** The cardholder's answer to the 3-D Secure challenge of an intent in requires_action. */
export function finishAuthentication(core: EmulatorCore, pi: PaymentIntentRecord, pm: PaymentMethodRecord, authenticated: boolean): PaymentIntentRecord {
  if (authenticated) return succeed(core, pi, pm);
  return fail(core, pi, {
    type: 'invalid_request_error',
    code: 'payment_intent_authentication_failure',
    message: 'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
    payment_method: pm,
  } as Stripe.PaymentIntent.LastPaymentError);
}

const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];

export function cancelPaymentIntent(core: EmulatorCore, pi: PaymentIntentRecord, reason: Stripe.PaymentIntent.CancellationReason | null): PaymentIntentRecord {
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(pi, `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`);
  }
  paymentIntents(core).update(pi.id, { status: 'canceled', cancellation_reason: reason, canceled_at: core.now(), next_action: null });
  core.emit('payment_intent.canceled', pi);
  return pi;
}

/** Fields an update may change only while the intent can still be confirmed. */
export function assertUpdatable(pi: PaymentIntentRecord, field: string): void {
  if (CONFIRMABLE.includes(pi.status)) return;
  throw unexpectedState(pi, `This PaymentIntent's ${field} could not be updated because it has a status of ${pi.status}. You may only update the ${field} of a PaymentIntent with one of the following statuses: ${CONFIRMABLE.join(', ')}.`);
}

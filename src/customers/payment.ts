/**
 * Which client secret a new `default_incomplete` subscription hands to the front end, and what the
 * front end does with it. Pure: reads the subscription as created with
 * `expand: ['latest_invoice.confirmation_secret', 'pending_setup_intent']`.
 */
import type Stripe from 'stripe';

export type PaymentCollectionKind = 'setup_intent' | 'payment_intent' | 'none';

export interface PaymentCollection {
  kind: PaymentCollectionKind;
  /** The SetupIntent's id, or the first invoice's id for a payment; null when nothing is needed. */
  id: string | null;
  /** Meant for the browser (Stripe.js), so printing it is intended. Never an API key. */
  client_secret: string | null;
  /** Amount due now, minor units (payment_intent only). */
  amount_due: number | null;
  currency: string | null;
  next_step: string;
}

export function describePaymentCollection(sub: Stripe.Subscription): PaymentCollection {
  const setup = sub.pending_setup_intent;
  if (setup && typeof setup !== 'string' && setup.client_secret) {
    return {
      kind: 'setup_intent',
      id: setup.id,
      client_secret: setup.client_secret,
      amount_due: null,
      currency: null,
      next_step:
        'Nothing is charged now: usage is billed in arrears. Pass this SetupIntent client secret to your front end, ' +
        'mount the Payment Element with it and call stripe.confirmSetup(); the saved payment method becomes the subscription\'s default.',
    };
  }
  const invoice = sub.latest_invoice;
  if (invoice && typeof invoice !== 'string' && invoice.confirmation_secret?.client_secret) {
    return {
      kind: 'payment_intent',
      id: invoice.id ?? null,
      client_secret: invoice.confirmation_secret.client_secret,
      amount_due: invoice.amount_due,
      currency: invoice.currency,
      next_step:
        'The first invoice needs payment. Pass this client secret to your front end, mount the Payment Element with it and ' +
        'call stripe.confirmPayment(); the subscription becomes active when the payment succeeds.',
    };
  }
  if (setup && typeof setup === 'string') {
    return { kind: 'setup_intent', id: setup, client_secret: null, amount_due: null, currency: null, next_step: 'A SetupIntent is pending but its client secret was not returned; retrieve it with the Stripe API.' };
  }
  return {
    kind: 'none',
    id: null,
    client_secret: null,
    amount_due: null,
    currency: null,
    next_step: sub.status === 'active' || sub.status === 'trialing'
      ? 'No payment details are needed now (the customer already has a default payment method, or nothing is due).'
      : `The subscription is ${sub.status} and Stripe returned no client secret; check it in the Dashboard.`,
  };
}

// Where customers and their payment details live in the emulator's store (payment intents keep
// theirs beside their status machine, in payment-intents.ts).
import type Stripe from 'stripe';
import { COLLECTIONS } from '../collection-names.js';
import type { EmulatorCore } from '../core.js';
import type { Collection } from '../store.js';

/** Stored customer: the wire object itself (deleted customers are removed). */
export type CustomerRecord = Stripe.Customer;
export type SetupIntentRecord = Stripe.SetupIntent;
export type PaymentMethodRecord = Stripe.PaymentMethod;

export function customers(core: EmulatorCore): Collection<CustomerRecord> {
  return core.collection<CustomerRecord>(COLLECTIONS.customers);
}
export function setupIntents(core: EmulatorCore): Collection<SetupIntentRecord> {
  return core.collection<SetupIntentRecord>(COLLECTIONS.setupIntents);
}
export function paymentMethods(core: EmulatorCore): Collection<PaymentMethodRecord> {
  return core.collection<PaymentMethodRecord>(COLLECTIONS.paymentMethods);
}

// Where the billing resources live in the emulator's store, and the catalog
// lookups they need. Collection names of the catalog belong to the catalog
// part; they are named once here so a rename touches one line.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import type { Collection } from '../store.js';

export const CATALOG = { prices: 'prices', products: 'products', meters: 'billing.meters' } as const;

/** Stored customer: the wire object itself (deleted customers are removed). */
export type CustomerRecord = Stripe.Customer;

export interface SubscriptionItemRecord {
  id: string;
  created: number;
  price: string;
  quantity?: number;
  metadata: Record<string, string>;
}

/** Stored subscription: wire fields that change, plus item records (prices rendered live). */
export interface SubscriptionRecord {
  id: string;
  created: number;
  customer: string;
  status: Stripe.Subscription.Status;
  billing_cycle_anchor: number;
  start_date: number;
  currency: string;
  items: SubscriptionItemRecord[];
  metadata: Record<string, string>;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  cancellation_details: Stripe.Subscription.CancellationDetails | null;
  collection_method: Stripe.Subscription.CollectionMethod;
  days_until_due: number | null;
  default_payment_method: string | null;
  description: string | null;
  latest_invoice: string | null;
  pending_setup_intent: string | null;
  payment_behavior: string;
  save_default_payment_method: 'off' | 'on_subscription';
}

/** Stored invoice: the wire object without its expand-only confirmation secret, kept beside it. */
export interface InvoiceRecord {
  id: string;
  invoice: Stripe.Invoice;
  confirmationSecret: string | null;
}

export type SetupIntentRecord = Stripe.SetupIntent;
export type PaymentMethodRecord = Stripe.PaymentMethod;
/** Stored Checkout Session: the wire object plus the items it will subscribe to. */
export interface CheckoutSessionRecord {
  id: string;
  session: Stripe.Checkout.Session;
  items: Array<{ price: string; quantity?: number }>;
  subscriptionMetadata: Record<string, string>;
  subscriptionDescription?: string | null;
}

export interface MeterLike {
  id: string;
  default_aggregation: { formula: 'sum' | 'count' | 'last' };
}

export function customers(core: EmulatorCore): Collection<CustomerRecord> {
  return core.collection<CustomerRecord>('customers');
}
export function subscriptions(core: EmulatorCore): Collection<SubscriptionRecord> {
  return core.collection<SubscriptionRecord>('subscriptions');
}
export function invoices(core: EmulatorCore): Collection<InvoiceRecord> {
  return core.collection<InvoiceRecord>('invoices');
}
export function setupIntents(core: EmulatorCore): Collection<SetupIntentRecord> {
  return core.collection<SetupIntentRecord>('setup_intents');
}
export function paymentMethods(core: EmulatorCore): Collection<PaymentMethodRecord> {
  return core.collection<PaymentMethodRecord>('payment_methods');
}
export function checkoutSessions(core: EmulatorCore): Collection<CheckoutSessionRecord> {
  return core.collection<CheckoutSessionRecord>('checkout_sessions');
}
export function prices(core: EmulatorCore): Collection<Stripe.Price> {
  return core.collection<Stripe.Price>(CATALOG.prices);
}

/** The meter a metered price reports to; a stand-in summing meter if the catalog has lost it. */
export function meterOf(core: EmulatorCore, meterId: string): MeterLike {
  const meter = core.collection<MeterLike>(CATALOG.meters).get(meterId);
  return meter ?? { id: meterId, default_aggregation: { formula: 'sum' } };
}

/** Settings for the behaviours the facts document marks uncertain (see SPEC.md). */
export interface BillingSettings {
  /**
   * Status of a `default_incomplete` subscription whose first invoice is 0 and that has no payment
   * method (it gets a pending_setup_intent). Stripe documents `active`; `incomplete` makes the
   * SetupIntent gate activation instead.
   */
  zeroInvoiceSetupStatus: 'active' | 'incomplete';
  /** Which payment behaviours create a pending_setup_intent when nothing is due up front. */
  setupIntentBehaviors: string[];
}

export function billingSettings(core: EmulatorCore): BillingSettings {
  return core.slice<BillingSettings>('billing_settings', () => ({
    zeroInvoiceSetupStatus: 'active',
    setupIntentBehaviors: ['default_incomplete'],
  }));
}

/** Changes the uncertain-behaviour settings (tests and embedders call this on `core`). */
export function configureBilling(core: EmulatorCore, patch: Partial<BillingSettings>): BillingSettings {
  const settings = billingSettings(core);
  Object.assign(settings, patch);
  core.markDirty();
  return settings;
}

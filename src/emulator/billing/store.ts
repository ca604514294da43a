// Where the billing resources live in the emulator's store, and billing's settings.
import type Stripe from 'stripe';
import { COLLECTIONS } from '../collection-names.js';
import type { EmulatorCore } from '../core.js';
import type { Collection } from '../store.js';
import { customers } from '../customers/store.js';

export interface SubscriptionItemRecord {
  id: string;
  created: number;
  price: string;
  quantity?: number;
  metadata: Record<string, string>;
  /** Set when a metered price was swapped in mid-period with the old usage invoiced: usage counts from here. */
  usage_since?: number;
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
  /** The customer's test clock (fixed at creation; absent on records saved before clocks existed). */
  test_clock?: string | null;
  /** Start of the period the billing cycle has reached (absent: the first period). */
  cycle_start?: number;
  /** The subscription schedule managing it (absent or null: none). */
  schedule?: string | null;
  /** Items a schedule's phase change removed, kept so their renewal draft can still be finalized. */
  ended_items?: SubscriptionItemRecord[];
}

/** Stored invoice: the wire object without its expand-only confirmation secret, kept beside it. */
export interface InvoiceRecord {
  id: string;
  invoice: Stripe.Invoice;
  confirmationSecret: string | null;
  /** Automatic collection after a failed attempt: when the first attempt failed and how many retries ran. */
  dunning?: { firstFailedAt: number; retries: number };
}

export type TestClockRecord = Stripe.TestHelpers.TestClock;

export function subscriptions(core: EmulatorCore): Collection<SubscriptionRecord> {
  return core.collection<SubscriptionRecord>(COLLECTIONS.subscriptions);
}
export function invoices(core: EmulatorCore): Collection<InvoiceRecord> {
  return core.collection<InvoiceRecord>(COLLECTIONS.invoices);
}
export function testClocks(core: EmulatorCore): Collection<TestClockRecord> {
  return core.collection<TestClockRecord>(COLLECTIONS.testClocks);
}

/** The customer's "now": its test clock's frozen_time, or the emulator's clock. */
export function nowFor(core: EmulatorCore, customerId: string): number {
  const clockId = customers(core).peek(customerId)?.test_clock;
  const clock = typeof clockId === 'string' ? testClocks(core).peek(clockId) : undefined;
  return clock ? clock.frozen_time : core.now();
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
  /**
   * Automatic retries of a failed renewal payment, in days after the first failed attempt (Stripe's
   * Smart Retries default is "8 tries within 2 weeks"; the emulator uses a fixed schedule).
   */
  retryDays: number[];
  /** What a subscription becomes when the last retry fails (Stripe's "subscription status" setting). */
  afterRetries: 'cancel' | 'unpaid';
}

/** The first attempt plus 7 retries: 8 tries within 2 weeks. */
export const DEFAULT_RETRY_DAYS = [1, 2, 4, 6, 8, 11, 14] as const;

export function billingSettings(core: EmulatorCore): BillingSettings {
  const settings = core.slice<BillingSettings>('billing_settings', () => ({
    zeroInvoiceSetupStatus: 'active',
    setupIntentBehaviors: ['default_incomplete'],
    retryDays: [...DEFAULT_RETRY_DAYS],
    afterRetries: 'cancel',
  }));
  // State saved before dunning existed lacks these.
  settings.retryDays ??= [...DEFAULT_RETRY_DAYS];
  settings.afterRetries ??= 'cancel';
  return settings;
}

/** Changes the uncertain-behaviour settings (tests and embedders call this on `core`). */
export function configureBilling(core: EmulatorCore, patch: Partial<BillingSettings>): BillingSettings {
  const settings = billingSettings(core);
  Object.assign(settings, patch);
  core.markDirty();
  return settings;
}

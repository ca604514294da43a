// Stored subscription records → wire objects. Items render their price live
// from the catalog and their current period from the clock, so periods roll
// forward as (injected) time passes.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { itemPeriod, priceOf } from './invoice-builder.js';
import { nowFor, type SubscriptionItemRecord, type SubscriptionRecord } from './store.js';
import type { StoredPrice } from '../catalog/store.js';

/** The instant periods are computed at: now, or when the subscription ended. */
export function periodClock(core: EmulatorCore, sub: SubscriptionRecord): number {
  return sub.ended_at ?? nowFor(core, sub.customer);
}

/** `at`: render the periods of that instant instead (previous_attributes of a renewal). */
export function renderItem(core: EmulatorCore, sub: SubscriptionRecord, item: SubscriptionItemRecord, at?: number): Stripe.SubscriptionItem {
  const price = priceOf(core, item);
  const period = itemPeriod(sub, price, at ?? periodClock(core, sub));
  return {
    id: item.id,
    object: 'subscription_item',
    billing_thresholds: null,
    created: item.created,
    current_period_end: period.end,
    current_period_start: period.start,
    current_trial: null,
    discounts: [],
    metadata: { ...item.metadata },
    plan: planOf(price),
    price,
    ...(item.quantity !== undefined ? { quantity: item.quantity } : {}),
    subscription: sub.id,
    tax_rates: [],
  } as Stripe.SubscriptionItem;
}

/** The legacy `plan` mirror Stripe still sends on items. */
function planOf(price: StoredPrice): Stripe.Plan {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? 'month',
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: price.recurring?.meter ?? null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: price.tiers_mode,
    transform_usage: price.transform_quantity,
    trial_period_days: price.recurring?.trial_period_days ?? null,
    usage_type: price.recurring?.usage_type ?? 'licensed',
    ...(price.tiers ? { tiers: price.tiers } : {}),
  } as unknown as Stripe.Plan;
}

export function renderSubscription(core: EmulatorCore, sub: SubscriptionRecord, at?: number): Stripe.Subscription {
  return {
    id: sub.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: sub.billing_cycle_anchor,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'flexible', updated_at: sub.created },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: sub.cancel_at,
    cancel_at_period_end: sub.cancel_at_period_end,
    canceled_at: sub.canceled_at,
    cancellation_details: sub.cancellation_details ?? { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: sub.collection_method,
    created: sub.created,
    currency: sub.currency,
    customer: sub.customer,
    customer_account: null,
    days_until_due: sub.days_until_due,
    default_payment_method: sub.default_payment_method,
    default_source: null,
    default_tax_rates: [],
    description: sub.description,
    discounts: [],
    ended_at: sub.ended_at,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
    items: {
      object: 'list',
      data: sub.items.map((item) => renderItem(core, sub, item, at)),
      has_more: false,
      url: `/v1/subscription_items?subscription=${sub.id}`,
    },
    latest_invoice: sub.latest_invoice,
    livemode: false,
    managed_payments: null,
    metadata: { ...sub.metadata },
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: sub.save_default_payment_method,
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: sub.pending_setup_intent,
    pending_update: null,
    schedule: sub.schedule ?? null,
    start_date: sub.start_date,
    status: sub.status,
    test_clock: sub.test_clock ?? null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' } },
    trial_start: null,
  };
}

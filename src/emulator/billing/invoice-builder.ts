// Builds Stripe invoice objects from a subscription's items: metered items bill
// the usage of a period in arrears (through core.usage), licensed items bill
// quantity × price for the period they pay for in advance. See SPEC.md.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { priceQuantity } from './invoice-math.js';
import { periodContaining, type Interval, type Period } from './periods.js';
import { meterOf, prices, products, type StoredPrice } from '../catalog/store.js';
import { type SubscriptionItemRecord, type SubscriptionRecord } from './store.js';

export interface LinePlan {
  item: SubscriptionItemRecord;
  price: StoredPrice;
  /** Usage or licensed quantity, as a decimal string or number. */
  quantity: string | number;
  period: Period;
}

export function isMetered(price: StoredPrice): boolean {
  return price.recurring?.usage_type === 'metered';
}

export function intervalOf(price: StoredPrice): { interval: Interval; count: number } {
  return { interval: (price.recurring?.interval ?? 'month') as Interval, count: price.recurring?.interval_count ?? 1 };
}

/** The item's billing period containing `atSec`, anchored at the subscription's billing_cycle_anchor. */
export function itemPeriod(sub: SubscriptionRecord, price: StoredPrice, atSec: number): Period {
  const { interval, count } = intervalOf(price);
  return periodContaining(sub.billing_cycle_anchor, interval, count, atSec);
}

export function nextPeriod(sub: SubscriptionRecord, price: StoredPrice, period: Period): Period {
  const { interval, count } = intervalOf(price);
  return periodContaining(sub.billing_cycle_anchor, interval, count, period.end);
}

/** Metered usage over [start, end) for this subscription's customer, from the metering part. */
export function usageOf(core: EmulatorCore, sub: SubscriptionRecord, price: StoredPrice, period: Period): number {
  const meterId = price.recurring?.meter;
  if (!meterId) return 0;
  // After a price swap whose earlier usage was invoiced on the old price, only later usage is this price's.
  const since = sub.items.find((i) => i.price === price.id)?.usage_since ?? period.start;
  const start = Math.min(Math.max(period.start, since), period.end);
  return core.usage.aggregate(meterOf(core, meterId), sub.customer, start, period.end);
}

export function priceOf(core: EmulatorCore, item: SubscriptionItemRecord): StoredPrice {
  return prices(core).require(item.price, 'price');
}

export function buildLine(core: EmulatorCore, sub: SubscriptionRecord, plan: LinePlan, invoiceId: string | null): Stripe.InvoiceLineItem {
  const priced = priceQuantity(plan.price, plan.quantity);
  const product = products(core).get(plan.price.product);
  const name = product?.name ?? plan.price.nickname ?? plan.price.product;
  return {
    id: core.id('il_'),
    object: 'line_item',
    amount: priced.amount,
    currency: plan.price.currency,
    description: `${priced.quantity} × ${name}`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: {
      type: 'subscription_item_details',
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: sub.id,
        subscription_item: plan.item.id,
      },
    },
    period: { start: plan.period.start, end: plan.period.end },
    pretax_credit_amounts: [],
    pricing: {
      type: 'price_details',
      price_details: { price: plan.price.id, product: plan.price.product },
      unit_amount_decimal: priced.unitAmountDecimal,
    },
    quantity: priced.quantity,
    quantity_decimal: priced.quantityDecimal,
    subscription: sub.id,
    subtotal: priced.amount,
    taxes: [],
  } as unknown as Stripe.InvoiceLineItem;
}

export interface InvoiceDraft {
  id: string;
  customer: Stripe.Customer | undefined;
  customerId: string;
  sub: SubscriptionRecord;
  billingReason: Stripe.Invoice.BillingReason;
  lines: Stripe.InvoiceLineItem[];
  period: Period;
  status: Stripe.Invoice.Status;
  paid: boolean;
  /** When it is issued (the customer's clock time; default the emulator's now). */
  at?: number;
}

/** An invoice object with totals that add up from its lines (no discounts or taxes are modelled). */
export function buildInvoice(core: EmulatorCore, draft: InvoiceDraft): Stripe.Invoice {
  const now = draft.at ?? core.now();
  const subtotal = draft.lines.reduce((sum, line) => sum + line.amount, 0);
  const amountPaid = draft.paid ? subtotal : 0;
  const finalized = draft.status !== 'draft';
  return {
    id: draft.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Alpaca Emulator',
    account_tax_ids: null,
    amount_due: subtotal,
    amount_overpaid: 0,
    amount_paid: amountPaid,
    amount_remaining: subtotal - amountPaid,
    amount_shipping: 0,
    application: null,
    attempt_count: draft.paid && subtotal > 0 ? 1 : 0,
    attempted: draft.paid,
    auto_advance: !draft.paid,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: draft.billingReason,
    collection_method: draft.sub.collection_method,
    created: now,
    currency: draft.sub.currency,
    custom_fields: null,
    customer: draft.customerId,
    customer_account: null,
    customer_address: null,
    customer_email: draft.customer?.email ?? null,
    customer_name: draft.customer?.name ?? null,
    customer_phone: draft.customer?.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: finalized ? now : null,
    ending_balance: finalized ? 0 : null,
    footer: null,
    from_invoice: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: draft.lines, has_more: false, url: `/v1/invoices/${draft.id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: { ...draft.sub.metadata }, subscription: draft.sub.id },
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: draft.period.end,
    period_start: draft.period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: draft.status,
    status_transitions: {
      finalized_at: finalized ? now : null,
      marked_uncollectible_at: null,
      paid_at: draft.paid ? now : null,
      voided_at: null,
    },
    subtotal,
    subtotal_excluding_tax: subtotal,
    test_clock: draft.sub.test_clock ?? null,
    total: subtotal,
    total_discount_amounts: [],
    total_excluding_tax: subtotal,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  } as unknown as Stripe.Invoice;
}

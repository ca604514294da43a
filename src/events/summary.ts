/**
 * What a person watching billing wants from an event, pulled out of Stripe's event objects:
 * who (customer, subscription), what changed (status), and how much. Pure: no I/O, no SDK.
 */
import type Stripe from 'stripe';

export interface EventAmount {
  /** Integer minor units, as Stripe sends them. */
  minor: number;
  currency: string;
}

export interface EventSummary {
  id: string;
  type: string;
  /** Unix seconds. */
  created: number;
  /** The id of the object the event is about (`data.object.id`). */
  object?: string;
  customer?: string;
  subscription?: string;
  status?: string;
  /** Set only when the event says the status changed (from `previous_attributes`). */
  previousStatus?: string;
  amount?: EventAmount;
}

type Loose = Record<string, unknown>;

/** Stripe fields such as `customer` are ids or expanded objects. */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Loose).id === 'string') return (value as Loose).id as string;
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function amountOf(minor: unknown, currency: unknown): EventAmount | undefined {
  if (typeof minor !== 'number' || !Number.isInteger(minor) || typeof currency !== 'string') return undefined;
  return { minor, currency };
}

/** Billing credits carry money as `{type: 'monetary', monetary: {currency, value}}`. */
function monetaryOf(amount: unknown): EventAmount | undefined {
  const monetary = (amount as Loose | null | undefined)?.monetary as Loose | null | undefined;
  return amountOf(monetary?.value, monetary?.currency);
}

/** Since API 2025-03-31 an invoice names its subscription under `parent.subscription_details`. */
function invoiceSubscription(invoice: Loose): string | undefined {
  const parent = invoice.parent as Loose | null | undefined;
  const details = parent?.subscription_details as Loose | null | undefined;
  return idOf(details?.subscription) ?? idOf(invoice.subscription);
}

export function summarizeEvent(event: Stripe.Event): EventSummary {
  const object = (event.data?.object ?? {}) as unknown as Loose;
  const previous = (event.data?.previous_attributes ?? {}) as Loose;
  const summary: EventSummary = { id: event.id, type: event.type, created: event.created };
  const kind = str(object.object);
  summary.object = idOf(object.id);

  summary.customer = kind === 'customer' ? idOf(object.id) : idOf(object.customer);
  if (kind === 'subscription') summary.subscription = idOf(object.id);
  else if (kind === 'invoice') summary.subscription = invoiceSubscription(object);
  else summary.subscription = idOf(object.subscription);

  summary.status = str(object.status);
  const before = str(previous.status);
  if (before !== undefined && before !== summary.status) summary.previousStatus = before;

  if (kind === 'invoice') {
    // A paid invoice is about what was collected; every other invoice event about what is owed.
    const paid = event.type === 'invoice.paid' || event.type === 'invoice.payment_succeeded';
    summary.amount = amountOf(paid ? object.amount_paid : object.amount_due, object.currency);
  } else if (kind === 'checkout.session' || kind === 'payment_intent') {
    summary.amount = amountOf(kind === 'payment_intent' ? object.amount : object.amount_total, object.currency);
  } else if (kind === 'billing.credit_grant') {
    summary.amount = monetaryOf(object.amount);
  } else if (kind === 'billing.credit_balance_transaction') {
    // What the transaction did (credits_granted, credits_applied, credits_expired…) and how much.
    const side = (object.credit ?? object.debit) as Loose | null | undefined;
    summary.status = str(side?.type);
    summary.amount = monetaryOf(side?.amount);
  } else if (kind === 'billing.alert_triggered') {
    // The payload has no id of its own: it is about its alert.
    const alert = object.alert as Loose | undefined;
    const gte = (alert?.usage_threshold as Loose | undefined)?.gte;
    summary.object = idOf(alert);
    if (typeof object.value === 'number') summary.status = `usage ${object.value}${typeof gte === 'number' ? ` ≥ ${gte}` : ''}`;
  }
  for (const key of Object.keys(summary) as (keyof EventSummary)[]) {
    if (summary[key] === undefined) delete summary[key];
  }
  return summary;
}

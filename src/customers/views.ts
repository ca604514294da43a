/**
 * The `--json` shapes of the customer, subscription and invoice commands: the relevant fields of
 * Stripe's objects, flattened where Stripe nests them (the README documents these). Pure.
 */
import type Stripe from 'stripe';
import { EXTERNAL_ID_KEY } from './resolve.js';

export interface CustomerView {
  id: string;
  email: string | null;
  name: string | null;
  external_id: string | null;
  metadata: Record<string, string>;
  /** Unix seconds. */
  created: number;
  /** The test clock the customer lives on (test mode), or null. */
  test_clock: string | null;
  /** That clock's time (the customer's "now"), Unix seconds; null without a clock or when not fetched. */
  test_clock_time: number | null;
}

export function customerView(c: Stripe.Customer, clock?: Stripe.TestHelpers.TestClock): CustomerView {
  const clockId = c.test_clock == null ? null : typeof c.test_clock === 'string' ? c.test_clock : c.test_clock.id;
  return {
    id: c.id,
    email: c.email ?? null,
    name: c.name ?? null,
    external_id: c.metadata?.[EXTERNAL_ID_KEY] ?? null,
    metadata: { ...(c.metadata ?? {}) },
    created: c.created,
    test_clock: clockId,
    test_clock_time: clock && clock.id === clockId ? clock.frozen_time : null,
  };
}

/** The customer's test clock (for its "now"), when it has one. */
export async function clockOf(stripe: Stripe, c: Stripe.Customer): Promise<Stripe.TestHelpers.TestClock | undefined> {
  if (c.test_clock == null) return undefined;
  if (typeof c.test_clock !== 'string') return c.test_clock;
  try {
    return await stripe.testHelpers.testClocks.retrieve(c.test_clock);
  } catch {
    return undefined; // the clock's time is a nicety; the customer is shown without it
  }
}

export interface SubscriptionItemView {
  id: string;
  price: string;
  lookup_key: string | null;
  usage_type: string | null;
  quantity: number | null;
}

export interface SubscriptionView {
  id: string;
  customer: string;
  status: Stripe.Subscription.Status;
  /** Unix seconds; from the first item (Stripe keeps periods on items since the basil API). */
  current_period_start: number | null;
  current_period_end: number | null;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  items: SubscriptionItemView[];
  latest_invoice: string | null;
  created: number;
}

const idOf = (x: string | { id: string } | null | undefined): string | null => (x == null ? null : typeof x === 'string' ? x : x.id);

function itemView(item: Stripe.SubscriptionItem): SubscriptionItemView {
  const price = item.price as Stripe.Price | string;
  const p = typeof price === 'string' ? undefined : price;
  return {
    id: item.id,
    price: typeof price === 'string' ? price : price.id,
    lookup_key: p?.lookup_key ?? null,
    usage_type: p?.recurring?.usage_type ?? null,
    quantity: item.quantity ?? null,
  };
}

export function subscriptionView(s: Stripe.Subscription): SubscriptionView {
  const items = s.items?.data ?? [];
  return {
    id: s.id,
    customer: idOf(s.customer as string | { id: string }) ?? '',
    status: s.status,
    current_period_start: items[0]?.current_period_start ?? null,
    current_period_end: items[0]?.current_period_end ?? null,
    cancel_at_period_end: Boolean(s.cancel_at_period_end),
    cancel_at: s.cancel_at ?? null,
    canceled_at: s.canceled_at ?? null,
    items: items.map(itemView),
    latest_invoice: idOf(s.latest_invoice as string | { id: string } | null),
    created: s.created,
  };
}

/** Statuses in which a subscription still bills (or is about to): a second one to the same price is a twin. */
export const LIVE_SUBSCRIPTION_STATUSES: ReadonlySet<string> = new Set(['active', 'trialing', 'past_due', 'unpaid', 'paused', 'incomplete']);

/** "2026-11-26" from Unix seconds (UTC), or "-" for null. */
export function formatDate(seconds: number | null | undefined): string {
  return seconds == null ? '-' : new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** "2026-11-26 18:58 UTC" from Unix seconds. */
export function formatDateTime(seconds: number | null | undefined): string {
  return seconds == null ? '-' : `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One-line summary of a subscription's prices: lookup keys where known, price ids otherwise. */
export function describeItems(view: SubscriptionView): string {
  return view.items.map((i) => i.lookup_key ?? i.price).join(', ') || '(no items)';
}

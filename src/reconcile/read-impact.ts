/**
 * Reads the usage that plan impact prices, one call per subscription through the caller's rate
 * limiter. `current`: the meter's total for the customer over the item's current period so far, or
 * the item's quantity for a licensed price. `last`: the last closed period, as its invoice billed it
 * (the lines of the old price whose period ends where the current one starts: a metered line is on
 * the renewal invoice, a licensed one, billed in advance, on the invoice before); without such an
 * invoice, the meter's total over that period (licensed: the quantity).
 */
import type Stripe from 'stripe';
import type { StripeClient } from '../stripe/client.js';
import type { SubscriptionUsage } from './impact.js';
import { NO_SDK_RETRIES, type Caller } from './resources/kind.js';

export type ImpactPeriod = 'current' | 'last';

export interface ReadImpactOptions {
  client: StripeClient;
  call: Caller;
  /** Default current. */
  period?: ImpactPeriod;
  /** Called after each subscription's usage is read. */
  onProgress?: (done: number, total: number) => void;
}

// Stripe summarises whole minutes: both ends round down, as `usage summary` does (a period starting
// mid-minute loses the seconds before it, which only events sent before the subscription could use).
const minute = (t: number) => Math.floor(t / 60) * 60;

export async function readImpactUsage(options: ReadImpactOptions, subscriptionsByPrice: Record<string, Stripe.Subscription[]>): Promise<Record<string, SubscriptionUsage[]>> {
  const { client, call, onProgress } = options;
  const read = options.period === 'last' ? lastPeriodUsageOf : usageOf;
  const total = Object.values(subscriptionsByPrice).reduce((n, subs) => n + subs.length, 0);
  let done = 0;
  const out: Record<string, SubscriptionUsage[]> = {};
  await Promise.all(
    Object.entries(subscriptionsByPrice).map(async ([priceId, subs]) => {
      out[priceId] = await Promise.all(
        subs.map(async (sub) => {
          const usage = await read(client, call, sub, priceId);
          onProgress?.(++done, total);
          return usage;
        }),
      );
    }),
  );
  return out;
}

function itemOn(sub: Stripe.Subscription, priceId: string): Stripe.SubscriptionItem {
  const item = sub.items.data.find((i) => i.price.id === priceId);
  if (!item) throw new Error(`subscription ${sub.id} was listed for price ${priceId} but has no item on it`);
  return item;
}

const customerOf = (sub: Stripe.Subscription) => (typeof sub.customer === 'string' ? sub.customer : sub.customer.id);

async function meterTotal(client: StripeClient, call: Caller, item: Stripe.SubscriptionItem, customer: string, start: number, end: number): Promise<number> {
  // Only called for metered items (isMetered), which have a meter.
  const meter = item.price.recurring?.meter ?? '';
  const from = minute(start);
  const to = Math.max(minute(end), from + 60);
  const summaries = await call(() => client.billing.meters.listEventSummaries(meter, { customer, start_time: from, end_time: to, limit: 1 }, NO_SDK_RETRIES));
  return summaries.data.reduce((n, s) => n + s.aggregated_value, 0);
}

const isMetered = (item: Stripe.SubscriptionItem) => item.price.recurring?.usage_type === 'metered' && Boolean(item.price.recurring.meter);

async function usageOf(client: StripeClient, call: Caller, sub: Stripe.Subscription, priceId: string): Promise<SubscriptionUsage> {
  const item = itemOn(sub, priceId);
  const customer = customerOf(sub);
  const period = { current_period_start: item.current_period_start, current_period_end: item.current_period_end };
  if (!isMetered(item)) return { id: sub.id, customer, ...period, quantity: item.quantity ?? 0 };
  return { id: sub.id, customer, ...period, quantity: await meterTotal(client, call, item, customer, period.current_period_start, period.current_period_end) };
}

const linePrice = (line: Stripe.InvoiceLineItem) => {
  const p = line.pricing?.price_details?.price;
  return typeof p === 'string' ? p : p?.id;
};

/** The start of the period before the one starting at `end`, anchored like the subscription's periods. */
export function previousPeriodStart(end: number, anchor: number, interval: Stripe.Price.Recurring.Interval, count: number): number {
  if (interval === 'day' || interval === 'week') return end - count * (interval === 'day' ? 86_400 : 604_800);
  const at = new Date(end * 1000);
  const months = interval === 'year' ? 12 * count : count;
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(new Date(anchor * 1000).getUTCDate(), lastDay);
  return Date.UTC(year, month, day, at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()) / 1000;
}

async function lastPeriodUsageOf(client: StripeClient, call: Caller, sub: Stripe.Subscription, priceId: string): Promise<SubscriptionUsage> {
  const item = itemOn(sub, priceId);
  const customer = customerOf(sub);
  const base = { id: sub.id, customer, current_period_start: item.current_period_start, current_period_end: item.current_period_end };
  const end = item.current_period_start;
  if (sub.start_date >= end) return { ...base, quantity: 0, closed: null };
  const invoices = await call(() => client.invoices.list({ subscription: sub.id, limit: 10 }, NO_SDK_RETRIES));
  for (const inv of invoices.data) {
    if (inv.status === 'void') continue;
    const lines = inv.lines.data.filter((l) => linePrice(l) === priceId && l.period.end === end);
    if (lines.length === 0) continue;
    return {
      ...base,
      quantity: lines.reduce((n, l) => n + (l.quantity ?? 0), 0),
      closed: { start: Math.min(...lines.map((l) => l.period.start)), end, billed: lines.reduce((n, l) => n + l.amount, 0), invoice: inv.id },
    };
  }
  const recurring = item.price.recurring!;
  const start = Math.max(sub.start_date, previousPeriodStart(end, sub.billing_cycle_anchor, recurring.interval, recurring.interval_count));
  const quantity = isMetered(item) ? await meterTotal(client, call, item, customer, start, end) : (item.quantity ?? 0);
  return { ...base, quantity, closed: { start, end, invoice: null } };
}

/**
 * Fetching what `usage summary` shows: the customer's billing period on the meter, the price to
 * estimate the cost with, and the summaries (one ungrouped for the exact total, one grouped for
 * the windows). Rendering is in the command.
 */
import type Stripe from 'stripe';
import type { PricingConfig } from '../config/model.js';
import { LIVE_SUBSCRIPTION_STATUSES } from '../customers/views.js';
import type { StripeClient } from '../stripe/client.js';
import type { MeterInfo } from './meters.js';

export interface MeteredItem {
  subscription: string;
  price: Stripe.Price;
  from: number;
  to: number;
}

/** The customer's live subscription item on a price attached to this meter, with its current period. */
export async function findMeteredItem(stripe: StripeClient, customer: string, meterId: string): Promise<MeteredItem | undefined> {
  const subs = await stripe.subscriptions.list({ customer, limit: 100 }).autoPagingToArray({ limit: 1000 });
  for (const s of subs) {
    if (!LIVE_SUBSCRIPTION_STATUSES.has(s.status)) continue;
    for (const item of s.items?.data ?? []) {
      const price = item.price;
      if (price?.recurring?.meter !== meterId) continue;
      const from = item.current_period_start;
      const to = item.current_period_end;
      if (typeof from === 'number' && typeof to === 'number') return { subscription: s.id, price, from, to };
    }
  }
  return undefined;
}

/**
 * The price to estimate with when the customer has no subscription on the meter: pricing.yaml's
 * price on that meter (by lookup key in Stripe), else the meter's only active price in Stripe.
 */
export async function findMeterPrice(stripe: StripeClient, meter: MeterInfo, pricing: PricingConfig | undefined): Promise<{ price?: Stripe.Price; note?: string }> {
  const prices = await stripe.prices.list({ active: true, recurring: { meter: meter.id }, limit: 100, expand: ['data.tiers'] }).autoPagingToArray({ limit: 1000 });
  if (!prices.length) return { note: `no active price uses meter ${meter.eventName}, so there is no cost estimate` };
  const wanted = new Set<string>();
  for (const product of Object.values(pricing?.products ?? {})) {
    for (const p of Object.values(product.prices)) if (p.meter && p.meter === meter.key && p.active) wanted.add(p.lookup_key);
  }
  const fromConfig = prices.find((p) => p.lookup_key && wanted.has(p.lookup_key));
  if (fromConfig) return { price: fromConfig };
  if (prices.length === 1) return { price: prices[0] };
  const chosen = [...prices].sort((a, b) => a.created - b.created)[0];
  return { price: chosen, note: `${prices.length} prices use meter ${meter.eventName}; the estimate uses ${chosen.lookup_key ?? chosen.id}` };
}

export interface SummaryWindow {
  start: number;
  end: number;
  value: number;
}

export async function fetchTotal(stripe: StripeClient, meterId: string, customer: string, from: number, to: number): Promise<number> {
  const list = await stripe.billing.meters.listEventSummaries(meterId, { customer, start_time: from, end_time: to }).autoPagingToArray({ limit: 10 });
  return list.reduce((n, s) => n + s.aggregated_value, 0);
}

/** Every window, oldest first (Stripe pages them newest first). */
export async function fetchWindows(stripe: StripeClient, meterId: string, customer: string, from: number, to: number, grouping: 'hour' | 'day'): Promise<SummaryWindow[]> {
  const list = await stripe.billing.meters
    .listEventSummaries(meterId, { customer, start_time: from, end_time: to, value_grouping_window: grouping, limit: 100 })
    .autoPagingToArray({ limit: 10_000 });
  return list.map((s) => ({ start: s.start_time, end: s.end_time, value: s.aggregated_value })).sort((a, b) => a.start - b.start);
}

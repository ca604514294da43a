/**
 * What a plan's price replaces and archives cost the subscriptions on those prices, in money: each
 * subscription's usage this period (licensed items: their quantity) priced under the old price and
 * under the new one, with the same math as invoices (core/price-cost.ts). Pure: the usage is read
 * by read-impact.ts and attached to an already computed plan, so computePlan never sees it.
 */
import type Stripe from 'stripe';
import type { PricingConfig } from '../config/model.js';
import { priceCost, priceLikeFromSpec, type PriceLike } from '../core/price-cost.js';
import type { Change, ChangeImpact, Plan } from './types.js';

/** One live subscription on a price leaving service, with the usage of its item on that price. */
export interface SubscriptionUsage {
  id: string;
  customer: string;
  current_period_start: number;
  current_period_end: number;
  /** Metered: the meter's total over the period so far; licensed: the item's quantity. */
  quantity: number;
  /**
   * Basis last_period only: the closed period the quantity is from, what its invoice billed for it
   * (absent: no invoice, priced here) and that invoice; null when the subscription has no closed period yet.
   */
  closed?: { start: number; end: number; billed?: number; invoice: string | null } | null;
}

const specByLookupKey = (desired: PricingConfig, key: string) => {
  for (const product of Object.values(desired.products)) for (const spec of Object.values(product.prices)) if (spec.lookup_key === key) return spec;
  return undefined;
};

/** A stored price as the cost math needs it (the SDK's tiers say `up_to: null` for the last tier). */
const priceLikeOf = (p: Stripe.Price): PriceLike => ({
  currency: p.currency,
  billing_scheme: p.billing_scheme,
  unit_amount: p.unit_amount,
  unit_amount_decimal: p.unit_amount_decimal,
  tiers: p.tiers ?? null,
  tiers_mode: p.tiers_mode,
  transform_quantity: p.transform_quantity,
  recurring: p.recurring,
});

/** The impact of one change, or undefined when it takes no price with subscriptions out of service. */
export function impactOf(change: Change, oldPrice: Stripe.Price | undefined, all: SubscriptionUsage[], desired: PricingConfig): ChangeImpact | undefined {
  if (change.type !== 'price' || (change.action !== 'replace' && change.action !== 'archive') || !oldPrice || all.length === 0) return undefined;
  const basis = all.some((u) => u.closed !== undefined) ? 'last_period' : 'current_period';
  // Subscriptions still in their first period have no closed period to price.
  const usage = all.filter((u) => u.closed !== null);
  const spec = change.action === 'replace' ? specByLookupKey(desired, change.key) : undefined;
  const notes: string[] = [];
  let next: PriceLike | undefined = spec ? priceLikeFromSpec(spec) : undefined;
  if (next && next.currency !== oldPrice.currency) {
    notes.push(`the new price is in ${next.currency.toUpperCase()}, the old one in ${oldPrice.currency.toUpperCase()}: no comparison`);
    next = undefined;
  }
  if (change.action === 'archive') notes.push('archived without a replacement: the subscriptions keep billing on it');
  const fresh = all.length - usage.length;
  if (fresh) notes.push(`${fresh} subscription${fresh === 1 ? ' is' : 's are'} still in the first period: no closed period to price`);
  const old = priceLikeOf(oldPrice);
  let before = 0n;
  let after = 0n;
  const subscriptions = usage.map((u) => {
    // What the invoice billed, where there is one: the old price's figure is Stripe's own.
    const b = BigInt(u.closed?.billed ?? priceCost(old, u.quantity).amount);
    const a = next ? BigInt(priceCost(next, u.quantity).amount) : undefined;
    before += b;
    if (a !== undefined) after += a;
    const closed = u.closed ? { period_start: u.closed.start, period_end: u.closed.end, invoice: u.closed.invoice } : {};
    return { id: u.id, customer: u.customer, current_period_end: u.current_period_end, quantity: u.quantity, before: Number(b), after: a === undefined ? null : Number(a), ...closed };
  });
  if (usage.length === 0) return { basis, currency: oldPrice.currency, subscriptions: [], before: 0, after: next ? 0 : null, delta: next ? 0 : null, notes };
  return {
    basis,
    currency: oldPrice.currency,
    subscriptions,
    before: Number(before),
    after: next ? Number(after) : null,
    delta: next ? Number(after - before) : null,
    ...(notes.length ? { notes } : {}),
  };
}

/** The plan with each price change's impact attached (a new plan; the input is not changed). */
export function withImpact(plan: Plan, prices: Stripe.Price[], usageByPrice: Record<string, SubscriptionUsage[]>, desired: PricingConfig): Plan {
  const byId = new Map(prices.map((p) => [p.id, p]));
  const changes = plan.changes.map((c) => {
    const impact = c.id ? impactOf(c, byId.get(c.id), usageByPrice[c.id] ?? [], desired) : undefined;
    return impact ? { ...c, impact } : c;
  });
  return { ...plan, changes };
}

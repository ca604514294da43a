/**
 * The upcoming invoice as a support engineer quotes it: each line's usage, the price math that turns
 * it into money (src/core/price-cost.ts), and the total in the invoice currency.
 */
import type Stripe from 'stripe';
import { formatMoney } from '../core/money.js';
import { priceCost } from '../core/price-cost.js';
import { formatDate } from './views.js';
import { renderCreditLine, sumCredits, type CreditKind } from './credit-applied.js';

export interface PreviewLineView {
  description: string | null;
  price: string | null;
  lookup_key: string | null;
  product: string | null;
  usage_type: string | null;
  /** The line's quantity at full precision (usage for metered prices, before transform_quantity). */
  quantity: string | null;
  /** What the price multiplies: packages for package prices, else the quantity. */
  billed_quantity: string | null;
  unit: string;
  /** Stripe's line amount, minor units. */
  amount: number;
  /** Our price math on the line's quantity, minor units (null when the line has no price). */
  computed_amount: string | null;
  explanation: string | null;
  period: { start: number; end: number } | null;
}

export interface InvoicePreviewView {
  subscription: string | null;
  currency: string;
  period: { start: number; end: number };
  lines: PreviewLineView[];
  /** True when Stripe returned only the first page of lines. */
  lines_truncated: boolean;
  subtotal: number;
  /** Billing credits taken off the metered lines (minor units), before tax. */
  credits: number;
  /** The category of the grants that pay (`mixed`: both kinds), null without credit. */
  credit_kind: CreditKind | null;
  total: number;
  amount_due: number;
}

export interface PriceInfo {
  price: Stripe.Price;
  /** Plural noun for the price's quantity. */
  unit: string;
}

const priceIdOfLine = (line: Stripe.InvoiceLineItem): string | null => {
  const p = line.pricing?.price_details?.price;
  return p == null ? null : typeof p === 'string' ? p : p.id;
};

/** The prices (with product, and a unit name) of every line, one retrieve per distinct price. */
export async function loadLinePrices(stripe: Stripe, invoice: Stripe.Invoice): Promise<Map<string, PriceInfo>> {
  const ids = [...new Set(invoice.lines.data.map(priceIdOfLine).filter((id): id is string => id !== null))];
  const out = new Map<string, PriceInfo>();
  for (const id of ids) {
    // `tiers` is sent only when expanded; the explanation of a tiered line needs it.
    const price = await stripe.prices.retrieve(id, { expand: ['product', 'tiers'] });
    out.set(id, { price, unit: await unitName(stripe, price) });
  }
  return out;
}

/**
 * How a price's unit is named in cost explanations (the invoice preview's and `usage summary`'s):
 * the product's unit label when set, else the meter's display name for a metered price (give
 * `meterName` when it is known), else "seats" or "units".
 */
export async function unitName(stripe: Stripe, price: Stripe.Price, meterName?: string): Promise<string> {
  try {
    const product = typeof price.product === 'string' ? await stripe.products.retrieve(price.product) : price.product;
    if (!product.deleted && product.unit_label) return product.unit_label;
    const meter = price.recurring?.meter;
    if (meter) return meterName || (await stripe.billing.meters.retrieve(meter)).display_name;
  } catch {
    return 'units'; // a name is a nicety; the numbers do not depend on it
  }
  return price.recurring?.usage_type === 'licensed' ? 'seats' : 'units';
}

/** `creditKind` is credit-applied.ts's answer for this invoice (it needs Stripe calls, so the caller makes them). */
export function previewView(invoice: Stripe.Invoice, prices: ReadonlyMap<string, PriceInfo>, creditKind: CreditKind | null = null): InvoicePreviewView {
  const lines = invoice.lines.data.map((line): PreviewLineView => {
    const priceId = priceIdOfLine(line);
    const info = priceId ? prices.get(priceId) : undefined;
    const quantity = line.quantity_decimal != null ? String(line.quantity_decimal) : line.quantity != null ? String(line.quantity) : null;
    const product = info && typeof info.price.product === 'object' ? (info.price.product as Stripe.Product) : undefined;
    const cost = info && quantity !== null ? safeCost(info, quantity) : undefined;
    return {
      description: line.description ?? null,
      price: priceId,
      lookup_key: info?.price.lookup_key ?? null,
      product: product?.name ?? (typeof info?.price.product === 'string' ? info.price.product : null),
      usage_type: info?.price.recurring?.usage_type ?? null,
      quantity,
      billed_quantity: cost?.billedQuantity ?? null,
      unit: info?.unit ?? 'units',
      amount: line.amount,
      computed_amount: cost?.amount ?? null,
      explanation: cost?.explanation ?? null,
      period: line.period ? { start: line.period.start, end: line.period.end } : null,
    };
  });
  const starts = lines.map((l) => l.period?.start).filter((n): n is number => n !== undefined);
  const ends = lines.map((l) => l.period?.end).filter((n): n is number => n !== undefined);
  const sub = invoice.parent?.subscription_details?.subscription;
  return {
    subscription: sub == null ? null : typeof sub === 'string' ? sub : sub.id,
    currency: invoice.currency,
    period: starts.length ? { start: Math.min(...starts), end: Math.max(...ends) } : { start: invoice.period_start, end: invoice.period_end },
    lines,
    lines_truncated: Boolean(invoice.lines.has_more),
    subtotal: invoice.subtotal,
    credits: sumCredits(invoice.total_pretax_credit_amounts),
    credit_kind: creditKind,
    total: invoice.total,
    amount_due: invoice.amount_due,
  };
}

function safeCost(info: PriceInfo, quantity: string) {
  try {
    return priceCost(info.price, quantity, { unitLabel: info.unit });
  } catch {
    return undefined; // e.g. a custom-amount price: show Stripe's amount without the math
  }
}

/** Human lines for one preview. */
export function renderPreview(view: InvoicePreviewView): string[] {
  const money = (n: number | string) => formatMoney(String(n), view.currency);
  const out = [`  period  ${formatDate(view.period.start)} → ${formatDate(view.period.end)}`];
  for (const line of view.lines) {
    const name = line.product ? `${line.product}${line.lookup_key ? ` (${line.lookup_key})` : ''}` : line.description ?? line.price ?? 'line';
    out.push(`  ${name}: ${money(line.amount)}`);
    if (line.explanation) out.push(`    ${line.explanation}`);
    if (line.computed_amount !== null && line.computed_amount !== String(line.amount)) {
      out.push(`    note: Stripe's amount differs from the price math (${money(line.computed_amount)}): proration, discount or a partial period`);
    }
  }
  if (view.lines.length === 0) out.push('  (no lines)');
  if (view.lines_truncated) out.push('  (more lines on the invoice than shown)');
  if (view.credits > 0) out.push(`  ${renderCreditLine({ usage: view.subtotal, credit: view.credits, due: view.total, currency: view.currency, kind: view.credit_kind })}`);
  else if (view.subtotal !== view.total) out.push(`  subtotal  ${money(view.subtotal)}`);
  out.push(`  total  ${money(view.total)} ${view.currency.toUpperCase()}`);
  if (view.amount_due !== view.total) out.push(`  amount due  ${money(view.amount_due)} (after credit balance)`);
  return out;
}

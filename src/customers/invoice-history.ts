/**
 * Issued invoices as support staff read them (`invoice list`, `invoice show`): status, period,
 * payment attempts and the next retry, each line's price math (the preview's), and whether each
 * metered line agrees with the meter event summaries of its period. The README documents the JSON.
 */
import type Stripe from 'stripe';
import { formatMoney, formatQuantity } from '../core/money.js';
import { previewView, type PreviewLineView, type PriceInfo } from './invoice-preview.js';
import { renderCreditLine, type CreditKind } from './credit-applied.js';
import { formatDate, formatDateTime } from './views.js';

export interface InvoiceView {
  id: string;
  number: string | null;
  customer: string;
  subscription: string | null;
  status: string | null;
  billing_reason: string | null;
  currency: string;
  /** Unix seconds: what the invoice bills (the closed period for a renewal). */
  period: { start: number; end: number };
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  created: number;
  attempt_count: number;
  /** Unix seconds of the next automatic payment attempt; null when none is scheduled. */
  next_payment_attempt: number | null;
  /** Unix seconds a draft will be finalized at. */
  automatically_finalizes_at: number | null;
  finalized_at: number | null;
  paid_at: number | null;
  test_clock: string | null;
}

export interface UsageCheck {
  meter: string;
  /** The line's usage (before transform_quantity), as a decimal string. */
  invoiced: string;
  /** The meter event summaries' total over the line's period. */
  summarized: string;
  agrees: boolean;
}

export interface InvoiceLineView extends PreviewLineView {
  /** Only for metered lines. */
  usage_check: UsageCheck | null;
}

export interface InvoiceDetailView extends InvoiceView {
  lines: InvoiceLineView[];
  lines_truncated: boolean;
  subtotal: number;
  /** Billing credits taken off the metered lines (minor units). */
  credits: number;
  credit_kind: CreditKind | null;
}

const idOf = (x: string | { id: string } | null | undefined): string | null => (x == null ? null : typeof x === 'string' ? x : x.id);

export function invoiceView(inv: Stripe.Invoice): InvoiceView {
  return {
    id: inv.id,
    number: inv.number ?? null,
    customer: idOf(inv.customer as string | { id: string } | null) ?? '',
    subscription: idOf(inv.parent?.subscription_details?.subscription as string | { id: string } | null | undefined),
    status: inv.status ?? null,
    billing_reason: inv.billing_reason ?? null,
    currency: inv.currency,
    period: { start: inv.period_start, end: inv.period_end },
    amount_due: inv.amount_due,
    amount_paid: inv.amount_paid,
    amount_remaining: inv.amount_remaining,
    created: inv.created,
    attempt_count: inv.attempt_count,
    next_payment_attempt: inv.next_payment_attempt ?? null,
    automatically_finalizes_at: inv.automatically_finalizes_at ?? null,
    finalized_at: inv.status_transitions?.finalized_at ?? null,
    paid_at: inv.status_transitions?.paid_at ?? null,
    test_clock: idOf(inv.test_clock as string | { id: string } | null),
  };
}

/** `checks` maps a line index to the summary total of its meter and period (metered lines only). */
export function invoiceDetailView(inv: Stripe.Invoice, prices: ReadonlyMap<string, PriceInfo>, checks: ReadonlyMap<number, { meter: string; total: number }>, creditKind: CreditKind | null = null): InvoiceDetailView {
  const preview = previewView(inv, prices, creditKind);
  const lines = preview.lines.map((line, i): InvoiceLineView => {
    const check = checks.get(i);
    if (!check) return { ...line, usage_check: null };
    const invoiced = line.quantity ?? '0';
    return { ...line, usage_check: { meter: check.meter, invoiced, summarized: String(check.total), agrees: Number(invoiced) === check.total } };
  });
  return { ...invoiceView(inv), lines, lines_truncated: preview.lines_truncated, subtotal: preview.subtotal, credits: preview.credits, credit_kind: preview.credit_kind };
}

/** Summary windows start and end on whole minutes: a period bound inside a minute rounds down. */
export const toMinute = (seconds: number): number => Math.floor(seconds / 60) * 60;

export function invoiceRows(views: InvoiceView[]): string[] {
  return views.map((v) =>
    [v.id, v.number ?? '(draft)', v.status ?? '-', `${formatDate(v.period.start)} → ${formatDate(v.period.end)}`, `${formatMoney(String(v.amount_due), v.currency)} ${v.currency.toUpperCase()}`, v.billing_reason ?? '-'].join('  '),
  );
}

/** What happens next with the money: paid, the next retry, or why nothing will be tried. */
export function paymentLine(v: InvoiceView): string {
  if (v.status === 'paid') return `paid ${formatDateTime(v.paid_at)}${v.attempt_count > 1 ? ` after ${v.attempt_count} attempts` : ''}`;
  if (v.status === 'draft') return `draft: finalized and charged ${v.automatically_finalizes_at ? `at ${formatDateTime(v.automatically_finalizes_at)}` : 'when finalized by hand (automatic finalization is off)'}`;
  if (v.status === 'open') {
    const attempts = `${v.attempt_count} failed attempt${v.attempt_count === 1 ? '' : 's'}`;
    return v.next_payment_attempt ? `open: ${attempts}, next retry ${formatDateTime(v.next_payment_attempt)}` : `open: ${attempts}, no retry scheduled (pay it with \`alpaca-billing invoice pay ${v.id} --payment-method pm_…\`)`;
  }
  return v.status ?? 'unknown status';
}

export function renderInvoice(v: InvoiceDetailView): string[] {
  const money = (n: number | string) => formatMoney(String(n), v.currency);
  const out = [
    `${v.id}  ${v.number ?? '(draft, no number yet)'}  ${v.status ?? '-'}  ${v.billing_reason ?? ''}`.trimEnd(),
    `  customer  ${v.customer}${v.subscription ? `  subscription ${v.subscription}` : ''}${v.test_clock ? `  test clock ${v.test_clock}` : ''}`,
    `  period  ${formatDateTime(v.period.start)} → ${formatDateTime(v.period.end)}`,
  ];
  for (const line of v.lines) {
    const name = line.product ? `${line.product}${line.lookup_key ? ` (${line.lookup_key})` : ''}` : line.description ?? line.price ?? 'line';
    out.push(`  ${name}: ${money(line.amount)}`);
    if (line.explanation) out.push(`    ${line.explanation}`);
    const check = line.usage_check;
    if (check) {
      out.push(
        check.agrees
          ? `    usage agrees with the meter event summaries for the period (${formatQuantity(check.summarized)} ${line.unit})`
          : `    usage DIFFERS from the meter event summaries: invoiced ${formatQuantity(check.invoiced)}, summaries now show ${formatQuantity(check.summarized)} ${line.unit} (usage reported after finalization, or cancelled events)`,
      );
    }
  }
  if (v.lines.length === 0) out.push('  (no lines)');
  if (v.lines_truncated) out.push('  (more lines on the invoice than shown)');
  if (v.credits > 0) out.push(`  ${renderCreditLine({ usage: v.subtotal, credit: v.credits, due: v.amount_due, currency: v.currency, kind: v.credit_kind })}`);
  out.push(`  total  ${money(v.amount_due)} ${v.currency.toUpperCase()}${v.amount_paid ? `  paid ${money(v.amount_paid)}` : ''}`);
  out.push(`  payment  ${paymentLine(v)}`);
  return out;
}

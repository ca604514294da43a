/**
 * The billing credit an invoice takes off its usage, as `invoice preview`, `invoice show` and
 * `usage summary` all say it: "$1,615.12 usage − $10.00 promotional credit = $1,605.12 due".
 */
import type Stripe from 'stripe';
import { formatMoney } from '../core/money.js';

/** A grant's category, or `mixed` when the credit came from grants of both kinds. */
export type CreditKind = 'promotional' | 'paid' | 'mixed';

type CreditAmount = Stripe.InvoiceLineItem.PretaxCreditAmount | Stripe.Invoice.TotalPretaxCreditAmount;

/** Billing credits (not discounts) in a list of pretax credit amounts, minor units. */
export function sumCredits(amounts: readonly CreditAmount[] | null | undefined): number {
  return (amounts ?? []).filter((c) => c.type === 'credit_balance_transaction').reduce((sum, c) => sum + c.amount, 0);
}

const idOf = (x: string | { id: string } | null | undefined) => (x == null ? null : typeof x === 'string' ? x : x.id);

/**
 * Which kind of credit paid: from the balance transactions of a finalized invoice, else (a preview,
 * where nothing is spent yet and Stripe gives no transaction) from the customer's grants in the
 * invoice's currency that are not voided. Null when no credit applies.
 */
export async function creditKind(stripe: Stripe, invoice: Stripe.Invoice): Promise<CreditKind | null> {
  const credits = (invoice.total_pretax_credit_amounts ?? []).filter((c) => c.type === 'credit_balance_transaction');
  if (!credits.length) return null;
  const customer = idOf(invoice.customer as string | { id: string } | null);
  if (!customer) return 'mixed';
  const grants = await stripe.billing.creditGrants.list({ customer, limit: 100 }).autoPagingToArray({ limit: 1000 });
  const txnIds = credits.map((c) => idOf(c.credit_balance_transaction));
  let categories: string[];
  if (txnIds.every((id): id is string => id !== null)) {
    const category = new Map(grants.map((g) => [g.id, g.category]));
    const txns = await Promise.all([...new Set(txnIds)].map((id) => stripe.billing.creditBalanceTransactions.retrieve(id)));
    categories = txns.map((t) => category.get(idOf(t.credit_grant) ?? '') ?? 'unknown');
  } else {
    categories = grants.filter((g) => g.voided_at === null && g.amount.monetary?.currency === invoice.currency).map((g) => g.category);
  }
  const kinds = new Set(categories);
  return kinds.size === 1 && (kinds.has('promotional') || kinds.has('paid')) ? ([...kinds][0] as CreditKind) : 'mixed';
}

const CREDIT_NAME: Record<CreditKind, string> = { promotional: 'promotional credit', paid: 'prepaid credit', mixed: 'billing credit' };

export interface CreditLineInput {
  /** Minor units before the credit, the credit, and what is left to pay. */
  usage: number | string;
  credit: number;
  due: number | string;
  currency: string;
  kind: CreditKind | null;
}

/** "$1,615.12 usage − $10.00 promotional credit = $1,605.12 due" */
export function renderCreditLine(c: CreditLineInput): string {
  const money = (n: number | string) => formatMoney(String(n), c.currency);
  return `${money(c.usage)} usage − ${money(c.credit)} ${CREDIT_NAME[c.kind ?? 'mixed']} = ${money(c.due)} due`;
}

export interface LineCredit extends CreditLineInput {
  usage: number;
  due: number;
}

/**
 * The credit the subscription's next invoice takes off one price's usage (`usage summary`): the
 * invoice preview's lines on that price, what credit they get, and what is left. Null without credit.
 */
export async function upcomingCreditOn(stripe: Stripe, customer: string, subscription: string, priceId: string): Promise<LineCredit | null> {
  const invoice = await stripe.invoices.createPreview({ customer, subscription });
  const lines = invoice.lines.data.filter((l) => idOf(l.pricing?.price_details?.price) === priceId);
  const credit = lines.reduce((sum, l) => sum + sumCredits(l.pretax_credit_amounts), 0);
  if (credit <= 0) return null;
  const usage = lines.reduce((sum, l) => sum + l.amount, 0);
  return { usage, credit, due: usage - credit, currency: invoice.currency, kind: await creditKind(stripe, invoice) };
}

import { found } from '../stripe/found.js';
import type Stripe from 'stripe';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import { loadLinePrices } from '../customers/invoice-preview.js';
import { invoiceDetailView, invoiceRows, invoiceView, paymentLine, renderInvoice, toMinute } from '../customers/invoice-history.js';
import { resolveCustomer } from '../customers/resolve.js';
import { creditKind } from '../customers/credit-applied.js';
import { fetchTotal } from '../usage/summary.js';

const STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'];

function checkInvoiceId(id: string): void {
  if (!/^in_[A-Za-z0-9]+$/.test(id)) throw new UserError(`'${id}' is not an invoice id (in_…).`, { hint: 'See the ids with `alpaca-billing invoice list --customer <customer>`.' });
}

async function retrieveInvoice(stripe: Stripe, id: string): Promise<Stripe.Invoice> {
  checkInvoiceId(id);
  const invoice = await found(stripe.invoices.retrieve(id));
  if (!invoice) throw new UserError(`No invoice '${id}' in this Stripe account.`);
  return invoice;
}

export interface InvoiceListOptions {
  customer?: string;
  subscription?: string;
  status?: string;
  limit?: number;
}

/** `invoice list [--customer C] [--subscription S] [--status S]`: newest first. Exit 0, 3 bad flags or unknown customer. */
export async function listInvoicesCommand(ctx: CommandContext, options: InvoiceListOptions): Promise<CommandResult> {
  if (options.status !== undefined && !STATUSES.includes(options.status)) throw new UserError(`--status '${options.status}' is not an invoice status.`, { hint: `Use one of ${STATUSES.join(', ')}.` });
  if (options.subscription !== undefined && !/^sub_[A-Za-z0-9]+$/.test(options.subscription)) throw new UserError(`--subscription '${options.subscription}' is not a subscription id (sub_…).`);
  const limit = options.limit ?? 20;
  const stripe = await ctx.stripe();
  const customer = options.customer !== undefined ? (await resolveCustomer(stripe, options.customer)).id : undefined;
  const params: Stripe.InvoiceListParams = {
    ...(customer ? { customer } : {}),
    ...(options.subscription ? { subscription: options.subscription } : {}),
    ...(options.status ? { status: options.status as Stripe.InvoiceListParams.Status } : {}),
    limit: Math.min(limit, 100),
  };
  const invoices = (await stripe.invoices.list(params).autoPagingToArray({ limit })).map(invoiceView);
  return {
    data: { invoices },
    render: (out) => {
      if (invoices.length === 0) out.info('no invoices');
      for (const line of invoiceRows(invoices)) out.line(line);
    },
  };
}

/** Each metered line's meter and the summaries' total over its period (keyed by line index). */
async function usageChecks(stripe: Stripe, inv: Stripe.Invoice, prices: Awaited<ReturnType<typeof loadLinePrices>>): Promise<Map<number, { meter: string; total: number }>> {
  const checks = new Map<number, { meter: string; total: number }>();
  const customer = typeof inv.customer === 'string' ? inv.customer : inv.customer?.id;
  for (const [i, line] of inv.lines.data.entries()) {
    const priceId = line.pricing?.price_details?.price;
    const info = prices.get(typeof priceId === 'string' ? priceId : (priceId?.id ?? ''));
    const meter = info?.price.recurring?.meter;
    if (!meter || !customer || !line.period) continue;
    const start = toMinute(line.period.start);
    const end = toMinute(line.period.end);
    checks.set(i, { meter, total: end > start ? await fetchTotal(stripe, meter, customer, start, end) : 0 });
  }
  return checks;
}

/** `invoice show <in_…>`: lines with their math and a check against meter event summaries. Exit 0, 3 no such invoice. */
export async function showInvoiceCommand(ctx: CommandContext, _options: unknown, id: string): Promise<CommandResult> {
  const stripe = await ctx.stripe();
  const invoice = await retrieveInvoice(stripe, id);
  const prices = await loadLinePrices(stripe, invoice);
  const view = invoiceDetailView(invoice, prices, await usageChecks(stripe, invoice, prices), await creditKind(stripe, invoice));
  return { data: { invoice: view }, render: (out) => { for (const line of renderInvoice(view)) out.line(line); } };
}

export interface InvoicePayOptions {
  paymentMethod?: string;
}

/**
 * `invoice pay <in_…> [--payment-method pm_…]`: one payment attempt now (with the default method
 * without the flag). Exit 0 paid, 1 declined or another Stripe error, 3 bad flags or an invoice that is not open.
 */
export async function payInvoiceCommand(ctx: CommandContext, options: InvoicePayOptions, id: string): Promise<CommandResult> {
  if (options.paymentMethod !== undefined && !/^pm_[A-Za-z0-9_]+$/.test(options.paymentMethod)) throw new UserError(`--payment-method '${options.paymentMethod}' is not a payment method id (pm_…).`);
  const stripe = await ctx.stripe();
  const before = await retrieveInvoice(stripe, id);
  if (before.status !== 'open') throw new UserError(`Invoice ${id} is ${before.status}; only an open invoice can be paid.`, before.status === 'draft' ? { hint: 'A renewal draft is finalized and charged about an hour after the period ends.' } : undefined);
  const paid = invoiceView(await stripe.invoices.pay(id, options.paymentMethod ? { payment_method: options.paymentMethod } : {}));
  return { data: { invoice: paid }, render: (out) => out.line(`${paid.id}  ${paymentLine(paid)}`) };
}

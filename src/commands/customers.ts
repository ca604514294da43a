import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import type { Output } from '../output/output.js';
import { createCustomer, parseMetadataPairs } from '../customers/create.js';
import { customerDetail, customerRows, subscriptionRows } from '../customers/render.js';
import { resolveCustomer } from '../customers/resolve.js';
import { listCustomerSubscriptions } from '../customers/subscribe.js';
import { clockOf, customerView, formatDateTime, subscriptionView } from '../customers/views.js';

export interface CustomersCreateOptions {
  email?: string;
  name?: string;
  externalId?: string;
  metadata?: string[];
  testClock?: string;
}

/** `customers create`: exit 0 whether created or found (with --external-id), 3 on bad flags. */
export async function createCustomerCommand(ctx: CommandContext, options: CustomersCreateOptions): Promise<CommandResult> {
  const email = options.email?.trim();
  if (!email) throw new UserError('customers create needs --email.', { hint: 'e.g. --email ada@example.com' });
  if (!/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 512) throw new UserError(`--email '${email}' is not an email address.`);
  const externalId = options.externalId?.trim();
  if (options.externalId !== undefined && !externalId) throw new UserError('--external-id is empty.');
  if (externalId && externalId.length > 500) throw new UserError('--external-id is longer than the 500 characters Stripe allows in metadata.');
  if (externalId?.startsWith('cus_')) throw new UserError(`--external-id '${externalId}' looks like a Stripe customer id; use your own user id, so references stay unambiguous.`);
  const metadata = parseMetadataPairs(options.metadata);
  if (options.testClock !== undefined && !/^clock_[A-Za-z0-9]+$/.test(options.testClock)) throw new UserError(`--test-clock '${options.testClock}' is not a test clock id (clock_…).`, { hint: 'Create one with `alpaca-billing clock create`.' });
  if (options.testClock !== undefined && ctx.mode() === 'live') throw new UserError('--test-clock works only in test mode; refusing with a live key.');

  const stripe = await ctx.stripe();
  const { customer, created, sameEmail } = await createCustomer(stripe, { email, name: options.name, externalId, metadata, testClock: options.testClock });
  const view = customerView(customer, await clockOf(stripe, customer));
  const render = (out: Output) => {
    if (created) out.line(`created customer ${view.id}  ${view.email}${view.external_id ? `  (external id ${view.external_id})` : ''}${view.test_clock ? `  on test clock ${view.test_clock} (now ${formatDateTime(view.test_clock_time)})` : ''}`);
    else out.line(`customer ${view.id} already has external id ${view.external_id}; returned it, created nothing`);
    if (!created && (view.email !== email || (options.name !== undefined && view.name !== options.name))) {
      out.warn(`the existing customer's details differ from the flags (email ${view.email ?? '-'}, name ${view.name ?? '-'}); they were not changed`);
    }
    if (sameEmail.length) out.warn(`${sameEmail.map((c) => c.id).join(', ')} already ${sameEmail.length === 1 ? 'uses' : 'use'} ${email}; looking customers up by this email will be ambiguous`);
  };
  return { data: { created, customer: view }, render };
}

export interface CustomersListOptions {
  email?: string;
  limit?: number;
}

export async function listCustomersCommand(ctx: CommandContext, options: CustomersListOptions): Promise<CommandResult> {
  const limit = options.limit ?? 10;
  const stripe = await ctx.stripe();
  const customers = await stripe.customers.list({ ...(options.email ? { email: options.email } : {}), limit: Math.min(limit, 100) }).autoPagingToArray({ limit });
  const views = customers.map((c) => customerView(c));
  return {
    data: { customers: views },
    render: (out) => {
      if (views.length === 0) out.info(options.email ? `no customer has email ${options.email} (the match is exact and case-sensitive)` : 'no customers');
      for (const line of customerRows(views)) out.line(line);
    },
  };
}

export async function showCustomerCommand(ctx: CommandContext, _options: unknown, ref: string): Promise<CommandResult> {
  const stripe = await ctx.stripe();
  const customer = await resolveCustomer(stripe, ref);
  const subscriptions = (await listCustomerSubscriptions(stripe, customer.id)).map(subscriptionView);
  const view = customerView(customer, await clockOf(stripe, customer));
  const render = (out: Output) => {
    for (const line of customerDetail(view)) out.line(line);
    out.line();
    if (subscriptions.length === 0) out.line('no subscriptions (subscribe with `alpaca-billing subscribe <customer> --price <lookup_key>`)');
    else {
      out.line(`subscriptions (${subscriptions.length}):`);
      for (const line of subscriptionRows(subscriptions)) out.line(`  ${line}`);
    }
  };
  return { data: { customer: view, subscriptions }, render };
}

/**
 * Turns what a user typed for a customer (a `cus_…` id, an email, or our external id) into one
 * Stripe customer, or a UserError that says why not. Emails use the list endpoint (strongly
 * consistent, exact and case-sensitive match); external ids live in `metadata.external_id`, which
 * only search can filter on (eventually consistent: a customer created seconds ago may not show yet).
 */
import { found } from '../stripe/found.js';
import type Stripe from 'stripe';
import { UserError } from '../errors.js';

export type CustomerRefKind = 'id' | 'email' | 'external_id';

export const EXTERNAL_ID_KEY = 'external_id';

/** How a reference will be looked up: ids start with `cus_`, emails contain `@`, anything else is an external id. */
export function customerRefKind(ref: string): CustomerRefKind {
  if (/^cus_[A-Za-z0-9]+$/.test(ref)) return 'id';
  if (/^[^@\s]+@[^@\s]+$/.test(ref)) return 'email';
  return 'external_id';
}

/** A search-query string literal: Stripe's query language escapes quotes with a backslash. */
export function quoteSearchValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function externalIdQuery(externalId: string): string {
  return `metadata['${EXTERNAL_ID_KEY}']:${quoteSearchValue(externalId)}`;
}

/** Every live (not deleted) customer with this exact email, newest first (at most 100). */
export async function findCustomersByEmail(stripe: Stripe, email: string): Promise<Stripe.Customer[]> {
  const page = await stripe.customers.list({ email, limit: 100 });
  return page.data.filter((c) => c.email === email);
}

/** Every customer whose metadata.external_id is exactly `externalId` (via search). */
export async function findCustomersByExternalId(stripe: Stripe, externalId: string): Promise<Stripe.Customer[]> {
  const page = await stripe.customers.search({ query: externalIdQuery(externalId), limit: 100 });
  return page.data.filter((c) => c.metadata?.[EXTERNAL_ID_KEY] === externalId);
}

/** Aligned candidate lines for an ambiguity error: id, email, name, external id, creation date. */
function describeCandidates(found: readonly Stripe.Customer[]): string[] {
  const rows = found.map((c) => [c.id, c.email ?? '(no email)', c.name ?? '-', c.metadata?.[EXTERNAL_ID_KEY] ? `external id ${c.metadata[EXTERNAL_ID_KEY]}` : '-', `created ${new Date(c.created * 1000).toISOString().slice(0, 10)}`]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
}

function pickOne(ref: string, what: string, found: Stripe.Customer[]): Stripe.Customer {
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new UserError(`No customer with ${what} '${ref}'.`, {
      hint: what.includes('external id')
        ? 'Customers are found by cus_ id, exact email, or metadata.external_id. A customer created in the last minute may not be searchable yet; use its cus_ id.'
        : 'Customers are found by cus_ id, exact email (case-sensitive), or metadata.external_id.',
    });
  }
  throw new UserError(`${found.length} customers have ${what} '${ref}'; refusing to guess:\n${describeCandidates(found).map((line) => `  ${line}`).join('\n')}`, {
    hint: 'Use the cus_ id of the one you mean.',
  });
}

/** Resolves a reference to exactly one customer; UserError (exit 3) when there is none or more than one. */
export async function resolveCustomer(stripe: Stripe, ref: string): Promise<Stripe.Customer> {
  const reference = ref.trim();
  if (!reference) throw new UserError('The customer reference is empty.', { hint: 'Pass a cus_ id, an email, or an external id.' });
  const kind = customerRefKind(reference);
  if (kind === 'id') {
    const customer = await found(stripe.customers.retrieve(reference));
    if (!customer) throw new UserError(`No customer '${reference}' in this Stripe account.`, { hint: 'Check the id and that the key belongs to the account (test or live) the customer lives in.' });
    if ('deleted' in customer && customer.deleted) throw new UserError(`Customer '${reference}' has been deleted.`);
    return customer as Stripe.Customer;
  }
  if (kind === 'email') {
    const byEmail = await findCustomersByEmail(stripe, reference);
    if (byEmail.length > 0) return pickOne(reference, 'email', byEmail);
    // External ids may look like emails (some systems use the email as the user id).
    const byExternalId = await findCustomersByExternalId(stripe, reference);
    return pickOne(reference, byExternalId.length > 0 ? 'external id' : 'email or external id', byExternalId);
  }
  return pickOne(reference, 'external id', await findCustomersByExternalId(stripe, reference));
}

/**
 * `resolveCustomer` remembered per distinct reference, for files naming the same customers on many
 * lines; an unknown or ambiguous reference is a reason (the line is rejected), a Stripe failure throws.
 */
export function customerResolver(stripe: Stripe): (reference: string) => Promise<{ id: string } | { reason: string }> {
  const found = new Map<string, Promise<{ id: string } | { reason: string }>>();
  return (reference) => {
    let answer = found.get(reference);
    if (!answer) {
      answer = resolveCustomer(stripe, reference).then(
        (c) => ({ id: c.id }),
        (err: unknown) => {
          if (err instanceof UserError) return { reason: `customer: ${err.message}` };
          throw err;
        },
      );
      found.set(reference, answer);
    }
    return answer;
  };
}

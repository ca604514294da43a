/**
 * Creating a customer without twins. With an external id the create is idempotent twice over: a
 * search finds a customer made earlier, and the create itself carries an idempotency key derived
 * from the external id, so two runs racing (or a run retried before search catches up, which can
 * take a minute) still make one customer for as long as Stripe keeps the key (at least 24 h).
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { UserError, isStripeSdkError } from '../errors.js';
import { EXTERNAL_ID_KEY, findCustomersByEmail, findCustomersByExternalId } from './resolve.js';

export interface CreateCustomerInput {
  email: string;
  name?: string;
  externalId?: string;
  metadata: Record<string, string>;
  /** A test clock to put the customer on (only at creation: Stripe never moves a customer). */
  testClock?: string;
}

export interface CreateCustomerResult {
  customer: Stripe.Customer;
  /** false: an existing customer with this external id was returned instead. */
  created: boolean;
  /** Other customers that already had this email (lookups by email will be ambiguous). */
  sameEmail: Stripe.Customer[];
}

/** Stable across runs and machines; hashed so any external id fits Stripe's 255-character key limit. */
export function customerIdempotencyKey(externalId: string): string {
  return `alpaca-billing-customer-${createHash('sha256').update(externalId).digest('hex').slice(0, 40)}`;
}

export async function createCustomer(stripe: Stripe, input: CreateCustomerInput): Promise<CreateCustomerResult> {
  if (input.externalId !== undefined) {
    const existing = await findCustomersByExternalId(stripe, input.externalId);
    if (existing.length > 1) {
      throw new UserError(`${existing.length} customers already have external id '${input.externalId}' (${existing.map((c) => c.id).join(', ')}); not creating another.`, {
        hint: 'Merge or delete the twins in the Dashboard, then refer to the survivor by its cus_ id.',
      });
    }
    if (existing.length === 1) return { customer: existing[0], created: false, sameEmail: [] };
  }
  const sameEmail = await findCustomersByEmail(stripe, input.email);
  const metadata = { ...input.metadata, ...(input.externalId !== undefined ? { [EXTERNAL_ID_KEY]: input.externalId } : {}) };
  const params: Stripe.CustomerCreateParams = {
    email: input.email,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
    ...(input.testClock !== undefined ? { test_clock: input.testClock } : {}),
  };
  try {
    const options = input.externalId !== undefined ? { idempotencyKey: customerIdempotencyKey(input.externalId) } : undefined;
    const customer = await stripe.customers.create(params, options);
    // A replayed key returns the customer the first run made: not a new one.
    const replayed = customer.lastResponse?.headers?.['idempotent-replayed'] === 'true';
    return { customer, created: !replayed, sameEmail: replayed ? [] : sameEmail };
  } catch (err) {
    if (isStripeSdkError(err) && (err.rawType === 'idempotency_error' || err.type === 'StripeIdempotencyError')) {
      throw new UserError(`A customer with external id '${input.externalId}' was created in the last 24 hours with different details, and is not searchable yet.`, {
        hint: 'Wait a minute and repeat the command (it will then return that customer), or look it up in the Dashboard.',
      });
    }
    throw err;
  }
}

/** Parses `--metadata k=v` pairs, checking Stripe's limits so the error names the flag, not a 400. */
export function parseMetadataPairs(pairs: readonly string[] | undefined): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? '' : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    if (eq <= 0) throw new UserError(`--metadata takes key=value, got '${pair}'.`);
    if (key.length > 40 || /[[\]]/.test(key)) throw new UserError(`--metadata key '${key}' is not allowed: keys are at most 40 characters, without [ or ].`);
    if (value.length > 500) throw new UserError(`--metadata value of '${key}' is ${value.length} characters; Stripe allows 500.`);
    if (key === EXTERNAL_ID_KEY) throw new UserError(`--metadata ${EXTERNAL_ID_KEY}=… is set by --external-id; use that flag.`);
    metadata[key] = value;
  }
  if (Object.keys(metadata).length > 49) throw new UserError('--metadata: Stripe allows 50 keys per customer (one is reserved for the external id).');
  return metadata;
}

import type Stripe from 'stripe';
import { COLLECTIONS } from '../collection-names.js';
import type { EmulatorCore } from '../core.js';
import type { Collection } from '../store.js';

/** Stored Checkout Session: the wire object plus the items it will subscribe to. */
export interface CheckoutSessionRecord {
  id: string;
  session: Stripe.Checkout.Session;
  items: Array<{ price: string; quantity?: number }>;
  subscriptionMetadata: Record<string, string>;
  subscriptionDescription?: string | null;
}

export function checkoutSessions(core: EmulatorCore): Collection<CheckoutSessionRecord> {
  return core.collection<CheckoutSessionRecord>(COLLECTIONS.checkoutSessions);
}

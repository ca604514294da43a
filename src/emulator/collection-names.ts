/**
 * Every collection of the emulator's store, named once. The names are the keys of `--state` files
 * (renaming one loses what users saved under the old name); each area's store opens its own
 * collections by these, and other areas go through that store rather than naming them again.
 */
export const COLLECTIONS = {
  // catalog/
  meters: 'billing.meters',
  products: 'products',
  prices: 'prices',
  // customers/
  customers: 'customers',
  paymentMethods: 'payment_methods',
  setupIntents: 'setup_intents',
  paymentIntents: 'payment_intents',
  // checkout/
  checkoutSessions: 'checkout_sessions',
  // billing/
  subscriptions: 'subscriptions',
  subscriptionSchedules: 'subscription_schedules',
  invoices: 'invoices',
  testClocks: 'test_clocks',
  creditGrants: 'billing.credit_grants',
  creditBalanceTransactions: 'billing.credit_balance_transactions',
  alerts: 'billing.alerts',
  // events/
  events: 'events',
  v2Events: 'v2_events',
  webhookEndpoints: 'webhook_endpoints',
} as const;

export type CollectionName = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];

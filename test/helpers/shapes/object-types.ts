/**
 * Which type of the `stripe` SDK describes each `object` value the emulator may answer with. A
 * response (or an event's `data.object`) whose `object` is missing here is itself a divergence, so
 * a new object type cannot escape the check: add it here, with the SDK's type for it.
 *
 * Values are TypeScript type expressions over the SDK's `Stripe` namespace. `DispatchByObject`
 * stands for "any object, checked by its own `object` field" (the items of a top-level list).
 */
export const OBJECT_TYPES: Record<string, string> = {
  account: 'Stripe.Account',
  'billing.alert': 'Stripe.Billing.Alert',
  'billing.alert_triggered': 'Stripe.Billing.AlertTriggered',
  'billing.credit_balance_summary': 'Stripe.Billing.CreditBalanceSummary',
  'billing.credit_balance_transaction': 'Stripe.Billing.CreditBalanceTransaction',
  'billing.credit_grant': 'Stripe.Billing.CreditGrant',
  'billing.meter': 'Stripe.Billing.Meter',
  'billing.meter_event': 'Stripe.Billing.MeterEvent',
  'billing.meter_event_adjustment': 'Stripe.Billing.MeterEventAdjustment',
  'billing.meter_event_summary': 'Stripe.Billing.MeterEventSummary',
  'checkout.session': 'Stripe.Checkout.Session',
  customer: 'Stripe.Customer | Stripe.DeletedCustomer',
  event: 'Stripe.Event',
  invoice: 'Stripe.Invoice | Stripe.DeletedInvoice',
  item: 'Stripe.LineItem',
  line_item: 'Stripe.InvoiceLineItem',
  list: 'Stripe.ApiList<DispatchByObject>',
  payment_intent: 'Stripe.PaymentIntent',
  payment_method: 'Stripe.PaymentMethod',
  plan: 'Stripe.Plan | Stripe.DeletedPlan',
  price: 'Stripe.Price | Stripe.DeletedPrice',
  product: 'Stripe.Product | Stripe.DeletedProduct',
  search_result: 'Stripe.ApiSearchResult<DispatchByObject>',
  setup_intent: 'Stripe.SetupIntent',
  subscription: 'Stripe.Subscription',
  subscription_item: 'Stripe.SubscriptionItem | Stripe.DeletedSubscriptionItem',
  subscription_schedule: 'Stripe.SubscriptionSchedule',
  'test_helpers.test_clock': 'Stripe.TestHelpers.TestClock | Stripe.TestHelpers.DeletedTestClock',
  'v2.billing.meter_event': 'Stripe.V2.Billing.MeterEvent',
  'v2.billing.meter_event_adjustment': 'Stripe.V2.Billing.MeterEventAdjustment',
  'v2.billing.meter_event_session': 'Stripe.V2.Billing.MeterEventSession',
  'v2.core.event': 'Stripe.V2.Core.Event',
  webhook_endpoint: 'Stripe.WebhookEndpoint | Stripe.DeletedWebhookEndpoint',
};

/** Types whose declared shape is open (`{}`) where the API puts any object: checked by its `object`. */
export const DISPATCH_TYPES = ['DispatchByObject', 'Event.Data.Object'];

/**
 * Fields Stripe sends only when the request expands them ("includable" in Stripe's API reference;
 * the SDK's comments do not say so, except `total_count`'s "Only present when `expand` …", which
 * the deriver also reads). Keyed by `object`.
 */
export const INCLUDABLE: Record<string, string[]> = {
  'checkout.session': ['line_items'],
  customer: ['cash_balance', 'invoice_credit_balance', 'sources', 'subscriptions', 'tax', 'tax_ids'],
  invoice: ['confirmation_secret', 'payments'],
  price: ['currency_options', 'tiers'],
};

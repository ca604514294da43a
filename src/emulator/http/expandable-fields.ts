// Generated from the stripe SDK's types by test/helpers/shapes/expandable.ts: do not edit.
// `UPDATE_EXPANDABLE=1 npm test -- test/emulator/expand.test.ts` rewrites it.

/** object → field path that `expand[]` may name (nested hashes as `a.b`) → the objects it expands to. */
export const EXPANDABLE: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  account: {
    'company.verification.document.back': ['file'],
    'company.verification.document.front': ['file'],
    'settings.branding.icon': ['file'],
    'settings.branding.logo': ['file'],
  },
  'billing.alert': {
    'usage_threshold.meter': ['billing.meter'],
  },
  'billing.credit_balance_summary': {
    customer: ['customer'],
  },
  'billing.credit_balance_transaction': {
    credit_grant: ['billing.credit_grant'],
    'credit.credits_application_invoice_voided.invoice': ['invoice'],
    'debit.credits_applied.invoice': ['invoice'],
    test_clock: ['test_helpers.test_clock'],
  },
  'billing.credit_grant': {
    customer: ['customer'],
    test_clock: ['test_helpers.test_clock'],
  },
  'checkout.session': {
    'automatic_tax.liability.account': ['account'],
    customer: ['customer'],
    invoice: ['invoice'],
    'invoice_creation.invoice_data.issuer.account': ['account'],
    line_items: ['list'],
    payment_intent: ['payment_intent'],
    payment_link: ['payment_link'],
    setup_intent: ['setup_intent'],
    'shipping_cost.shipping_rate': ['shipping_rate'],
    'shipping_options.shipping_rate': ['shipping_rate'],
    subscription: ['subscription'],
  },
  customer: {
    cash_balance: ['cash_balance'],
    default_source: ['account', 'bank_account', 'card', 'source'],
    invoice_credit_balance: [],
    'invoice_settings.default_payment_method': ['payment_method'],
    sources: ['list'],
    subscriptions: ['list'],
    tax: [],
    tax_ids: ['list'],
    test_clock: ['test_helpers.test_clock'],
  },
  invoice: {
    application: ['application'],
    'automatic_tax.liability.account': ['account'],
    confirmation_secret: [],
    customer: ['customer'],
    default_payment_method: ['payment_method'],
    default_source: ['account', 'bank_account', 'card', 'source'],
    discounts: ['discount'],
    'from_invoice.invoice': ['invoice'],
    'issuer.account': ['account'],
    latest_revision: ['invoice'],
    on_behalf_of: ['account'],
    'parent.subscription_details.subscription': ['subscription'],
    payments: ['list'],
    'shipping_cost.shipping_rate': ['shipping_rate'],
    test_clock: ['test_helpers.test_clock'],
  },
  line_item: {
    discounts: ['discount'],
    'pricing.price_details.price': ['price'],
    subscription: ['subscription'],
  },
  payment_intent: {
    application: ['application'],
    customer: ['customer'],
    latest_charge: ['charge'],
    on_behalf_of: ['account'],
    payment_method: ['payment_method'],
    payment_record: ['payment_record'],
    review: ['review'],
    source: ['account', 'bank_account', 'card', 'source'],
    'transfer_data.destination': ['account'],
  },
  payment_method: {
    'card.generated_from.setup_attempt': ['setup_attempt'],
    customer: ['customer'],
    'sepa_debit.generated_from.charge': ['charge'],
    'sepa_debit.generated_from.setup_attempt': ['setup_attempt'],
  },
  plan: {
    product: ['product'],
  },
  price: {
    currency_options: [],
    product: ['product'],
    tiers: [],
  },
  product: {
    default_price: ['price'],
    tax_code: ['tax_code'],
  },
  search_result: {
    total_count: [],
  },
  setup_intent: {
    application: ['application'],
    customer: ['customer'],
    latest_attempt: ['setup_attempt'],
    mandate: ['mandate'],
    on_behalf_of: ['account'],
    payment_method: ['payment_method'],
    single_use_mandate: ['mandate'],
  },
  subscription: {
    application: ['application'],
    'automatic_tax.liability.account': ['account'],
    'cancellation_details.feedback_option': ['billing.feedback_option'],
    customer: ['customer'],
    default_payment_method: ['payment_method'],
    default_source: ['account', 'bank_account', 'card', 'source'],
    discounts: ['discount'],
    'invoice_settings.issuer.account': ['account'],
    latest_invoice: ['invoice'],
    on_behalf_of: ['account'],
    pending_setup_intent: ['setup_intent'],
    schedule: ['subscription_schedule'],
    test_clock: ['test_helpers.test_clock'],
    'transfer_data.destination': ['account'],
  },
  subscription_item: {
    discounts: ['discount'],
  },
};

/** object → fields Stripe sends only when the request expands them. */
export const INCLUDABLE: Readonly<Record<string, readonly string[]>> = {
  'checkout.session': ['line_items'],
  customer: ['cash_balance', 'invoice_credit_balance', 'sources', 'subscriptions', 'tax', 'tax_ids'],
  invoice: ['confirmation_secret', 'payments'],
  price: ['currency_options', 'tiers'],
  search_result: ['total_count'],
};

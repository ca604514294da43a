/**
 * The demo's own pricing file: Alpaca AI's catalog, carried in the code so that `demo` runs from
 * any directory and never depends on (or touches) the pricing.yaml of the directory it runs in.
 * The story's last step edits the package amount (`package: { amount: 4,`) in a copy.
 */
export const DEMO_PRICING_YAML = `# Alpaca AI: 0.04 USD per 1,000 tokens, billed monthly in arrears.
version: 1
meters:
  tokens:                              # local key, referenced by prices
    display_name: Alpaca AI tokens
    event_name: alpaca_ai_tokens       # the meter's identity in Stripe; immutable
    aggregation: sum                   # sum | count | last
    # customer_key: stripe_customer_id # payload keys, Stripe's defaults when omitted
    # value_key: value
products:
  alpaca_ai:                           # used as the Stripe product id
    name: Alpaca AI
    description: Generative AI API
    unit_label: tokens                 # how invoices name a unit
    default_price: tokens_monthly
    prices:
      tokens_monthly:
        lookup_key: alpaca_ai_tokens_monthly   # the price's identity across replacements
        nickname: Tokens, monthly
        currency: usd
        interval: month
        meter: tokens
        package: { amount: 4, size: 1000, round: up }   # 4 cents per started 1,000 tokens
`;

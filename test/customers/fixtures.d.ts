import Stripe from 'stripe';
export interface Catalog {
    meter: Stripe.Billing.Meter;
    /** 4 cents per started 1,000 tokens (Alpaca AI). */
    tokens: Stripe.Price;
    /** 0.5 cents per token (a decimal unit amount). */
    perUnit: Stripe.Price;
    /** Graduated: first 1,000 free, then 0.5 cents (+ $5.00 once reached), then 0.25 cents after 10,000. */
    tiered: Stripe.Price;
    /** $10.00 per seat per month, licensed. */
    seats: Stripe.Price;
}
/** The catalog the customer tests subscribe to, created through the real SDK. */
export declare function createCatalog(stripe: Stripe): Promise<Catalog>;

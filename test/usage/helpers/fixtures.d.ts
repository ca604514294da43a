import type Stripe from 'stripe';
export declare function tempDir(prefix?: string): Promise<string>;
export declare function createMeter(stripe: Stripe, eventName?: string, formula?: 'sum' | 'count' | 'last'): Promise<Stripe.Billing.Meter>;
export declare function createCustomers(stripe: Stripe, n: number): Promise<string[]>;
export interface GeneratedUsage {
    text: string;
    /** Expected sum per customer. */
    totals: Record<string, number>;
    count: number;
}
/** `n` events spread over the customers and the last hours, with values 1..9; deterministic. */
export declare function generateUsage(customers: string[], n: number, options?: {
    nowSec?: number;
    format?: 'ndjson' | 'csv';
    meter?: string;
    withIdentifiers?: boolean;
}): GeneratedUsage;
export declare function writeUsage(dir: string, name: string, text: string): Promise<string>;
/** Sum of a customer's usage over the whole 35-day window, as Stripe's summaries report it. */
export declare function totalFor(stripe: Stripe, meterId: string, customer: string, nowSec?: number): Promise<number>;
export declare function totalsFor(stripe: Stripe, meterId: string, customers: string[]): Promise<Record<string, number>>;

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';

export async function tempDir(prefix = 'usg-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function createMeter(stripe: Stripe, eventName = 'api_tokens', formula: 'sum' | 'count' | 'last' = 'sum'): Promise<Stripe.Billing.Meter> {
  return stripe.billing.meters.create({ display_name: eventName, event_name: eventName, default_aggregation: { formula } });
}

export async function createCustomers(stripe: Stripe, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await stripe.customers.create({ email: `c${i}@example.com` })).id);
  return ids;
}

export interface GeneratedUsage {
  text: string;
  /** Expected sum per customer. */
  totals: Record<string, number>;
  count: number;
}

/** `n` events spread over the customers and the last hours, with values 1..9; deterministic. */
export function generateUsage(customers: string[], n: number, options: { nowSec?: number; format?: 'ndjson' | 'csv'; meter?: string; withIdentifiers?: boolean } = {}): GeneratedUsage {
  const now = options.nowSec ?? Math.floor(Date.now() / 1000);
  const totals: Record<string, number> = Object.fromEntries(customers.map((c) => [c, 0]));
  const lines: string[] = options.format === 'csv' ? [`customer,value,timestamp${options.withIdentifiers ? ',identifier' : ''}`] : [];
  for (let i = 0; i < n; i++) {
    const customer = customers[i % customers.length];
    const value = (i * 7) % 9 + 1;
    const timestamp = now - 3600 * 3 + ((i * 37) % 10_000);
    totals[customer] += value;
    if (options.format === 'csv') lines.push(`${customer},${value},${timestamp}${options.withIdentifiers ? `,id-${i}` : ''}`);
    else lines.push(JSON.stringify({ customer, value, timestamp, ...(options.meter ? { meter: options.meter } : {}), ...(options.withIdentifiers ? { identifier: `id-${i}` } : {}) }));
  }
  return { text: lines.join('\n') + '\n', totals, count: n };
}

export async function writeUsage(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Sum of a customer's usage over the whole 35-day window, as Stripe's summaries report it. */
export async function totalFor(stripe: Stripe, meterId: string, customer: string, nowSec = Math.floor(Date.now() / 1000)): Promise<number> {
  const end = Math.ceil((nowSec + 3600) / 3600) * 3600;
  const start = end - 36 * 86_400;
  const list = await stripe.billing.meters.listEventSummaries(meterId, { customer, start_time: start, end_time: end });
  return list.data.reduce((n, s) => n + s.aggregated_value, 0);
}

export async function totalsFor(stripe: Stripe, meterId: string, customers: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of customers) out[c] = await totalFor(stripe, meterId, c);
  return out;
}

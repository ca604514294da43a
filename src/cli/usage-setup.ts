/**
 * What the usage commands (and alerts) share: the optional pricing.yaml (for meter keys) and the meter
 * catalog. On the CLI side because it reads the context (settings, the guarded client).
 */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandContext } from './context.js';
import { loadPricing } from '../config/load.js';
import type { PricingConfig } from '../config/model.js';
import { UserError } from '../errors.js';
import type { StripeClient } from '../stripe/client.js';
import { buildCatalog, type MeterCatalog, type MeterInfo } from '../usage/meters.js';

/** pricing.yaml when there is one; a broken one is an error (exit 3), a missing one is fine. */
export async function loadPricingIfPresent(ctx: CommandContext): Promise<PricingConfig | undefined> {
  try {
    await access(resolve(ctx.cwd, ctx.settings.file));
  } catch {
    return undefined;
  }
  return (await loadPricing(ctx.settings.file, ctx.cwd)).config;
}

export async function listStripeMeters(stripe: StripeClient) {
  // A few more retries than the client's default: a bulk ingest should not fail on its first read.
  return await stripe.billing.meters.list({ limit: 100 }, { maxNetworkRetries: 5 }).autoPagingToArray({ limit: 10_000 });
}

/** The catalog from Stripe (and pricing.yaml keys); offline (no Stripe) only when `offline` is allowed and there is no key. */
export async function loadMeterCatalog(ctx: CommandContext, options: { offline?: boolean } = {}): Promise<{ catalog: MeterCatalog; stripe?: StripeClient }> {
  const pricing = await loadPricingIfPresent(ctx);
  if (options.offline && !ctx.settings.apiKey) return { catalog: buildCatalog(pricing, undefined) };
  const stripe = await ctx.stripe();
  return { catalog: buildCatalog(pricing, await listStripeMeters(stripe)), stripe };
}

/** `--meter` checked up front: a clear error naming the flag, exit 3. */
export function requireMeter(catalog: MeterCatalog, meter: string, flag = '--meter'): MeterInfo {
  const r = catalog.resolve(meter);
  if ('reason' in r) {
    throw new UserError(`${flag}: ${r.reason}`, { hint: 'Give a meter key of pricing.yaml or a meter event name (`alpaca-billing plan` shows them).' });
  }
  return catalog.byEvent(r.eventName)!;
}

/**
 * The only module that loads the `stripe` SDK at run time, and it does so lazily: commands that
 * never talk to Stripe (`--help`, `validate`, `schema`) never pay for it.
 */
import type Stripe from 'stripe';
import { VERSION } from '../cli/version.js';
import { UserError } from '../errors.js';

export type StripeClient = Stripe;

export interface StripeClientOptions {
  apiKey: string;
  /** e.g. `http://127.0.0.1:12111`: every base (v1, v2, the meter event stream) goes there. */
  apiBase?: string;
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

export interface ApiBaseParts {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

/** `source` names where the value came from (a flag, a variable, a profile) for the error message. */
export function parseApiBase(apiBase: string, source = '--api-base'): ApiBaseParts {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw new UserError(`${source} must be a URL such as http://127.0.0.1:12111, got '${apiBase}'.`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : undefined;
  if (!protocol) throw new UserError(`${source} must use http or https, got '${url.protocol}'.`);
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { host: url.hostname, port, protocol };
}

let sdk: typeof Stripe | undefined;

/** The SDK constructor, loaded once. */
export async function loadStripe(): Promise<typeof Stripe> {
  sdk ??= (await import('stripe')).default;
  return sdk;
}

export async function createStripeClient(options: StripeClientOptions): Promise<StripeClient> {
  const StripeSdk = await loadStripe();
  const base = options.apiBase ? parseApiBase(options.apiBase) : undefined;
  return new StripeSdk(options.apiKey, {
    apiVersion: StripeSdk.API_VERSION,
    telemetry: false,
    appInfo: { name: 'alpaca-billing', version: VERSION },
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 30_000,
    ...(base ? { host: base.host, port: base.port, protocol: base.protocol } : {}),
  });
}

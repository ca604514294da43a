import type { ResolvedOptions } from '../types.js';
import { StripeHttpError, authenticationError, parameterMissing } from './errors.js';

/** Shows enough of a key to recognise it, never the whole secret. */
export function maskKey(key: string): string {
  return key.length <= 12 ? `${key.slice(0, 3)}****` : `${key.slice(0, 8)}****${key.slice(-4)}`;
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (m) return m[1];
  // curl -u sk_test_…: sends Basic auth with the key as user name, as Stripe accepts.
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (basic) return Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] || undefined;
  return undefined;
}

/** Checks a secret key: any sk_test_/rk_test_ key, or exactly --api-key. Returns the key. */
export function authenticateSecret(header: string | undefined, options: ResolvedOptions): string {
  const key = bearerToken(header);
  if (!key) {
    throw authenticationError("You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
  }
  if (/^(sk|rk|pk)_live_/.test(key)) {
    throw authenticationError(`This is the offline Stripe emulator: it refuses live-mode keys (${maskKey(key)}). Use a test-mode key (sk_test_… or rk_test_…).`);
  }
  if (/^pk_test_/.test(key)) {
    throw authenticationError('This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.');
  }
  if (options.apiKey !== undefined ? key !== options.apiKey : !/^(sk|rk)_test_\w+/.test(key)) {
    throw authenticationError(`Invalid API Key provided: ${maskKey(key)}`);
  }
  return key;
}

/**
 * Checks the key of a client-side endpoint (an intent's retrieve and confirm): a secret key as
 * anywhere, or a publishable key (pk_test_…), which Stripe.js sends as the `key` form parameter so
 * that a browser's request needs no CORS preflight. The `key` parameter is taken out of the body.
 */
export function authenticateClient(header: string | undefined, body: Record<string, any>, options: ResolvedOptions): string {
  const fromBody = typeof body.key === 'string' ? body.key : undefined;
  delete body.key;
  const key = fromBody ?? bearerToken(header);
  if (key && /^pk_test_\w+/.test(key)) return key;
  return authenticateSecret(fromBody ? `Bearer ${fromBody}` : header, options);
}

export const isPublishableKey = (key: string): boolean => key.startsWith('pk_');

/** With a publishable key, the caller proves it may see the intent by its client secret. */
export function requireClientSecret(apiKey: string, given: unknown, secret: string | null, objectName: string): void {
  if (!isPublishableKey(apiKey)) return;
  if (given === undefined || given === '') throw parameterMissing('client_secret');
  if (given !== secret) {
    throw new StripeHttpError(400, {
      type: 'invalid_request_error',
      param: 'client_secret',
      message: `The client_secret provided does not match the client_secret associated with the ${objectName}.`,
    });
  }
}

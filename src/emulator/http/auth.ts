import type { ResolvedOptions } from '../types.js';
import { authenticationError } from './errors.js';

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
  if (options.apiKey !== undefined ? key !== options.apiKey : !/^(sk|rk)_test_\w+/.test(key)) {
    throw authenticationError(`Invalid API Key provided: ${maskKey(key)}`);
  }
  return key;
}

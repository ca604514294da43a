/**
 * Anything shaped like a Stripe secret never reaches output: secret and restricted keys and webhook
 * signing secrets are masked wherever they appear in a string. (Client secrets are not: handing
 * one to the front end is what `subscribe` is for.)
 */
const SECRET_PATTERNS: RegExp[] = [
  /\b(sk|rk)_(live|test)_[A-Za-z0-9]+/g,
  /\bwhsec_[A-Za-z0-9+/=_-]+/g,
];

export function redact(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match) => {
      const prefix = match.startsWith('whsec_') ? 'whsec_' : match.slice(0, match.indexOf('_', 3) + 1);
      return `${prefix}***`;
    });
  }
  return out;
}

/** Shows a key as `sk_test_…abcd` for headers that must say which key is in use. */
export function maskKey(key: string): string {
  const prefix = key.match(/^(sk|rk)_(live|test)_/)?.[0] ?? '';
  return `${prefix}…${key.slice(-4)}`;
}

export function isLiveKey(key: string): boolean {
  return /^(sk|rk)_live_/.test(key);
}

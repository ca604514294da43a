// Stripe's webhook signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with
// the whole `whsec_…` string. The SDK's constructEvent is the reference check (see tests).
import { createHmac, randomBytes } from 'node:crypto';

export function signPayload(payload: string, secret: string, timestampSec: number): string {
  const signature = createHmac('sha256', secret).update(`${timestampSec}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSec},v1=${signature}`;
}

/** A fresh endpoint secret; random even with --seed, since it is a credential. */
export function newWebhookSecret(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return `whsec_${[...randomBytes(32)].map((b) => alphabet[b % 62]).join('')}`;
}

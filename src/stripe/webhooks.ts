/**
 * Checks webhook deliveries with the SDK's own verifier (never a hand-rolled HMAC), so
 * `webhooks serve` accepts exactly what an application using stripe-node would accept.
 * Snapshot events go through `webhooks.constructEvent`, thin v2 notifications through
 * `parseEventNotification`. The secret stays inside the closure: it is never part of a message.
 */
import { isUtf8 } from 'node:buffer';
import type Stripe from 'stripe';
import { loadStripe } from './client.js';

/** The fields of a thin (v2) notification that are worth printing. */
export interface ThinNotification {
  id: string;
  object: 'v2.core.event';
  type: string;
  /** ISO 8601. */
  created: string;
  livemode: boolean;
  related_object?: { id?: string; type?: string; url?: string } | null;
}

export type VerifiedDelivery =
  | { kind: 'snapshot'; event: Stripe.Event }
  /** `fetchEvent` is there when an API key is configured (a thin notification carries no details). */
  | { kind: 'thin'; notification: ThinNotification; fetchEvent?: () => Promise<unknown> };

/** A delivery that failed verification; `reason` is safe to log (no secret, no body). */
export class WebhookRejection extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'WebhookRejection';
    this.reason = reason;
  }
}

export interface WebhookVerifierOptions {
  secret: string;
  /** Seconds; 0 turns the age check off, as in the SDK. */
  toleranceSeconds: number;
  /** A configured client: thin notifications then get a working `fetchEvent`. */
  client?: Stripe;
}

export type WebhookVerifier = (payload: Buffer, signatureHeader: string | undefined) => VerifiedDelivery;

function headerTimestamp(header: string): number | undefined {
  const t = header.split(',').map((p) => p.trim().split('=')).find(([k]) => k === 't')?.[1];
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
}

/** The SDK's messages are long and link to docs; a log line needs the gist. */
function explain(err: unknown, header: string, toleranceSeconds: number): string {
  const message = String((err as { message?: unknown })?.message ?? err).split('\n')[0].trim();
  if (err instanceof SyntaxError) return 'body is not JSON';
  if (message.startsWith('Unable to extract timestamp')) return 'malformed Stripe-Signature header (no timestamp)';
  if (message.startsWith('No signatures found with expected scheme')) return 'Stripe-Signature header has no v1 signature';
  if (message.startsWith('No signatures found matching')) return 'signature does not match (wrong secret, or the body was changed on the way)';
  if (message.startsWith('Timestamp outside the tolerance zone')) {
    const t = headerTimestamp(header);
    const age = t === undefined ? '' : ` (signed ${Math.floor(Date.now() / 1000) - t} s ago)`;
    return `timestamp older than the ${toleranceSeconds} s tolerance${age}`;
  }
  if (message.startsWith('No webhook secret')) return 'no webhook secret configured';
  return message || 'verification failed';
}

export async function createWebhookVerifier(options: WebhookVerifierOptions): Promise<WebhookVerifier> {
  const StripeSdk = await loadStripe();
  const { secret, toleranceSeconds } = options;
  // parseEventNotification needs an instance; without an API key, one that can verify but not fetch.
  const client = options.client ?? new StripeSdk(null as unknown as string, {
    authenticator: async () => {
      throw new Error('no API key configured');
    },
  });
  // parseEventNotification reads tolerance 0 as "default"; the age check is off only with a huge one.
  const thinTolerance = toleranceSeconds === 0 ? Number.MAX_SAFE_INTEGER : toleranceSeconds;

  return (payload, signatureHeader) => {
    if (!signatureHeader) throw new WebhookRejection('missing Stripe-Signature header');
    if (payload.length === 0) throw new WebhookRejection('empty body');
    // The SDK decodes the body before checking the signature, replacing invalid bytes: a body that
    // is not UTF-8 would then always read as "signature does not match", whoever signed it.
    if (!isUtf8(payload)) throw new WebhookRejection('body is not valid UTF-8 (Stripe sends UTF-8 JSON; this did not come from Stripe unchanged)');
    let object: unknown;
    try {
      object = (JSON.parse(payload.toString('utf8')) as { object?: unknown })?.object;
    } catch {
      object = undefined; // verification below decides; a signed non-JSON body is reported as such
    }
    try {
      if (object === 'v2.core.event') {
        const n = client.parseEventNotification(payload, signatureHeader, secret, thinTolerance) as unknown as ThinNotification & { fetchEvent(): Promise<unknown> };
        const notification: ThinNotification = {
          id: n.id,
          object: 'v2.core.event',
          type: n.type,
          created: n.created,
          livemode: n.livemode,
          ...(n.related_object ? { related_object: n.related_object } : {}),
        };
        return { kind: 'thin', notification, ...(options.client ? { fetchEvent: () => n.fetchEvent() } : {}) };
      }
      const event = StripeSdk.webhooks.constructEvent(payload, signatureHeader, secret, toleranceSeconds);
      return { kind: 'snapshot', event };
    } catch (err) {
      throw new WebhookRejection(explain(err, signatureHeader, toleranceSeconds));
    }
  };
}

/**
 * Sends batches of up to 100 events over Stripe's v2 meter event stream, authenticated with a
 * meter event session token. The session is shared by all requests in flight, renewed a minute
 * before it expires, and recreated at once when Stripe says it has expired. Failures that may be
 * transient (429, 409, 5xx, dropped connections) are retried with capped exponential backoff and
 * full jitter; a resent batch carries the same identifiers, so Stripe counts it once.
 * Requests go through `meterEventStreamPoster` (keep-alive pool, body built here as one string):
 * the SDK's generic request path cost more CPU per event than all of ingest's own work.
 */
import type { StripeClient } from '../stripe/client.js';
import { asciiJson, meterEventStreamPoster, type AsciiJson, type MeterEventStreamPoster } from '../stripe/meter-event-stream.js';
import type { UsageEvent } from './event.js';
import type { MeterInfo } from './meters.js';
import { RateLimiter } from '../stripe/rate-limiter.js';
import { backoffMs, retryReason, sleep } from '../stripe/retry.js';
import { iso, isoSeconds } from '../core/time.js';

export const STREAM_BATCH_MAX = 100;

export interface StreamSenderOptions {
  stripe: StripeClient;
  limiter: RateLimiter;
  /** event name → meter (for the payload keys). */
  meterFor(eventName: string): MeterInfo | undefined;
  /** Connections kept open to the stream endpoint: as many as requests in flight (default 8). */
  connections?: number;
  /** Attempts per batch before giving up (default 10). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Renew the session this long before it expires (default 60 s). */
  renewMarginMs?: number;
  signal?: AbortSignal;
  onRetry?(info: { attempt: number; reason: string; delayMs: number }): void;
}

/** Entries kept per cache of body parts (timestamps, customers) before it starts over. */
const PART_CACHE_MAX = 50_000;

/** Keeps `part` under `key` in a cache bounded by PART_CACHE_MAX, and returns it. */
function remember<K>(cache: Map<K, string>, key: K, part: string): string {
  if (cache.size >= PART_CACHE_MAX) cache.clear();
  cache.set(key, part);
  return part;
}

/** A meter's pieces of an event's JSON: up to the identifier; the timestamp to the customer; the customer to the value. */
interface BodyParts {
  head: string;
  customerKey: string;
  valueKey: string;
  /** timestamp → `,"timestamp":"…"` and the customer's key. */
  times: Map<number, string>;
  /** customer → its JSON and the value's key. */
  customers: Map<string, string>;
}

type StreamEvent = Parameters<StripeClient['v2']['billing']['meterEventStream']['create']>[0]['events'][number];

interface Session {
  token: string;
  /** Local clock; from the server's lifetime (expires_at - created), so clock skew does not matter. */
  expiresAtMs: number;
  renewAtMs: number;
}

type ErrorKind = 'expired' | 'retry' | 'fatal';

/** Sorts an SDK (or network) error into what to do about it. */
export function classifyError(err: unknown): ErrorKind {
  const e = err as { type?: string; rawType?: string; statusCode?: number; code?: string };
  if (e?.type === 'StripeTemporarySessionExpiredError' || e?.rawType === 'temporary_session_expired') return 'expired';
  return retryReason(err) ? 'retry' : 'fatal';
}

export class StreamSender {
  requests = 0;
  retries = 0;
  sessions = 0;
  /** Events resent after a request whose outcome was unknown (5xx, dropped connection): Stripe deduplicates them. */
  resentUnknown = 0;
  private session: Session | undefined;
  private renewing: Promise<Session> | undefined;
  private readonly poster: MeterEventStreamPoster;
  /** event name → the constant parts of its events' JSON, and parts cached by timestamp and customer. */
  private readonly parts = new Map<string, BodyParts>();

  constructor(private readonly options: StreamSenderOptions) {
    this.poster = meterEventStreamPoster(options.stripe, options.connections ?? 8);
  }

  /** Closes the connections kept open for the stream. */
  close(): void {
    this.poster.close();
  }

  payloadOf(event: UsageEvent): StreamEvent {
    const meter = this.options.meterFor(event.eventName);
    return {
      event_name: event.eventName,
      identifier: event.identifier,
      timestamp: isoSeconds(event.timestamp),
      payload: { [meter?.customerKey ?? 'stripe_customer_id']: event.customer, [meter?.valueKey ?? 'value']: event.value },
    };
  }

  /**
   * The request body, `{"events":[...]}` of `payloadOf` each event, written as one ASCII string: the
   * meter's constant parts once per event name, the timestamp's and the customer's parts once each
   * (a file repeats them); `asciiJson` only for strings a user wrote (a derived identifier is hex, a
   * value canonical digits, a timestamp ISO: nothing to escape).
   */
  bodyOf(events: readonly UsageEvent[]): AsciiJson {
    let body = '{"events":[';
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const parts = this.parts.get(e.eventName) ?? this.partsOf(e.eventName);
      // Made only when missing (`??`); the part holds the formatted time, so no other cache of it is needed.
      const time = parts.times.get(e.timestamp) ?? remember(parts.times, e.timestamp, `,"timestamp":"${iso(e.timestamp)}"${parts.customerKey}`);
      const customer = parts.customers.get(e.customer) ?? remember(parts.customers, e.customer, `${asciiJson(e.customer)}${parts.valueKey}`);
      const identifier = e.derived ? `"${e.identifier}"` : asciiJson(e.identifier);
      body += `${i > 0 ? ',' : ''}${parts.head}${identifier}${time}${customer}${e.value}"}}`;
    }
    return `${body}]}` as AsciiJson;
  }

  private partsOf(eventName: string): BodyParts {
    const info = this.options.meterFor(eventName);
    const parts: BodyParts = {
      head: `{"event_name":${asciiJson(eventName)},"identifier":`,
      customerKey: `,"payload":{${asciiJson(info?.customerKey ?? 'stripe_customer_id')}:`,
      valueKey: `,${asciiJson(info?.valueKey ?? 'value')}:"`,
      times: new Map(),
      customers: new Map(),
    };
    this.parts.set(eventName, parts);
    return parts;
  }

  async send(events: readonly UsageEvent[]): Promise<void> {
    if (events.length > STREAM_BATCH_MAX) throw new Error(`a stream request takes at most ${STREAM_BATCH_MAX} events`);
    const body = this.bodyOf(events);
    const maxAttempts = this.options.maxAttempts ?? 10;
    let unknownOutcome = false;
    let failures = 0;
    let expiries = 0;
    for (;;) {
      // Rate slot first, then the session: a token fetched before a long wait could expire meanwhile.
      await this.options.limiter.acquire(this.options.signal);
      const session = await this.currentSession();
      try {
        this.requests++;
        await this.poster.post(body, session.token);
        if (unknownOutcome) this.resentUnknown += events.length;
        return;
      } catch (err) {
        const kind = classifyError(err);
        if (kind === 'fatal' || this.options.signal?.aborted) throw err;
        this.retries++;
        if (kind === 'expired') {
          // Not a failure of the batch: renew and resend at once (bounded, in case the clock is off).
          if (++expiries > 20) throw err;
          this.expire(session);
          this.options.onRetry?.({ attempt: expiries, reason: 'session expired', delayMs: 0 });
          continue;
        }
        if (++failures >= maxAttempts) throw err;
        // A 429 was refused before any work; anything else may have been processed.
        if ((err as { statusCode?: number }).statusCode !== 429 && (err as { type?: string }).type !== 'StripeRateLimitError') unknownOutcome = true;
        const delayMs = this.backoff(failures);
        this.options.onRetry?.({ attempt: failures, reason: (err as Error).message, delayMs });
        await sleep(delayMs, this.options.signal);
      }
    }
  }

  private backoff(attempt: number): number {
    return backoffMs(attempt, { baseMs: this.options.baseDelayMs ?? 200, maxMs: this.options.maxDelayMs ?? 5_000 });
  }

  private expire(session: Session): void {
    if (this.session === session) this.session = undefined;
  }

  private async currentSession(): Promise<Session> {
    if (this.session && Date.now() < this.session.renewAtMs) return this.session;
    this.renewing ??= this.createSession().finally(() => { this.renewing = undefined; });
    return this.renewing;
  }

  private async createSession(): Promise<Session> {
    const maxAttempts = this.options.maxAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      await this.options.limiter.acquire(this.options.signal);
      try {
        const s = await this.options.stripe.v2.billing.meterEventSession.create({}, { maxNetworkRetries: 0 });
        this.sessions++;
        // expires_at is an RFC 3339 string in v2 (Stripe's own snippet treats it as a number).
        const lifetimeMs = toMs(s.expires_at) - toMs(s.created);
        const ttl = Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? lifetimeMs : 15 * 60_000;
        const margin = Math.min(this.options.renewMarginMs ?? 60_000, ttl / 4);
        const now = Date.now();
        this.session = { token: s.authentication_token, expiresAtMs: now + ttl, renewAtMs: now + ttl - margin };
        return this.session;
      } catch (err) {
        if (classifyError(err) !== 'retry' || attempt >= maxAttempts || this.options.signal?.aborted) throw err;
        this.retries++;
        const delayMs = this.backoff(attempt);
        this.options.onRetry?.({ attempt, reason: (err as Error).message, delayMs });
        await sleep(delayMs, this.options.signal);
      }
    }
  }
}

function toMs(t: unknown): number {
  return typeof t === 'string' ? Date.parse(t) : Number(t) * 1000;
}

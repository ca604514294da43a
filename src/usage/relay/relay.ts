/**
 * The relay's loop, with no knowledge of NATS, Stripe's SDK or the terminal: workers pull batches
 * from a `UsageSource`, check each message as `usage ingest` checks a line, send the valid events
 * through the stream sender, and only then acknowledge them. A refused message is terminated with
 * its reason (never redelivered); a batch that could not be delivered is handed back (nak) for a
 * later delivery, to this relay or another. See README.md, "Relay".
 */
import type { ParseResult, UsageEvent } from '../event.js';
import { hash64, hashOut, hex32 } from '../hash.js';
import { backoffMs as backoff, sleep } from '../../stripe/retry.js';
import { checkWindow } from '../time.js';
import type { SourceMessage, UsageSource } from './source.js';

export interface RelayStats {
  relayed: number;
  rejected: number;
  /** Messages handed back for redelivery after a failed delivery. */
  redelivered: number;
}

export interface RelayOptions {
  source: UsageSource;
  /** Live totals (read by the reporter and the metrics while the relay runs). */
  stats?: RelayStats;
  /** A record → an event (or why not), as `usage ingest` checks a line. */
  parse(record: Record<string, unknown>): ParseResult | Promise<ParseResult>;
  /** An email or external id → its cus_ id, or why not; throws when Stripe could not be asked. */
  resolveCustomer(reference: string): Promise<{ id: string } | { reason: string }>;
  send(events: UsageEvent[]): Promise<void>;
  nowSeconds(): number;
  batchSize: number;
  /** Batches in flight (each worker pulls its own). */
  concurrency: number;
  /** Stop pulling; the batches in hand are finished and acknowledged. */
  signal: AbortSignal;
  /** A delivered batch: how long Stripe took (retries and rate-limit waits included). */
  onDelivered?(events: number, ms: number): void;
  /** A failure the relay retries by itself (pull, customer lookup, delivery), for the log. */
  onRetry?(what: string, err: unknown): void;
}

export interface RelayResult {
  stats: RelayStats;
  /** What stopped the relay when it was not asked to stop (Stripe refusing the key). */
  error?: unknown;
}

const CUSTOMER_ID = /^cus_[A-Za-z0-9]+$/;
const decoder = new TextDecoder();

/**
 * An event without its own identifier is known by its message's place in the log, which a
 * redelivery keeps: Stripe then counts it once (within its 24-hour window). Kept within Stripe's
 * 100 characters by hashing a long position.
 */
export function positionIdentifier(position: string): string {
  if (position.length <= 95) return `alpr_${position}`;
  hash64(position, 1);
  const { hi, lo } = hashOut;
  hash64(position, 2);
  return `alpr_${hex32(hi)}${hex32(lo)}${hex32(hashOut.hi)}${hex32(hashOut.lo)}`;
}

/** How a failed delivery is handled: the events refused (find which, term them), try later, or stop. */
export function classifyDeliveryError(err: unknown): 'refused' | 'retry' | 'fatal' {
  const status = (err as { statusCode?: number })?.statusCode;
  if (status === 400) return 'refused';
  // A key Stripe refuses will not get better by retrying: stop, and leave the messages to others.
  if (status === 401 || status === 403) return 'fatal';
  return 'retry';
}

/** Doubling from 0.5 s up to `capMs`, with jitter (the one policy of src/stripe/retry.ts). */
const backoffMs = (failures: number, capMs = 30_000) => backoff(failures + 1, { baseMs: 500, maxMs: capMs });

type Prepared = { event: UsageEvent } | { reason: string } | { retry: unknown };

export async function runRelay(options: RelayOptions): Promise<RelayResult> {
  const stats: RelayStats = options.stats ?? { relayed: 0, rejected: 0, redelivered: 0 };
  const fatal = new AbortController();
  const stopping = AbortSignal.any([options.signal, fatal.signal]);
  let error: unknown;
  let failures = 0;

  const reject = async (msg: SourceMessage, reason: string) => {
    stats.rejected++;
    await msg.term(reason);
  };
  const handBack = (msgs: SourceMessage[]) => {
    const delay = backoffMs(failures);
    for (const m of msgs) m.nak(delay);
    stats.redelivered += msgs.length;
  };

  const prepare = async (msg: SourceMessage): Promise<Prepared> => {
    let record: unknown;
    try {
      record = JSON.parse(decoder.decode(msg.data));
    } catch (err) {
      return { reason: `not JSON: ${(err as Error).message}` };
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) return { reason: 'not a JSON object (one usage event per message)' };
    const parsed = await options.parse(record as Record<string, unknown>);
    if (!parsed.ok) return { reason: parsed.reason };
    const event = parsed.event;
    if (!CUSTOMER_ID.test(event.customer)) {
      try {
        const found = await options.resolveCustomer(event.customer);
        if ('reason' in found) return { reason: found.reason };
        event.customer = found.id;
      } catch (err) {
        return { retry: err };
      }
    }
    const outside = checkWindow(event.timestamp, options.nowSeconds());
    if (outside) return { reason: outside };
    if (event.derived) event.identifier = positionIdentifier(msg.position);
    return { event };
  };

  const deliver = async (events: UsageEvent[], msgs: SourceMessage[]): Promise<void> => {
    const started = performance.now();
    try {
      await options.send(events);
    } catch (err) {
      const kind = classifyDeliveryError(err);
      if (kind === 'refused') {
        // Stripe refused the whole request for some event in it: one at a time finds which.
        if (events.length === 1) return reject(msgs[0], `Stripe refused the event: ${(err as Error).message}`);
        for (let i = 0; i < events.length; i++) await deliver([events[i]], [msgs[i]]);
        return;
      }
      failures++;
      options.onRetry?.('delivery to Stripe', err);
      handBack(msgs);
      if (kind === 'fatal') {
        error ??= err;
        fatal.abort();
      }
      return;
    }
    failures = 0;
    for (const m of msgs) m.ack();
    stats.relayed += events.length;
    options.onDelivered?.(events.length, performance.now() - started);
  };

  const handle = async (msgs: SourceMessage[]) => {
    const events: UsageEvent[] = [];
    const held: SourceMessage[] = [];
    const later: SourceMessage[] = [];
    for (const msg of msgs) {
      const prepared = await prepare(msg);
      if ('event' in prepared) {
        events.push(prepared.event);
        held.push(msg);
      } else if ('reason' in prepared) {
        await reject(msg, prepared.reason);
      } else {
        options.onRetry?.('customer lookup', prepared.retry);
        later.push(msg);
      }
    }
    if (later.length) handBack(later);
    if (events.length) await deliver(events, held);
  };

  const worker = async () => {
    let pullFailures = 0;
    while (!stopping.aborted) {
      let msgs: SourceMessage[];
      try {
        msgs = await options.source.pull(options.batchSize);
        pullFailures = 0;
      } catch (err) {
        options.onRetry?.('pull', err);
        // Capped low: the client reconnects by itself, and the pulls should follow within seconds.
        await sleep(backoffMs(pullFailures++, 5_000), stopping);
        continue;
      }
      // Messages in hand are finished even when a stop was asked meanwhile: that is the drain.
      if (msgs.length) await handle(msgs);
      // A source that answers an empty pull at once must not make this loop spin.
      else await sleep(50, stopping);
      if (failures) await sleep(backoffMs(failures), stopping);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { stats, error };
}

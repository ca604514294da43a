/**
 * What the relay needs of a durable log, and nothing more: the relay (`relay.ts`) knows only this
 * interface, so another log (Kafka: a consumer group, offsets committed after Stripe acknowledged)
 * can be added beside `nats-source.ts` without touching the batching, identifiers or reporting.
 */

/** One message handed to this relay; it must end in exactly one of ack, nak or term. */
export interface SourceMessage {
  /** The message body (one usage event, as a line of `usage ingest` NDJSON). */
  readonly data: Uint8Array;
  /**
   * Where the message sits in the log, the same on every redelivery and unique in the log (NATS:
   * stream name and stream sequence): the relay derives an event's identifier from it.
   */
  readonly position: string;
  /** Stripe has the event (or it was skipped on purpose): never deliver it again. */
  ack(): void;
  /** Not delivered this time: deliver it again (to any relay) after `delayMs`. */
  nak(delayMs: number): void;
  /**
   * Refused for good: record the raw message and the reason where rejects are kept (NATS: a
   * subject), then never deliver it again.
   */
  term(reason: string): Promise<void>;
}

export interface UsageSource {
  /** Up to `max` messages; fewer (or none) when the log has no more within a short wait (a second or so). */
  pull(max: number): Promise<SourceMessage[]>;
  /** Messages not yet handed to any relay, and handed but not yet acknowledged. */
  pending(): Promise<{ waiting: number; unacknowledged: number }>;
  /** Sends the acknowledgements still buffered, then disconnects. */
  close(): Promise<void>;
}

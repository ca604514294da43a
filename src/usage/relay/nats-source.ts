/**
 * The relay's source on NATS JetStream: a durable pull consumer with explicit acks, shared by every
 * relay started with the same name (JetStream hands each message to one of them, and redelivers
 * what a relay left unacknowledged after the ack wait). Rejected messages are published, with
 * their reason, to a subject. The connection is retried forever: a lost server is reported, the
 * client reconnects (to any server of the list) and the pulls resume.
 */
import { AckPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type ConsumerInfo, type JsMsg } from '@nats-io/jetstream';
import { connect, credsAuthenticator, nanos, type NatsConnection } from '@nats-io/transport-node';
import { UserError } from '../../errors.js';
import type { SourceMessage, UsageSource } from './source.js';

export interface NatsSourceOptions {
  servers: string[];
  stream: string;
  consumer: string;
  /** Filter of a consumer to create; checked against an existing one. */
  subject?: string;
  rejectsSubject: string;
  /** Contents of a NATS credentials file. */
  creds?: Uint8Array;
  /** Connection events (lost, reconnected…), for the log. */
  onStatus?(text: string): void;
}

/** Unacknowledged messages across all relays of a consumer we create (JetStream's default, 1,000, would cap a pool). */
const MAX_ACK_PENDING = 20_000;
const ACK_WAIT_MS = 30_000;
const PULL_WAIT_MS = 1_000;
const decoder = new TextDecoder();

const apiCode = (err: unknown) => (err instanceof JetStreamApiError ? err.code : undefined);

export async function openNatsSource(options: NatsSourceOptions): Promise<UsageSource> {
  const nc = await connect({
    servers: options.servers,
    name: 'alpaca-billing usage relay',
    // Never give up: a relay outlives restarts of NATS.
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    authenticator: options.creds ? credsAuthenticator(options.creds) : undefined,
  });
  void watchStatus(nc, options.onStatus);
  try {
    const info = await bindConsumer(nc, options);
    options.onStatus?.(`bound to consumer '${info.name}' of stream '${info.stream_name}'${info.config.filter_subject ? ` (subjects ${info.config.filter_subject})` : ''}`);
  } catch (err) {
    await nc.close();
    throw err;
  }
  const consumer = await jetstream(nc).consumers.get(options.stream, options.consumer);

  const wrap = (m: JsMsg): SourceMessage => ({
    data: m.data,
    position: `${m.info.stream}_${m.seq}`,
    ack: () => m.ack(),
    nak: (delayMs) => m.nak(delayMs),
    term: async (reason) => {
      const reject = { reason, stream: m.info.stream, seq: m.seq, subject: m.subject, deliveries: m.info.deliveryCount, data: decoder.decode(m.data) };
      nc.publish(options.rejectsSubject, JSON.stringify(reject));
      // The reason travels with the reject, not with the term: Debian 12's nats-server (2.9)
      // ignored a term carrying a reason, and the message came back.
      m.term();
    },
  });

  return {
    // Not cut short by a stop: messages the server already sent for this pull would wait out the
    // ack wait before anyone got them again. The pull ends within PULL_WAIT_MS anyway.
    async pull(max) {
      const batch = await consumer.fetch({ max_messages: max, expires: PULL_WAIT_MS });
      const out: SourceMessage[] = [];
      for await (const m of batch) out.push(wrap(m));
      return out;
    },
    async pending() {
      const info = await consumer.info(false);
      return { waiting: info.num_pending, unacknowledged: info.num_ack_pending };
    },
    async close() {
      // drain sends the acks still buffered; a server that is gone must not hold the exit.
      const timer = new Promise<void>((r) => setTimeout(r, 1_000).unref());
      await Promise.race([nc.drain().catch(() => undefined), timer]);
      if (!nc.isClosed()) await nc.close();
    },
  };
}

async function watchStatus(nc: NatsConnection, onStatus: NatsSourceOptions['onStatus']): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect') onStatus?.(`NATS connection lost (${s.server}); reconnecting`);
    else if (s.type === 'reconnect') onStatus?.(`NATS reconnected (${s.server})`);
    else if (s.type === 'error') onStatus?.(`NATS error: ${s.error.message}`);
  }
}

/** The durable pull consumer, created when missing; an unusable one is a user error naming the flag. */
async function bindConsumer(nc: NatsConnection, options: NatsSourceOptions): Promise<ConsumerInfo> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(options.stream);
  } catch (err) {
    if (apiCode(err) === JetStreamApiCodes.StreamNotFound) {
      throw new UserError(`--stream: NATS has no stream '${options.stream}'.`, { hint: 'Create the stream your applications publish usage to (e.g. `nats stream add`), or name it with --stream.' });
    }
    throw err;
  }
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(options.stream, options.consumer);
  } catch (err) {
    if (apiCode(err) !== JetStreamApiCodes.ConsumerNotFound) throw err;
    // Relays starting together may all create it: the same configuration is accepted each time.
    return jsm.consumers.add(options.stream, {
      durable_name: options.consumer,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ACK_WAIT_MS),
      max_ack_pending: MAX_ACK_PENDING,
      ...(options.subject ? { filter_subject: options.subject } : {}),
    });
  }
  if (info.config.deliver_subject || info.config.ack_policy !== AckPolicy.Explicit) {
    throw new UserError(`--consumer: '${options.consumer}' of stream '${options.stream}' is not a pull consumer with explicit acks, which the relay needs to acknowledge only what Stripe has.`, { hint: 'Name another consumer with --consumer; the relay creates it.' });
  }
  if (options.subject && (info.config.filter_subject ?? '') !== options.subject) {
    throw new UserError(`--subject: consumer '${options.consumer}' already filters '${info.config.filter_subject ?? '(all subjects)'}', not '${options.subject}'.`, { hint: 'Leave --subject out to use the consumer as it is, or name another consumer.' });
  }
  return info;
}

/**
 * A real `nats-server -js` for the relay's tests: a free port, a temporary store (kept across a
 * restart, as a real deployment keeps its disk), and a client to set up streams and publish.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type ConsumerInfo, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface TestNats {
  url: string;
  /** Stops the server (SIGTERM) and waits for it to exit; the store stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Stops it and removes the store. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

export async function startNats(): Promise<TestNats> {
  const port = await freePort();
  const store = await mkdtemp(join(tmpdir(), 'nats-js-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${log}`)));
      proc.stderr!.on('data', (c) => {
        log += c;
        if (log.includes('Server is ready')) resolve();
      });
    });
    proc.removeAllListeners('exit');
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); });
  };
  await start();
  return { url: `nats://127.0.0.1:${port}`, start, stop, close: async () => { await stop(); await rm(store, { recursive: true, force: true }); } };
}

export interface NatsClient {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Publishes each line as one message, acknowledged by the stream. */
  publish(subject: string, lines: string[]): Promise<void>;
  consumer(stream: string, name: string): Promise<ConsumerInfo>;
  close(): Promise<void>;
}

export async function natsClient(url: string): Promise<NatsClient> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  let published = 0;
  // Right after a server restart JetStream may not answer yet: retry, with a message id so that
  // JetStream drops a retry of a message it did store.
  const publishOne = async (subject: string, line: string, msgID: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await js.publish(subject, line, { msgID });
      } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  return {
    nc, js, jsm,
    async publish(subject, lines) {
      const base = published;
      published += lines.length;
      for (let i = 0; i < lines.length; i += 500) await Promise.all(lines.slice(i, i + 500).map((l, j) => publishOne(subject, l, `test-${base + i + j}`)));
    },
    consumer: (stream, name) => jsm.consumers.info(stream, name),
    close: () => nc.close(),
  };
}

/** Waits until the consumer has handed out every message and had each acknowledged (or terminated). */
export async function drained(client: NatsClient, stream: string, consumer: string, alive: () => boolean = () => true): Promise<ConsumerInfo> {
  for (;;) {
    const info = await client.consumer(stream, consumer).catch(() => undefined);
    if (info && info.num_pending === 0 && info.num_ack_pending === 0) return info;
    if (!alive()) throw new Error(`the relays stopped with messages left: ${JSON.stringify(info && { pending: info.num_pending, ack_pending: info.num_ack_pending })}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { AckPolicy } from '@nats-io/jetstream';
import { createServer } from 'node:net';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createMeter } from './helpers/fixtures.js';
import { drained, natsClient, startNats, type NatsClient, type TestNats } from './helpers/nats.js';

/** Built from two literals so that secret scanners do not flag a fixture. */
const FAKE_LIVE_KEY = 'sk_live_' + 'relay0123456789';

let emu: TestEmulator;
let nats: TestNats;
let client: NatsClient;

beforeAll(async () => {
  [emu, nats] = await Promise.all([startTestEmulator(), startNats()]);
  client = await natsClient(nats.url);
  await client.jsm.streams.add({ name: 'CLI', subjects: ['cli.>'] });
  await createMeter(emu.stripe, 'relay_cli');
}, 60_000);
afterAll(async () => {
  await client?.close();
  await Promise.all([emu?.close(), nats?.close()]);
});

const relayArgs = (extra: string[] = []) => ['usage', 'relay', '--nats', nats.url, '--stream', 'CLI', '--consumer', 'cli', '--meter', 'relay_cli', ...extra];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('usage relay: flags and setup', () => {
  it('refuses an address that is not a NATS server, naming --nats (exit 3)', async () => {
    const res = await run(['usage', 'relay', '--nats', 'http://example.com', '--stream', 'CLI', '--consumer', 'cli'], { env: emu.env });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain("--nats: 'http://example.com' is not a NATS server address");
  });

  it('refuses a stream that does not exist, naming --stream (exit 3)', async () => {
    const res = await run(['usage', 'relay', '--nats', nats.url, '--stream', 'NOPE', '--consumer', 'cli'], { env: emu.env });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain("--stream: NATS has no stream 'NOPE'");
  });

  it('refuses a live key without --live before connecting anywhere', async () => {
    const res = await run(relayArgs(), { env: { ...emu.env, STRIPE_API_KEY: FAKE_LIVE_KEY } });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('Refusing to use a live-mode key');
    expect(res.stderr).not.toContain(FAKE_LIVE_KEY);
  });

  it('names --creds when the credentials file cannot be read (exit 3)', async () => {
    const res = await run(relayArgs(['--creds', 'no-such.creds']), { env: emu.env });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('--creds: cannot read no-such.creds: no such file');
  });

  it('names --metrics-port when the port is taken (exit 3), and leaves the consumer untouched', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, r));
    try {
      const res = await run(['usage', 'relay', '--nats', nats.url, '--stream', 'CLI', '--consumer', 'untouched', '--metrics-port', String((taken.address() as { port: number }).port)], { env: emu.env });
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(/--metrics-port: cannot listen on port \d+: already in use/);
      await expect(client.consumer('CLI', 'untouched')).rejects.toThrow(/consumer not found/);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('refuses --subject that differs from the existing consumer\'s filter', async () => {
    await client.jsm.consumers.add('CLI', { durable_name: 'filtered', ack_policy: AckPolicy.Explicit, filter_subject: 'cli.a' });
    const res = await run(['usage', 'relay', '--nats', nats.url, '--stream', 'CLI', '--consumer', 'filtered', '--subject', 'cli.b'], { env: emu.env });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain("--subject: consumer 'filtered' already filters 'cli.a', not 'cli.b'");
  });

  it('serves Prometheus metrics on --metrics-port and logs JSON lines with --json; stops with exit 0', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await emu.stripe.customers.create({})).id);
    const now = Math.floor(Date.now() / 1000);
    await client.publish('cli.api', Array.from({ length: 300 }, (_, i) => JSON.stringify({ customer: ids[i % 2], value: 1, timestamp: now - i })));
    const port = await freePort();
    const stop = new AbortController();
    const running = run(relayArgs(['--metrics-port', String(port), '--json', '--interval', '1', '--max-rps', '0']), { env: emu.env, signal: stop.signal });
    await drained(client, 'CLI', 'cli');
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^alpaca_billing_relay_events_relayed_total 300$/m);
    expect(text).toMatch(/^alpaca_billing_relay_events_rejected_total 0$/m);
    expect(text).toMatch(/^alpaca_billing_relay_consumer_pending 0$/m);
    expect(text).toMatch(/^alpaca_billing_relay_batch_seconds_count [1-9]\d*$/m);
    await new Promise((r) => setTimeout(r, 1_200)); // one interval line at least
    stop.abort();
    const res = await running;
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toEqual({ ok: true, relayed: 300, rejected: 0, redelivered: 0 });
    expect(lines.at(-2)).toMatchObject({ relayed: 300, rejected: 0, pending: 0, ack_pending: 0 });
    expect(Object.keys(lines.at(-2))).toEqual(['time', 'relayed', 'rejected', 'redelivered', 'per_second', 'latency_ms', 'pending', 'ack_pending']);
  });
});

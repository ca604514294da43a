import type Stripe from 'stripe';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createMeter, totalsFor } from './helpers/fixtures.js';
import { drained, natsClient, startNats, type NatsClient, type TestNats } from './helpers/nats.js';
import { killRelays, spawnRelay } from './helpers/relay.js';

let nats: TestNats;
let client: NatsClient;
let emu: TestEmulator | undefined;

beforeAll(async () => {
  nats = await startNats();
  client = await natsClient(nats.url);
}, 60_000);
afterEach(async () => {
  killRelays();
  await emu?.close();
  emu = undefined;
});
afterAll(async () => {
  await client?.close();
  await nats?.close();
});

async function customerIds(stripe: Stripe, n: number): Promise<string[]> {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await stripe.customers.create({})).id);
  return ids;
}

function events(ids: string[], n: number, from = 0) {
  const now = Math.floor(Date.now() / 1000);
  const totals: Record<string, number> = Object.fromEntries(ids.map((c) => [c, 0]));
  const lines: string[] = [];
  for (let i = from; i < from + n; i++) {
    const c = ids[i % ids.length];
    const value = (i * 5) % 7 + 1;
    totals[c] += value;
    lines.push(JSON.stringify({ customer: c, value, timestamp: now - 1800 + (i % 1500) }));
  }
  return { lines, totals };
}

describe('usage relay under faults', () => {
  it('lands every event exactly once while Stripe fails, drops connections and rate-limits', async () => {
    const log: string[] = [];
    emu = await startTestEmulator({ faultRate: 0.2, rateLimit: 8, seed: 11, quiet: false, log: (l) => log.push(l) });
    const setup = emu.client({ maxNetworkRetries: 10 });
    const meter = await createMeter(setup, 'relay_faulty');
    const ids = await customerIds(setup, 3);
    await client.jsm.streams.add({ name: 'FAULTY', subjects: ['faulty.>'] });
    const usage = events(ids, 3_000);
    await client.publish('faulty.api', usage.lines);
    const relay = await spawnRelay(['--nats', nats.url, '--stream', 'FAULTY', '--consumer', 'billing', '--meter', 'relay_faulty', '--max-rps', '0', '--interval', '1'], emu.env);
    await drained(client, 'FAULTY', 'billing', () => relay.child.exitCode === null);
    relay.child.kill('SIGTERM');
    expect((await relay.exited).code).toBe(0);
    // The faults really happened: 5xx, connections dropped after Stripe recorded the batch, 429s.
    expect(log.filter((l) => /meter_event_stream 5\d\d/.test(l)).length).toBeGreaterThan(0);
    expect(log.filter((l) => /meter_event_stream dropped after running/.test(l)).length).toBeGreaterThan(0);
    expect(log.filter((l) => /meter_event_stream 429/.test(l)).length).toBeGreaterThan(0);
    expect(relay.stderr()).toMatch(/relay stopped: 3000 relayed, 0 rejected/);
    await new Promise((r) => setTimeout(r, 1_100)); // the summaries' own requests count against the limit
    expect(await totalsFor(setup, meter.id, ids)).toEqual(usage.totals);
  }, 60_000);

  it('reconnects when NATS restarts under a running relay, and carries on', async () => {
    emu = await startTestEmulator({ latencyMs: 2 });
    const meter = await createMeter(emu.stripe, 'relay_restart');
    const ids = await customerIds(emu.stripe, 3);
    await client.jsm.streams.add({ name: 'RESTART', subjects: ['restart.>'] });
    const first = events(ids, 1_000);
    await client.publish('restart.api', first.lines);
    const relay = await spawnRelay(['--nats', nats.url, '--stream', 'RESTART', '--consumer', 'billing', '--meter', 'relay_restart', '--max-rps', '0', '--interval', '1'], emu.env);
    await drained(client, 'RESTART', 'billing', () => relay.child.exitCode === null);
    await nats.stop();
    await relay.waitFor('NATS connection lost');
    await nats.start();
    await relay.waitFor('NATS reconnected');
    const second = events(ids, 1_500, 1_000);
    await client.publish('restart.api', second.lines);
    await drained(client, 'RESTART', 'billing', () => relay.child.exitCode === null);
    relay.child.kill('SIGTERM');
    expect((await relay.exited).code).toBe(0);
    expect(relay.stderr()).toMatch(/relay stopped: 2500 relayed/);
    const expected = Object.fromEntries(ids.map((c) => [c, first.totals[c] + second.totals[c]]));
    expect(await totalsFor(emu.stripe, meter.id, ids)).toEqual(expected);
  }, 60_000);
});

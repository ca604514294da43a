import { AckPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type Stripe from 'stripe';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createMeter, totalsFor } from './helpers/fixtures.js';
import { drained, natsClient, startNats, type NatsClient, type TestNats } from './helpers/nats.js';
import { killRelays, spawnRelay, type RelayProcess } from './helpers/relay.js';

let emu: TestEmulator;
let nats: TestNats;
let client: NatsClient;

beforeAll(async () => {
  [emu, nats] = await Promise.all([startTestEmulator({ latencyMs: 2 }), startNats()]);
  client = await natsClient(nats.url);
}, 60_000);
afterAll(async () => {
  killRelays();
  await client?.close();
  await Promise.all([emu?.close(), nats?.close()]);
});

let streams = 0;
/** A stream of its own per test, and (when asked) its consumer with a short ack wait so a killed relay's messages come back quickly. */
async function newStream(ackWaitMs?: number): Promise<{ stream: string; subject: string; consumer: string }> {
  const n = ++streams;
  const stream = `USAGE${n}`;
  await client.jsm.streams.add({ name: stream, subjects: [`usage${n}.>`] });
  if (ackWaitMs) await client.jsm.consumers.add(stream, { durable_name: 'billing', ack_policy: AckPolicy.Explicit, ack_wait: nanos(ackWaitMs), max_ack_pending: 20_000 });
  return { stream, subject: `usage${n}.api`, consumer: 'billing' };
}

async function customers(stripe: Stripe, tag: string, n: number): Promise<Array<{ id: string; email: string }>> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const email = `${tag}-${i}@example.com`;
    out.push({ id: (await stripe.customers.create({ email })).id, email });
  }
  return out;
}

/** `n` events over the customers in the last hours, every 10th naming its customer by email; with the expected totals. */
function events(list: Array<{ id: string; email: string }>, n: number, from = 0) {
  const now = Math.floor(Date.now() / 1000);
  const totals: Record<string, number> = Object.fromEntries(list.map((c) => [c.id, 0]));
  const lines: string[] = [];
  for (let i = from; i < from + n; i++) {
    const c = list[i % list.length];
    const value = (i * 7) % 9 + 1;
    totals[c.id] += value;
    lines.push(JSON.stringify({ customer: i % 10 === 0 ? c.email : c.id, value, timestamp: now - 3600 + (i % 3000) }));
  }
  return { lines, totals };
}

function relay(s: { stream: string; consumer: string }, meter: string, extra: string[] = []): Promise<RelayProcess> {
  return spawnRelay(['--nats', nats.url, '--stream', s.stream, '--consumer', s.consumer, '--meter', meter, '--interval', '1', ...extra], emu.env);
}

async function stop(r: RelayProcess) {
  r.child.kill('SIGTERM');
  return r.exited;
}

describe('usage relay on NATS JetStream', () => {
  it('two relays share one consumer; one is SIGKILLed mid-way and replaced; totals exact', async () => {
    const meter = await createMeter(emu.stripe, 'relay_shared');
    const s = await newStream(2_000);
    const list = await customers(emu.stripe, 'shared', 4);
    const usage = events(list, 10_000);
    await client.publish(s.subject, usage.lines);
    // A slow pace, so that the kill lands mid-way.
    const a = await relay(s, 'relay_shared', ['--max-rps', '12']);
    const b = await relay(s, 'relay_shared', ['--max-rps', '12']);
    while ((await client.consumer(s.stream, s.consumer)).ack_floor.stream_seq < 2_500) await new Promise((r) => setTimeout(r, 50));
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const c = await relay(s, 'relay_shared', ['--max-rps', '0']);
    await drained(client, s.stream, s.consumer, () => b.child.exitCode === null && c.child.exitCode === null);
    expect([await stop(b), await stop(c)].map((e) => e.code)).toEqual([0, 0]);
    expect(b.stderr()).toMatch(/relay stopped: \d+ relayed, 0 rejected/);
    expect(await totalsFor(emu.stripe, meter.id, list.map((x) => x.id))).toEqual(usage.totals);
  }, 60_000);

  it('terminates invalid messages, publishes them to the rejects subject with their reasons, and never redelivers them', async () => {
    const meter = await createMeter(emu.stripe, 'relay_rejects');
    const s = await newStream(3_000);
    const list = await customers(emu.stripe, 'rejects', 2);
    const good = events(list, 50);
    const ts = Math.floor(Date.now() / 1000) - 60;
    const bad = [
      'not json at all',
      '[1, 2]',
      JSON.stringify({ customer: list[0].id, timestamp: ts }),
      JSON.stringify({ customer: 'nobody@example.com', value: 3, timestamp: ts }),
      JSON.stringify({ customer: list[0].id, value: 1.5, timestamp: ts }),
      JSON.stringify({ customer: list[0].id, value: 2, timestamp: ts - 40 * 86_400 }),
      JSON.stringify({ customer: list[0].id, value: 2, timestamp: ts, meter: 'no_such_meter' }),
    ];
    const rejects: Array<{ reason: string; data: string; seq: number; stream: string }> = [];
    const sub = client.nc.subscribe('relay.rejects.test', { callback: (_e, m) => { rejects.push(m.json()); } });
    await client.publish(s.subject, [...good.lines.slice(0, 25), ...bad, ...good.lines.slice(25)]);
    const r = await relay(s, 'relay_rejects', ['--rejects-subject', 'relay.rejects.test', '--max-rps', '0']);
    await drained(client, s.stream, s.consumer, () => r.child.exitCode === null);
    // Past the ack wait: a message that was not terminated would have come back by now.
    await new Promise((res) => setTimeout(res, 3_500));
    const info = await client.consumer(s.stream, s.consumer);
    expect((await stop(r)).code).toBe(0);
    sub.unsubscribe();
    expect({ redelivered: info.num_redelivered, ack_pending: info.num_ack_pending }).toEqual({ redelivered: 0, ack_pending: 0 });
    // Workers pull batches side by side: rejects arrive in any order.
    rejects.sort((x, y) => x.seq - y.seq);
    expect(rejects.map((x) => x.data)).toEqual(bad);
    expect(rejects.map((x) => x.seq)).toEqual(bad.map((_, i) => 26 + i));
    const reasons = rejects.map((x) => x.reason);
    expect(reasons[0]).toMatch(/^not JSON/);
    expect(reasons[1]).toMatch(/not a JSON object/);
    expect(reasons[2]).toMatch(/missing value/);
    expect(reasons[3]).toMatch(/customer: No customer with email or external id 'nobody@example.com'/);
    expect(reasons[4]).toMatch(/not a whole number/);
    expect(reasons[5]).toMatch(/more than 35 days in the past/);
    expect(reasons[6]).toMatch(/no_such_meter/);
    expect(r.stderr()).toMatch(/relay stopped: 50 relayed, 7 rejected/);
    expect(await totalsFor(emu.stripe, meter.id, list.map((x) => x.id))).toEqual(good.totals);
  }, 60_000);

  it('relays events of a meter created after the relay started', async () => {
    const s = await newStream(3_000);
    const list = await customers(emu.stripe, 'late', 2);
    const r = await spawnRelay(['--nats', nats.url, '--stream', s.stream, '--consumer', s.consumer, '--max-rps', '0'], emu.env);
    await r.waitFor('relaying to Stripe');
    const meter = await createMeter(emu.stripe, 'relay_late');
    const usage = events(list, 40);
    await client.publish(s.subject, usage.lines.map((l) => JSON.stringify({ ...JSON.parse(l), meter: 'relay_late' })));
    await drained(client, s.stream, s.consumer, () => r.child.exitCode === null);
    expect((await stop(r)).code).toBe(0);
    expect(r.stderr()).toMatch(/relay stopped: 40 relayed, 0 rejected/);
    expect(await totalsFor(emu.stripe, meter.id, list.map((x) => x.id))).toEqual(usage.totals);
  }, 60_000);

  it('on SIGTERM stops pulling, acknowledges the batches in flight and exits 0; another relay finishes the rest', async () => {
    // Slow answers keep batches in flight when the signal arrives.
    const slow = await startTestEmulator({ latencyMs: 400 });
    try {
      const meter = await createMeter(slow.stripe, 'relay_term');
      const s = await newStream();
      const list = await customers(slow.stripe, 'term', 3);
      const usage = events(list, 3_000);
      await client.publish(s.subject, usage.lines);
      const args = ['--nats', nats.url, '--stream', s.stream, '--consumer', 'billing', '--meter', 'relay_term', '--max-rps', '0', '--interval', '1'];
      const first = await spawnRelay(args, slow.env);
      while (((await client.consumer(s.stream, 'billing').catch(() => undefined))?.ack_floor.stream_seq ?? 0) === 0) await new Promise((r) => setTimeout(r, 20));
      first.child.kill('SIGTERM');
      const exit = await first.exited;
      expect(exit.code).toBe(0);
      const info = await client.consumer(s.stream, 'billing');
      // Nothing left in the air: every message handed to the stopped relay was acknowledged.
      expect(info.num_ack_pending).toBe(0);
      const relayed = 3_000 - info.num_pending;
      expect(relayed).toBeLessThan(3_000);
      expect(first.stderr()).toContain(`relay stopped: ${relayed} relayed`);
      // Stripe has exactly the acknowledged messages (the first `relayed` of the stream).
      const acked = events(list, relayed);
      expect(await totalsFor(slow.stripe, meter.id, list.map((x) => x.id))).toEqual(acked.totals);
      const second = await spawnRelay(args, slow.env);
      await drained(client, s.stream, 'billing', () => second.child.exitCode === null);
      expect((await stop(second)).code).toBe(0);
      expect(await totalsFor(slow.stripe, meter.id, list.map((x) => x.id))).toEqual(usage.totals);
    } finally {
      await slow.close();
    }
  }, 60_000);
});

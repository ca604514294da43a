#!/usr/bin/env node
// usage relay benchmark: RELAY_BENCH_EVENTS (200,000) events published to a NATS JetStream stream
// (a local `nats-server -js` with a temporary store), then relayed by the built CLI (spawned) into
// the emulator (a child process, 2 ms latency, no rate limit): first by one relay, then, from a
// fresh stream, by two relays sharing one consumer. Throughput is measured from the first
// acknowledgement until the consumer has nothing pending; CPU per event from each relay's
// /proc/<pid>/stat. Totals are checked through event summaries after each phase.
import { spawn, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EVENTS = process.env.RELAY_BENCH_EVENTS ? Number(process.env.RELAY_BENCH_EVENTS) : 200_000;
const CONCURRENCY = 8;
const CUSTOMERS = 20;
const log = (s) => process.stderr.write(`relay bench: ${s}\n`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function server() {
  const { startEmulator } = await import('../dist/emulator/index.js');
  const emu = await startEmulator({ port: 0, quiet: true, aggregationDelayMs: 0, latencyMs: 2 });
  process.send({ port: emu.port });
  process.on('message', async (m) => { if (m === 'close') { await emu.close(); process.exit(0); } });
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function startNats() {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  await new Promise((resolve, reject) => {
    child.on('exit', (c) => reject(new Error(`nats-server exited ${c}: ${text}`)));
    child.stderr.on('data', (c) => { text += c; if (text.includes('Server is ready')) resolve(); });
  });
  child.removeAllListeners('exit');
  return { url: `nats://127.0.0.1:${port}`, close: async () => { child.kill('SIGTERM'); await once(child, 'exit'); rmSync(store, { recursive: true, force: true }); } };
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function phase({ js, jsm, stripe, natsUrl, apiBase, meter, meterId, customers, relays, name }) {
  await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`] });
  const totals = Object.fromEntries(customers.map((c) => [c, 0]));
  const now = Math.floor(Date.now() / 1000);
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(EVENTS, i + 1000); j++) {
      const customer = customers[j % customers.length];
      const value = (j * 7) % 9 + 1;
      totals[customer] += value;
      batch.push(js.publish(`${name.toLowerCase()}.api`, JSON.stringify({ customer, value, timestamp: now - 3600 + (j % 3000) })));
    }
    await Promise.all(batch);
  }
  const publishRate = EVENTS / ((performance.now() - t0) / 1000);
  log(`${name}: published ${fmt(EVENTS)} events (${fmt(publishRate)}/s); starting ${relays} relay(s)`);
  const args = [join(root, 'bin/alpaca-billing.cjs'), 'usage', 'relay', '--nats', natsUrl, '--stream', name, '--consumer', 'billing', '--meter', meter, '--max-rps', '0', '--concurrency', String(CONCURRENCY), '--quiet'];
  const env = { PATH: process.env.PATH, CI: 'true', STRIPE_API_KEY: 'sk_test_bench_0000', STRIPE_API_BASE: apiBase };
  const children = Array.from({ length: relays }, () => spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  let first;
  for (;;) {
    const info = await jsm.consumers.info(name, 'billing').catch(() => undefined);
    if (info && first === undefined && info.ack_floor.stream_seq > 0) first = performance.now();
    if (info && info.num_pending === 0 && info.num_ack_pending === 0) break;
    await sleep(50);
  }
  const seconds = (performance.now() - first) / 1000;
  const cpu = children.map((c) => cpuSeconds(c.pid));
  for (const c of children) c.kill('SIGTERM');
  const codes = await Promise.all(children.map((c) => once(c, 'exit').then(([code]) => code)));
  const end = Math.ceil(Date.now() / 1000 / 3600 + 1) * 3600;
  let exact = true;
  for (const [customer, want] of Object.entries(totals)) {
    const list = await stripe.billing.meters.listEventSummaries(meterId, { customer, start_time: end - 86_400, end_time: end });
    const got = list.data.reduce((s, x) => s + x.aggregated_value, 0);
    if (got !== want) { exact = false; log(`total mismatch for ${customer}: got ${got}, want ${want}`); }
  }
  log(`${name}: ${fmt(EVENTS / seconds)} events/s, CPU ${cpu.map((c) => c.toFixed(1)).join(' + ')} s, exits ${codes.join(', ')}, totals ${exact ? 'exact' : 'WRONG'}`);
  return { rate: EVENTS / seconds, seconds, cpuPerEventUs: cpu.map((c) => (c / EVENTS) * 1e6 * relays), cpu, exact: exact && codes.every((c) => c === 0), publishRate };
}

async function main() {
  const emuChild = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [msg] = await once(emuChild, 'message');
  const apiBase = `http://127.0.0.1:${msg.port}`;
  const nats = await startNats();
  const { default: Stripe } = await import('stripe');
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const stripe = new Stripe('sk_test_bench_0000', { host: '127.0.0.1', port: msg.port, protocol: 'http', maxNetworkRetries: 8, telemetry: false });
  const nc = await connect({ servers: nats.url });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  try {
    const results = [];
    for (const relays of [1, 2]) {
      // A meter and customers per phase, so each phase's totals stand alone.
      const event = `relay_bench_${relays}`;
      const meter = await stripe.billing.meters.create({ display_name: event, event_name: event, default_aggregation: { formula: 'sum' } });
      const customers = [];
      for (let i = 0; i < CUSTOMERS; i++) customers.push((await stripe.customers.create({})).id);
      results.push(await phase({ js, jsm, stripe, natsUrl: nats.url, apiBase, meter: event, meterId: meter.id, customers, relays, name: `BENCH${relays}` }));
    }
    const [one, two] = results;
    const ok = (c) => (c ? '✅' : '❌');
    const perRelay = one.rate;
    const live = 10_000 * 100; // Stripe's live stream: 10,000 requests/s of 100 events
    const lines = [
      '## usage relay (`bench/relay.bench.mjs`)',
      '',
      `${fmt(EVENTS)} events published to a JetStream stream (local \`nats-server -js\`, file store; published at ${fmt(one.publishRate)} events/s by one client), then relayed by the built CLI into the emulator (separate process, 2 ms latency, no rate limit): 100 events per request, ${CONCURRENCY} batches in flight per relay. Throughput from the first acknowledgement until the consumer has nothing pending; CPU from /proc (user + system) of each relay. Everything (NATS, emulator, relays, this script) shares the machine's cores.`,
      '',
      '| Relays | Throughput | CPU per event, per relay | Totals | |',
      '|---|---|---|---|---|',
      `| 1 | ${fmt(one.rate)} events/s (${one.seconds.toFixed(1)} s) | ${(one.cpu[0] / EVENTS * 1e6).toFixed(0)} µs | ${one.exact ? 'exact' : 'WRONG'} | ${ok(one.exact)} |`,
      `| 2, one consumer | ${fmt(two.rate)} events/s (${two.seconds.toFixed(1)} s) | ${two.cpu.map((c) => `${(c / (EVENTS / 2) * 1e6).toFixed(0)} µs`).join(', ')} (each relay took about half) | ${two.exact ? 'exact' : 'WRONG'} | ${ok(two.exact)} |`,
      '',
      `**On paper, at Stripe's live ceiling** (10,000 requests/s × 100 events = ${fmt(live)} events/s): at ${fmt(perRelay)} events/s per relay here, about ${fmt(Math.ceil(live / perRelay))} relays; measured by CPU instead (${(one.cpu[0] / EVENTS * 1e6).toFixed(0)} µs an event, so ${fmt(1e6 / (one.cpu[0] / EVENTS * 1e6))} events/s per fully used core), about ${fmt(Math.ceil(live / (1e6 / (one.cpu[0] / EVENTS * 1e6))))} relay cores, each with \`--max-rps\` set to its share of the 10,000 (e.g. 100 relays × \`--max-rps 100\`). NATS then carries ${fmt(live)} messages/s in and as many acks back. This one server took ${fmt(one.publishRate)} persisted messages/s from one publishing client here (not its limit: the client waited for each group of 1,000); past what one server's disk takes (measure yours with \`nats bench\`), split the usage over several streams (by subject, across a cluster), each with its own pool of relays: the relays share nothing but Stripe's rate limit. On this 2-core machine, two relays share the cores with NATS and the emulator, so the second relay adds little: the figures per relay are what scales out on separate machines.`,
      '',
      'Size set by RELAY_BENCH_EVENTS.',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (!(one.exact && two.exact)) process.exitCode = 1;
  } finally {
    await nc.close();
    await nats.close();
    emuChild.send('close');
    await once(emuChild, 'exit');
  }
}

if (process.argv[2] === '--server') await server();
else await main();

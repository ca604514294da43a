#!/usr/bin/env node
// Emulator metering benchmark: v2 stream ingestion rate (100 events per request, several
// concurrent HTTP clients) in memory and with --state (write-ahead log flushed before each answer),
// summary latency over BENCH_EVENTS stored events, and the emulator's peak RSS. The emulator runs
// in a child process (this script with --server [stateFile]) so the clients do not share its event
// loop; events for the summary phase are loaded through the metering core directly, in timestamp
// order with the emulator's clock following them, as 30 days of live traffic would arrive (so only
// the last 24 h of identifiers stay in memory).
//
// Sizes (env): BENCH_EVENTS (10,000,000), BENCH_CUSTOMERS (20), BENCH_DAYS (30),
// BENCH_STREAM_SECONDS (10), BENCH_CLIENTS (4), BENCH_STATE_CLIENTS (16, a second --state run).
// With the defaults it takes about a minute on an idle 2-core machine (a few minutes on a busy
// one), most of it loading the 10 million events (BENCH_EVENTS=1000000 for a quick run).
import { fork } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
const EVENTS = env('BENCH_EVENTS', 10_000_000);
const CUSTOMERS = env('BENCH_CUSTOMERS', 20);
const DAYS = env('BENCH_DAYS', 30);
const STREAM_SECONDS = env('BENCH_STREAM_SECONDS', 10);
const CLIENTS = env('BENCH_CLIENTS', 4);
const STATE_CLIENTS = env('BENCH_STATE_CLIENTS', 16);

if (process.argv[2] === '--server') await server();
else await main();

async function server() {
  const { startEmulator } = await import('../dist/emulator/index.js');
  const { meteringFor } = await import('../dist/emulator/metering/metering-state.js');
  let override;
  // argv[3]: a --state file (the stream phase is run with and without one).
  const emu = await startEmulator({ port: 0, quiet: true, aggregationDelayMs: 0, stateFile: process.argv[3], clock: () => override ?? Date.now() });
  process.on('message', (msg) => {
    if (msg.cmd === 'load') {
      const engine = meteringFor(emu.core);
      const { customers, events, days } = msg;
      const end = Math.floor(Date.now() / 1000) - 3600;
      const start = end - days * 86400;
      const step = (end - start) / events;
      const started = performance.now();
      let refused = 0;
      // Payloads and values are reused so that the garbage measured is the emulator's, not ours.
      const payloads = customers.map((c) => Array.from({ length: 97 }, (_, v) => ({ stripe_customer_id: c, value: String(v + 1) })));
      for (let i = 0; i < events; i++) {
        const ts = Math.floor(start + i * step);
        override = ts * 1000 + 500;
        const r = engine.accept({ event_name: 'tokens', payload: payloads[i % customers.length][i % 97], identifier: `load-${i}`, timestamp: ts }, 'async');
        if (!r.ok) refused++;
      }
      override = undefined;
      const seconds = (performance.now() - started) / 1000;
      globalThis.gc?.();
      process.send({ loaded: events - refused, refused, seconds, buckets: engine.store.buckets, identifiers: engine.identifiers.size, heapMB: process.memoryUsage().heapUsed / 2 ** 20, rssMB: process.memoryUsage().rss / 2 ** 20 });
    }
    if (msg.cmd === 'stop') void emu.close().then(() => process.exit(0));
  });
  process.send({ url: emu.url, port: emu.port });
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function procStatus(pid, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main() {
  const { default: Stripe } = await import('stripe');
  const say = (s) => process.stderr.write(`${s}\n`);

  /** A fresh emulator child with one meter and BENCH_CUSTOMERS customers. */
  const startChild = async (stateFile) => {
    const child = fork(fileURLToPath(import.meta.url), ['--server', ...(stateFile ? [stateFile] : [])], { execArgv: ['--expose-gc', ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const next = () => new Promise((resolve) => child.once('message', resolve));
    const { port } = await next();
    const config = { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false };
    const stripe = new Stripe('sk_test_bench', config);
    const meter = await stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
    const customers = [];
    for (let i = 0; i < CUSTOMERS; i++) customers.push((await stripe.customers.create({ email: `bench${i}@example.com` })).id);
    const stop = async () => {
      child.send({ cmd: 'stop' });
      await new Promise((r) => child.once('exit', r));
    };
    return { child, next, port, stripe, meter, customers, stop };
  };

  // 1. Stream ingestion, in memory and then with --state (every answer waits for its write to be
  // on disk), each on its own emulator so each memory figure is about that phase alone.
  const stream = async (stateFile, clients = CLIENTS) => {
    const { child, port, stripe, customers, stop } = await startChild(stateFile);
    say(`stream${stateFile ? ' with --state' : ''}: ${clients} clients for ${STREAM_SECONDS}s`);
    const session = await stripe.v2.billing.meterEventSession.create();
    let sent = 0;
    let requests = 0;
    const cpuBefore = cpuSeconds(child.pid);
    const deadline = performance.now() + STREAM_SECONDS * 1000;
    const t0 = performance.now();
    // Raw keep-alive HTTP clients: the SDK's per-request overhead would measure the client, and
    // on a 2-core machine client and emulator share the CPU.
    const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
    const post = (body) =>
      new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v2/billing/meter_event_stream', agent, headers: { Authorization: `Bearer ${session.authentication_token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Stripe-Version': Stripe.API_VERSION } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`stream answered ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      });
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        let i = 0;
        while (performance.now() < deadline) {
          const events = Array.from({ length: 100 }, () => ({ event_name: 'tokens', payload: { stripe_customer_id: customers[i % customers.length], value: '1' }, identifier: `c${c}-${i++}` }));
          await post(JSON.stringify({ events }));
          sent += 100;
          requests++;
        }
      }),
    );
    agent.destroy();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(child.pid) - cpuBefore;
    const rss = procStatus(child.pid, 'VmHWM');
    say(`stream: ${sent} events in ${seconds.toFixed(1)}s = ${Math.round(sent / seconds)}/s`);
    await stop();
    return { sent, requests, seconds, cpu, rate: sent / seconds, rss };
  };
  const memory = await stream();
  const stateDir = mkdtempSync(join(tmpdir(), 'emu-bench-'));
  const persisted = await stream(join(stateDir, 'state.json'));
  // More clients in flight: more requests share each flush (group commit).
  const persistedWide = await stream(join(stateDir, 'state-wide.json'), STATE_CLIENTS);
  rmSync(stateDir, { recursive: true, force: true });

  // 2. Load BENCH_EVENTS through the core, into a fresh emulator.
  const { child, next, stripe, meter, customers, stop } = await startChild();
  say(`loading ${EVENTS} events over ${DAYS} days for ${CUSTOMERS} customers`);
  child.send({ cmd: 'load', customers, events: EVENTS, days: DAYS });
  const load = await next();
  say(`loaded in ${load.seconds.toFixed(1)}s (${load.buckets} buckets, ${load.identifiers} identifiers kept; heap ${load.heapMB.toFixed(0)} MB, rss ${load.rssMB.toFixed(0)} MB)`);

  // 3. Summary latency (over HTTP with the SDK, the way a client sees it).
  const end = Math.floor(Date.now() / 1000 / 86400) * 86400 + 86400;
  const start = end - (DAYS + 2) * 86400;
  const time = async (params, rounds = 25) => {
    const ms = [];
    let value;
    for (let i = 0; i < rounds + 3; i++) {
      const t = performance.now();
      const page = await stripe.billing.meters.listEventSummaries(meter.id, { customer: customers[i % customers.length], start_time: start, end_time: end, ...params });
      if (i >= 3) ms.push(performance.now() - t);
      value ??= page.data[0]?.aggregated_value;
    }
    ms.sort((a, b) => a - b);
    return { median: ms[Math.floor(ms.length / 2)], max: ms[ms.length - 1], value };
  };
  const whole = await time({});
  const byDay = await time({ value_grouping_window: 'day', limit: 100 });
  const byHour = await time({ value_grouping_window: 'hour', limit: 100 });
  const peak = procStatus(child.pid, 'VmHWM');
  const rssNow = procStatus(child.pid, 'VmRSS');
  await stop();

  const ok = (cond) => (cond ? '✅' : '❌');
  const f = (n, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`## Emulator metering (\`bench/emulator.bench.mjs\`)

Emulator in a child process on the same machine. Stream clients are raw keep-alive HTTP clients posting the JSON the SDK would send (with a session token from the SDK); summaries are read with the real \`stripe\` SDK.
Sizes: BENCH_EVENTS=${EVENTS}, BENCH_CUSTOMERS=${CUSTOMERS}, BENCH_DAYS=${DAYS}, BENCH_CLIENTS=${CLIENTS}, BENCH_STATE_CLIENTS=${STATE_CLIENTS}, BENCH_STREAM_SECONDS=${STREAM_SECONDS}.

| Measure | Result | Goal | |
|---|---|---|---|
| v2 stream ingestion (100 events/request, ${CLIENTS} clients) | ${f(memory.rate, 0)} events/s (${memory.requests} requests in ${f(memory.seconds)} s) | ≥ 20,000 events/s | ${ok(memory.rate >= 20_000)} |
| Emulator CPU time spent on the stream | ${f(memory.cpu)} s for ${f(memory.sent, 0)} events = ${f(memory.sent / memory.cpu, 0)} events per CPU-second | (capacity if the emulator had a core to itself) | |
| Same stream with \`--state\` (every answer waits for its write-ahead log record to be written and fdatasync'd) | ${f(persisted.rate, 0)} events/s (${persisted.requests} requests in ${f(persisted.seconds)} s); ${f(persisted.sent / persisted.cpu, 0)} events per CPU-second | | |
| Same with \`--state\` and ${STATE_CLIENTS} clients (more requests share each flush) | ${f(persistedWide.rate, 0)} events/s (${persistedWide.requests} requests in ${f(persistedWide.seconds)} s); ${f(persistedWide.sent / persistedWide.cpu, 0)} events per CPU-second | | |
| Summary over ${f(load.loaded, 0)} stored events, whole range, one summary | median ${f(whole.median)} ms, max ${f(whole.max)} ms | < 100 ms | ${ok(whole.median < 100)} |
| Same, grouped by day (${DAYS + 2} windows) | median ${f(byDay.median)} ms, max ${f(byDay.max)} ms | < 100 ms | ${ok(byDay.median < 100)} |
| Same, grouped by hour (first page of 100) | median ${f(byHour.median)} ms, max ${f(byHour.max)} ms | < 100 ms | ${ok(byHour.median < 100)} |
| Emulator peak RSS (VmHWM) with ${f(load.loaded, 0)} events stored, loading and answering | ${f(peak, 0)} MB (${f(rssNow, 0)} MB at the end) | < 300 MB | ${ok(peak < 300)} |
| Emulator peak RSS of the stream phase (${f(memory.sent, 0)} events, their identifiers all kept 24 h) | ${f(memory.rss, 0)} MB | | |

Loading ${f(EVENTS, 0)} events through the metering core took ${f(load.seconds)} s (${f(EVENTS / load.seconds, 0)} events/s, timestamps spread over ${DAYS} days).
The store then held ${f(load.buckets, 0)} minute buckets (per meter and customer) and the ${f(load.identifiers, 0)} identifiers of the last 24 h; memory follows buckets and a day's identifiers, not the event count.

With \`--state\`, each answer waits until its changes are in the write-ahead log and flushed (write + fdatasync); the requests in flight share one flush (group commit), so the flush latency, not the CPU, bounds a few clients, and more clients in flight get closer to the in-memory rate. The extra CPU is serialising each event into the log (~1.5 µs per event) and the flushes; the snapshot is rewritten only when the log outgrows 64 MB and twice the snapshot.
Before the write-ahead log (measured 2026-12-01 on this machine, BENCH_EVENTS=200000, BENCH_STREAM_SECONDS=8, 4 clients), \`--state\` rewrote the whole file once a second and lost up to a second of answered changes on SIGKILL: 28,618 events/s and 70,599 events per CPU-second, against 27,960 events/s and 105,566 per CPU-second in memory in the same run (a busier machine than the table's run).`);
}

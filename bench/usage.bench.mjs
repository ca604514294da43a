#!/usr/bin/env node
// usage ingest benchmark: the built CLI (bin/alpaca-billing.cjs, spawned) sends NDJSON files to the
// emulator (a child process, 2 ms latency, no rate limit) through the v2 meter event stream.
//  1. Throughput: USAGE_BENCH_EVENTS (1,000,000) events end to end, vs a plain loop of
//     billing.meterEvents.create one after another on the same emulator, measured on a sample of
//     USAGE_BENCH_LOOP_SAMPLE (2,000) events and extrapolated.
//  2. Memory: peak RSS of the CLI ingesting USAGE_BENCH_BIG_EVENTS (10,000,000) events.
//  3. Faults: USAGE_BENCH_FAULT_EVENTS (1,000,000) events with 10% injected faults and three
//     SIGKILLs at random points, then a final run; totals checked against the file's.
// The CLI's own CPU time (user + system, process.cpuUsage() at its exit, via bench/cpu-usage.cjs) is
// charged per event, for the NDJSON throughput run and for the same events as CSV: on a machine
// the CLI shares with the emulator, CPU per event is what sets the speed. The load average is
// printed beside each figure, as other work on the machine skews wall times.
// USAGE_BENCH_PROFILE=1 runs the NDJSON ingest under `node --cpu-prof` and adds its top functions
// (slower: profiling costs CPU itself). USAGE_BENCH_PHASES (throughput,memory,faults) picks phases.
// Totals are checked through event summaries after every phase. Files go to bench/data/ (git-ignored).
// Takes about 2 minutes with the defaults on a quiet 2-core machine (5 under heavy load), most of
// it the 10 M phase.
import { spawn, fork } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, mkdtempSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
const EVENTS = env('USAGE_BENCH_EVENTS', 1_000_000);
const BIG_EVENTS = env('USAGE_BENCH_BIG_EVENTS', 10_000_000);
const FAULT_EVENTS = env('USAGE_BENCH_FAULT_EVENTS', 1_000_000);
const LOOP_SAMPLE = env('USAGE_BENCH_LOOP_SAMPLE', 2_000);
const CONCURRENCY = env('USAGE_BENCH_CONCURRENCY', 8);
const REPEAT = env('USAGE_BENCH_REPEAT', 3);
const PROFILE = process.env.USAGE_BENCH_PROFILE === '1';
const PHASES = (process.env.USAGE_BENCH_PHASES ?? 'throughput,memory,faults').split(',');
const CUSTOMERS = 20;
const METER = 'bench_tokens';


async function server(options) {
  const { startEmulator } = await import('../dist/emulator/index.js');
  const emu = await startEmulator({ port: 0, quiet: true, aggregationDelayMs: 0, ...options });
  process.send({ port: emu.port });
  process.on('message', async (m) => { if (m === 'close') { await emu.close(); process.exit(0); } });
}

const log = (s) => process.stderr.write(`usage bench: ${s}\n`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const load = () => `load ${loadavg()[0].toFixed(1)}`;

async function startServer(options) {
  const child = fork(fileURLToPath(import.meta.url), ['--server', JSON.stringify(options)], { execArgv: ['--max-old-space-size=8192'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [msg] = await once(child, 'message');
  const { default: Stripe } = await import('stripe');
  const stripe = new Stripe('sk_test_bench_0000', { host: '127.0.0.1', port: msg.port, protocol: 'http', maxNetworkRetries: 8, telemetry: false });
  return { url: `http://127.0.0.1:${msg.port}`, stripe, close: async () => { child.send('close'); await once(child, 'exit'); } };
}

/** n events over the last two hours for the customers; returns the per-customer totals. */
async function generate(path, n, customers, csv = false) {
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const totals = Object.fromEntries(customers.map((c) => [c, 0]));
  const now = Math.floor(Date.now() / 1000);
  const chunk = csv ? ['customer,value,timestamp'] : [];
  for (let i = 0; i < n; i++) {
    const customer = customers[i % customers.length];
    const value = (i * 7) % 9 + 1;
    totals[customer] += value;
    // CSV events sit two hours earlier: the same events would share identifiers with the NDJSON ones.
    const timestamp = now - (csv ? 14_400 : 7200) + (i % 7000);
    chunk.push(csv ? `${customer},${value},${timestamp}` : `{"customer":"${customer}","value":${value},"timestamp":${timestamp}}`);
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
      chunk.length = 0;
    }
  }
  if (chunk.length) out.write(chunk.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
  return totals;
}

async function setup(emu) {
  const meter = await emu.stripe.billing.meters.create({ display_name: METER, event_name: METER, default_aggregation: { formula: 'sum' } });
  const customers = [];
  for (let i = 0; i < CUSTOMERS; i++) customers.push((await emu.stripe.customers.create({ email: `bench${i}@example.com` })).id);
  return { meter, customers };
}

async function checkTotals(emu, meterId, totals) {
  const end = Math.ceil(Date.now() / 1000 / 3600 + 1) * 3600;
  let exact = true;
  for (const [customer, want] of Object.entries(totals)) {
    const list = await emu.stripe.billing.meters.listEventSummaries(meterId, { customer, start_time: end - 86_400, end_time: end });
    const got = list.data.reduce((s, x) => s + x.aggregated_value, 0);
    if (got !== want) { exact = false; log(`total mismatch for ${customer}: got ${got}, want ${want}`); }
  }
  return exact;
}

function peakRss(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch { return 0; }
}

/** Spawns the built CLI's ingest; resolves with its exit, wall time, CPU time (µs), report and peak RSS. */
function ingest(emu, file, cwd, extra = [], { profileDir } = {}) {
  const started = performance.now();
  const cpuFile = join(cwd, `cpu-${process.hrtime.bigint()}.json`);
  const node = ['--require', join(root, 'bench/cpu-usage.cjs'), ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  const child = spawn(process.execPath, [...node, join(root, 'bin/alpaca-billing.cjs'), 'usage', 'ingest', file, '--meter', METER, '--max-rps', '0', '--concurrency', String(CONCURRENCY), '--json', '--journal-dir', join(cwd, '.alpaca-billing'), ...extra], {
    cwd, env: { PATH: process.env.PATH, CI: 'true', BENCH_CPU_FILE: cpuFile, STRIPE_API_KEY: 'sk_test_bench_0000', STRIPE_API_BASE: emu.url }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  let peak = 0;
  child.stdout.on('data', (c) => { stdout += c; });
  const timer = setInterval(() => { peak = Math.max(peak, peakRss(child.pid)); }, 100);
  const done = new Promise((resolve) => child.on('exit', (code, signal) => {
    clearInterval(timer);
    let report;
    let cpu;
    try { report = JSON.parse(stdout); } catch { /* killed */ }
    let system;
    try { const u = JSON.parse(readFileSync(cpuFile, 'utf8')); cpu = u.user + u.system; system = u.system; } catch { /* killed */ }
    resolve({ code, signal, seconds: (performance.now() - started) / 1000, report, peak, cpu, system, load: load() });
  }));
  return { child, done };
}

/** Events journaled: 16-byte records after a 16-byte header (src/usage/journal.ts). */
function journalEntries(cwd) {
  const path = join(cwd, '.alpaca-billing/usage-journal');
  return existsSync(path) ? Math.max(0, Math.floor((statSync(path).size - 16) / 16)) : 0;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** µs of this process's CPU per line to JSON.parse an NDJSON file's lines: how fast the machine runs this minute. */
function parseReference(path) {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const started = process.cpuUsage();
  let n = 0;
  for (const line of lines) n += JSON.parse(line).value;
  const used = process.cpuUsage(started);
  if (!n) throw new Error('empty reference');
  return (used.user + used.system) / lines.length;
}

async function throughput() {
  const emu = await startServer({ latencyMs: 2 });
  try {
    const { meter, customers } = await setup(emu);
    const file = join(root, `bench/data/usage-${EVENTS}.ndjson`);
    log(`generating ${fmt(EVENTS)} events`);
    const totals = await generate(file, EVENTS, customers);
    // REPEAT runs of each file, each with a fresh journal (the emulator, like Stripe, counts an
    // identifier once, so the totals stay the file's), reported by their median: on this shared
    // machine the CPU time of the same work moves by a third from one minute to the next. Beside
    // each run, the same minute's reference: JSON.parse of the file's lines in this process.
    const repeated = async (path, what) => {
      const runs = [];
      for (let r = 0; r < REPEAT; r++) {
        const reference = parseReference(file);
        log(`ingesting ${what} (${r + 1} of ${REPEAT}; JSON.parse reference ${reference.toFixed(2)} µs/line)`);
        const run = await ingest(emu, path, mkdtempSync(join(tmpdir(), 'usage-bench-'))).done;
        if (run.code !== 0) throw new Error(`${what} ingest exited ${run.code}`);
        log(`${fmt(EVENTS / run.seconds)} events/s, ${(run.cpu / EVENTS).toFixed(2)} µs CPU/event, ${(run.system / EVENTS).toFixed(2)} of it system (${run.load})`);
        runs.push({ ...run, reference });
      }
      const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
      const cpu = median(runs.map((r) => r.cpu));
      return { ...runs.find((r) => r.cpu === cpu), cpu, rate: median(runs.map((r) => EVENTS / r.seconds)), runs };
    };
    const run = await repeated(file, 'NDJSON');
    const exact = await checkTotals(emu, meter.id, totals);
    // CSV: as many events again, at other seconds, so the totals add up.
    const csvFile = join(root, `bench/data/usage-${EVENTS}.csv`);
    const csvTotals = await generate(csvFile, EVENTS, customers, true);
    const csv = await repeated(csvFile, 'CSV');
    const csvExact = await checkTotals(emu, meter.id, Object.fromEntries(Object.entries(totals).map(([c, v]) => [c, v + csvTotals[c]])));
    let profile;
    if (PROFILE) {
      const profileDir = mkdtempSync(join(tmpdir(), 'usage-profile-'));
      const cwd = mkdtempSync(join(tmpdir(), 'usage-bench-'));
      const profiled = await ingest(emu, file, cwd, [], { profileDir }).done;
      const { topFunctions } = await import('./profile-top.mjs');
      const [name] = readdirSync(profileDir);
      profile = { run: profiled, table: topFunctions(join(profileDir, name), 15) };
      log(`profile written to ${join(profileDir, name)}`);
    }
    log(`plain loop of ${fmt(LOOP_SAMPLE)} billing.meterEvents.create`);
    const now = Math.floor(Date.now() / 1000);
    const t0 = performance.now();
    for (let i = 0; i < LOOP_SAMPLE; i++) {
      await emu.stripe.billing.meterEvents.create({ event_name: METER, payload: { stripe_customer_id: customers[i % CUSTOMERS], value: '1' }, timestamp: now - 60, identifier: `loop-${i}` });
    }
    const loopRate = LOOP_SAMPLE / ((performance.now() - t0) / 1000);
    return { run, exact, csv, csvExact, profile, loopRate, rate: run.rate };
  } finally {
    await emu.close();
  }
}

async function memory() {
  const emu = await startServer({ latencyMs: 2 });
  try {
    const { meter, customers } = await setup(emu);
    const file = join(root, `bench/data/usage-${BIG_EVENTS}.ndjson`);
    log(`generating ${fmt(BIG_EVENTS)} events`);
    const totals = await generate(file, BIG_EVENTS, customers);
    log('ingesting the big file');
    const run = await ingest(emu, file, mkdtempSync(join(tmpdir(), 'usage-bench-'))).done;
    if (run.code !== 0) throw new Error(`ingest exited ${run.code}`);
    return { run, exact: await checkTotals(emu, meter.id, totals) };
  } finally {
    await emu.close();
  }
}

async function faults() {
  const emu = await startServer({ latencyMs: 2, faultRate: 0.1, seed: 11 });
  try {
    const { meter, customers } = await setup(emu);
    const file = join(root, `bench/data/usage-faults-${FAULT_EVENTS}.ndjson`);
    const totals = await generate(file, FAULT_EVENTS, customers);
    const cwd = mkdtempSync(join(tmpdir(), 'usage-bench-'));
    const started = performance.now();
    const kills = [];
    for (let k = 0; k < 3; k++) {
      const before = journalEntries(cwd);
      const { child, done } = ingest(emu, file, cwd, ['--max-attempts', '30']);
      while (journalEntries(cwd) <= before && child.exitCode === null) await sleep(50);
      // Anywhere in the next 8 s: early in a run, mid-run, or (rarely) after it ended on its own.
      const delay = Math.floor(Math.random() * 8000);
      await sleep(delay);
      child.kill('SIGKILL');
      const r = await done;
      kills.push({ delay, signal: r.signal ?? `exit ${r.code}`, journaled: journalEntries(cwd) });
      log(`kill ${k + 1}: ${r.signal ?? `exit ${r.code}`} after ${r.seconds.toFixed(1)} s`);
    }
    const last = await ingest(emu, file, cwd, ['--max-attempts', '30']).done;
    const exact = await checkTotals(emu, meter.id, totals);
    return { kills, last, exact, seconds: (performance.now() - started) / 1000 };
  } finally {
    await emu.close();
  }
}

async function main() {
  const benchStart = performance.now();
  const t = PHASES.includes('throughput') ? await throughput() : undefined;
  const m = PHASES.includes('memory') ? await memory() : undefined;
  const f = PHASES.includes('faults') ? await faults() : undefined;
  const mb = (b) => (b / 2 ** 20).toFixed(0);
  const ok = (c) => (c ? '✅' : '❌');
  const perEvent = (run) => run.cpu / EVENTS;
  /** Each run's CPU per event, with the same minute's JSON.parse reference (µs per line). */
  const runsOf = (median) => median.runs.map((r) => `${perEvent(r).toFixed(2)} (ref. ${r.reference.toFixed(2)})`).join(', ');
  const lines = [
    '## usage ingest (`bench/usage.bench.mjs`)',
    '',
    `The built CLI, spawned, sends NDJSON to the emulator (separate process, 2 ms latency, no rate limit) over the v2 meter event stream: 100 events per request, ${CONCURRENCY} in flight. Totals are checked through event summaries after each phase. CPU is the ingest process's own (user + system), the median of ${REPEAT} runs of each file (USAGE_BENCH_REPEAT); "ref." beside each run is how long this process took, that minute, to \`JSON.parse\` a line of the NDJSON file (µs), a gauge of the machine's speed at the time. The machine's 1-minute load average is given beside each figure: the machine is shared, and wall times move with it. Run took ${(((performance.now() - benchStart) / 60_000)).toFixed(1)} min.`,
    '',
    '| Measure | Result | Goal | |',
    '|---|---|---|---|',
  ];
  if (t) {
    const speedup = t.rate / t.loopRate;
    lines.push(
      `| Throughput, ${fmt(EVENTS)} NDJSON events end to end (median of ${t.run.runs.length} runs) | ${fmt(t.rate)} events/s (all runs: ${t.run.runs.map((r) => fmt(EVENTS / r.seconds)).join(', ')}; totals ${t.exact ? 'exact' : 'WRONG'}; ${t.run.load}) | ≥ 100,000 events/s | ${ok(t.rate >= 100_000 && t.exact)} |`,
      `| CPU of the ingest process per NDJSON event (median of ${t.run.runs.length} runs) | ${perEvent(t.run).toFixed(2)} µs, ${(t.run.system / EVENTS).toFixed(2)} of it in the kernel (${fmt(1e6 / perEvent(t.run))} events per CPU-second; ${t.run.load}). All runs: ${runsOf(t.run)} | ≤ 4 µs | ${ok(perEvent(t.run) <= 4)} |`,
      `| The same for ${fmt(EVENTS)} CSV events | ${perEvent(t.csv).toFixed(2)} µs per event (${fmt(t.csv.rate)} events/s end to end, totals ${t.csvExact ? 'exact' : 'WRONG'}; ${t.csv.load}). All runs: ${runsOf(t.csv)} | ≤ 4 µs | ${ok(perEvent(t.csv) <= 4 && t.csvExact)} |`,
      `| Plain loop of \`billing.meterEvents.create\`, one after another | ${fmt(t.loopRate)} events/s (measured on ${fmt(LOOP_SAMPLE)} events; ${fmt(EVENTS)} would take ≈ ${(EVENTS / t.loopRate / 60).toFixed(0)} min) | | |`,
      `| Speed-up of ingest over the loop | ${speedup.toFixed(0)}× | ≥ 50× | ${ok(speedup >= 50)} |`,
    );
  }
  if (m) lines.push(`| Peak RSS of the CLI ingesting ${fmt(BIG_EVENTS)} events | ${mb(m.run.peak)} MB (${fmt(BIG_EVENTS / m.run.seconds)} events/s, ${m.run.seconds.toFixed(0)} s, ${(m.run.cpu / BIG_EVENTS).toFixed(2)} µs CPU/event, totals ${m.exact ? 'exact' : 'WRONG'}; ${m.run.load}) | < 200 MB | ${ok(m.run.peak < 200 * 2 ** 20 && m.exact)} |`);
  if (f) lines.push(`| ${fmt(FAULT_EVENTS)} events, 10% faults, three SIGKILLs (${f.kills.map((k) => `${k.delay} ms after a journal write, ${fmt(k.journaled)} events journaled`).join('; ')}) | final run: ${fmt(f.last.report?.sent ?? 0)} sent, ${fmt(f.last.report?.already_sent ?? 0)} already sent, ${fmt(f.last.report?.resent ?? 0)} resent after unanswered requests; totals ${f.exact ? 'exact' : 'WRONG'} (${f.seconds.toFixed(0)} s in all; ${f.last.load}) | exact totals | ${ok(f.exact && f.last.code === 0)} |`);
  if (t?.profile) {
    lines.push('', `Top functions by self time, NDJSON ingest under \`node --cpu-prof\` (${t.profile.run.seconds.toFixed(1)} s, ${t.profile.run.load}):`, '', t.profile.table);
  }
  lines.push('', `Sizes are set by USAGE_BENCH_EVENTS, USAGE_BENCH_BIG_EVENTS, USAGE_BENCH_FAULT_EVENTS, USAGE_BENCH_LOOP_SAMPLE, USAGE_BENCH_CONCURRENCY and USAGE_BENCH_REPEAT; USAGE_BENCH_PHASES picks phases, USAGE_BENCH_PROFILE=1 adds the profile.`);
  process.stdout.write(lines.join('\n') + '\n');
  if (!([t?.exact, t?.csvExact, m?.exact, f?.exact].every((x) => x !== false))) process.exitCode = 1;
}

if (process.argv[2] === '--server') await server(JSON.parse(process.argv[3]));
else await main();

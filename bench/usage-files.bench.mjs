#!/usr/bin/env node
// usage ingest of several files (issue 18, "Scale beyond one process"): the built CLI, spawned, sends
// USAGE_FILES_EVENTS (1,000,000) events split by customer over USAGE_FILES_COUNT (4) NDJSON files in
// one directory to the emulator (a child process, 2 ms latency, no rate limit), with --workers 1 and
// --workers 2, beside the same events as one file. Wall time, and CPU of the run and its workers
// together (bench/cpu-usage.cjs with BENCH_CPU_DIR: every process writes its own), per event.
// Totals are checked through event summaries after every run (each run gets its own meter).
// On this 2-core machine the emulator shares the cores: the figures show what parallel workers cost
// and give here, not what they give against Stripe, where the client's CPU is the limit.
import { spawn, fork } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EVENTS = Number(process.env.USAGE_FILES_EVENTS ?? 1_000_000);
const FILES = Number(process.env.USAGE_FILES_COUNT ?? 4);
const CUSTOMERS = 20;
const log = (s) => process.stderr.write(`usage-files bench: ${s}\n`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const load = () => loadavg()[0].toFixed(1);

if (process.argv[2] === '--server') {
  const { startEmulator } = await import('../dist/emulator/index.js');
  const emu = await startEmulator({ port: 0, quiet: true, aggregationDelayMs: 0, latencyMs: 2 });
  process.send({ port: emu.port });
  process.on('message', async (m) => { if (m === 'close') { await emu.close(); process.exit(0); } });
} else {
  await main();
}

async function startServer() {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { execArgv: ['--max-old-space-size=8192'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [msg] = await once(child, 'message');
  const { default: Stripe } = await import('stripe');
  const stripe = new Stripe('sk_test_bench_0000', { host: '127.0.0.1', port: msg.port, protocol: 'http', maxNetworkRetries: 8, telemetry: false });
  return { url: `http://127.0.0.1:${msg.port}`, stripe, close: async () => { child.send('close'); await once(child, 'exit'); } };
}

/** Writes the events to `paths` (customer i goes to file i % paths.length); returns per-customer totals. */
async function generate(paths, customers, meter) {
  const outs = paths.map((p) => { mkdirSync(dirname(p), { recursive: true }); return createWriteStream(p); });
  const chunks = paths.map(() => []);
  const totals = Object.fromEntries(customers.map((c) => [c, 0]));
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < EVENTS; i++) {
    const c = i % customers.length;
    const value = (i * 7) % 9 + 1;
    totals[customers[c]] += value;
    const f = c % paths.length;
    chunks[f].push(`{"customer":"${customers[c]}","value":${value},"timestamp":${now - 7200 + (i % 7000)},"meter":"${meter}"}`);
    if (chunks[f].length === 10_000) {
      if (!outs[f].write(chunks[f].join('\n') + '\n')) await once(outs[f], 'drain');
      chunks[f].length = 0;
    }
  }
  for (const [f, out] of outs.entries()) {
    if (chunks[f].length) out.write(chunks[f].join('\n') + '\n');
    out.end();
    await once(out, 'finish');
  }
  return totals;
}

async function exact(emu, meterId, totals) {
  const end = Math.ceil(Date.now() / 1000 / 3600 + 1) * 3600;
  for (const [customer, want] of Object.entries(totals)) {
    const list = await emu.stripe.billing.meters.listEventSummaries(meterId, { customer, start_time: end - 86_400, end_time: end });
    if (list.data.reduce((s, x) => s + x.aggregated_value, 0) !== want) return false;
  }
  return true;
}

async function run(emu, target, extra) {
  const cpuDir = mkdtempSync(join(tmpdir(), 'usage-files-cpu-'));
  const started = performance.now();
  const child = spawn(process.execPath, ['--require', join(root, 'bench/cpu-usage.cjs'), join(root, 'bin/alpaca-billing.cjs'), 'usage', 'ingest', target, '--max-rps', '0', '--json', ...extra], {
    env: { PATH: process.env.PATH, CI: 'true', BENCH_CPU_DIR: cpuDir, STRIPE_API_KEY: 'sk_test_bench_0000', STRIPE_API_BASE: emu.url }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (c) => { stdout += c; });
  const [code] = await once(child, 'exit');
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`ingest exited ${code}: ${stdout}`);
  const each = readdirSync(cpuDir).map((f) => JSON.parse(readFileSync(join(cpuDir, f), "utf8"))).map((u) => u.user + u.system);
  log(`CPU per process (µs): ${each.map(fmt).join(", ")}`);
  const cpu = each.reduce((a, b) => a + b, 0);
  const processes = readdirSync(cpuDir).length;
  rmSync(cpuDir, { recursive: true, force: true });
  return { seconds, cpu, processes, report: JSON.parse(stdout), load: load() };
}

async function main() {
  const emu = await startServer();
  const rows = [];
  try {
    const customers = [];
    for (let i = 0; i < CUSTOMERS; i++) customers.push((await emu.stripe.customers.create({ email: `files${i}@example.com` })).id);
    const cases = [
      { name: `one file of ${fmt(EVENTS)} events`, files: 1, extra: [] },
      { name: `${FILES} files, --workers 1`, files: FILES, extra: ['--workers', '1'] },
      { name: `${FILES} files, --workers 2`, files: FILES, extra: ['--workers', '2'] },
    ];
    for (const [n, c] of cases.entries()) {
      const meter = `files_bench_${n}`;
      const m = await emu.stripe.billing.meters.create({ display_name: meter, event_name: meter, default_aggregation: { formula: 'sum' } });
      const dir = mkdtempSync(join(tmpdir(), 'usage-files-'));
      const paths = Array.from({ length: c.files }, (_, i) => join(dir, `part-${i}.ndjson`));
      log(`${c.name}: generating`);
      const totals = await generate(paths, customers, meter);
      log(`${c.name}: ingesting`);
      const r = await run(emu, c.files === 1 ? paths[0] : dir, c.extra);
      const ok = await exact(emu, m.id, totals);
      log(`${c.name}: ${fmt(EVENTS / r.seconds)} events/s, ${(r.cpu / EVENTS).toFixed(2)} µs CPU/event over ${r.processes} processes, exact ${ok} (load ${r.load})`);
      rows.push({ ...c, ...r, ok });
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await emu.close();
  }
  console.log(`## usage ingest of several files (\`bench/usage-files.bench.mjs\`)

${fmt(EVENTS)} NDJSON events split by customer into ${FILES} files of one directory, sent by the built CLI to the emulator (separate process, 2 ms latency, no rate limit), against the same events as one file. CPU is that of every process of the run (the run and its workers), per event. The machine's 1-minute load average is beside each row: the emulator shares the two cores, so on this machine parallel workers compete with it; against Stripe the client's CPU is the limit and workers add cores.

| run | events/s end to end | CPU per event (processes) | totals | load |
|---|---|---|---|---|
${rows.map((r) => `| ${r.name} | ${fmt(EVENTS / r.seconds)} (${r.seconds.toFixed(1)} s) | ${(r.cpu / EVENTS).toFixed(2)} µs (${r.processes}) | ${r.ok ? 'exact' : '**WRONG**'} | ${r.load} |`).join('\n')}

USAGE_FILES_EVENTS and USAGE_FILES_COUNT set the sizes.`);
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
}

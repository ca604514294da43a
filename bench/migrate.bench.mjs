#!/usr/bin/env node
// Price change benchmark (issue 14): 1,000 subscriptions on a metered price that the pricing file
// replaces. Measured against an emulator with 50 ms latency and a 25 requests/s rate limit
// (Stripe's test-mode limit), the client-side limiter at that same 25/s:
// 1. `plan` with impact: the account, the subscriptions on the price and each one's usage this
//    period (one meter event summary per subscription);
// 2. `apply --migrate-subscriptions period-end`: plan, create the replacement, give each
//    subscription a schedule (two calls each), archive the old price.
// Each is reported against its bound (successful API calls ÷ 25/s), with failed requests (429s and
// others, retried). The subscriptions are made first on the same emulator state without limits.
// The emulator runs in a process of its own (the built CLI's `emulator`), as Stripe is remote.
//
// Sizes (env): BENCH_SUBSCRIPTIONS (1000), BENCH_RATE_LIMIT (25), BENCH_LATENCY_MS (50).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const env = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
const SUBS = env('BENCH_SUBSCRIPTIONS', 1000);
const LIMIT = env('BENCH_RATE_LIMIT', 25);
const LATENCY = env('BENCH_LATENCY_MS', 50);

const { createStripeClient } = await import('../dist/stripe/client.js');
const { createThrottle } = await import('../dist/stripe/throttle.js');
const { makePlan } = await import('../dist/reconcile/make-plan.js');
const { applyPlan } = await import('../dist/reconcile/apply.js');

const log = (s) => process.stderr.write(s + '\n');
const catalog = (amount) => ({
  version: 1,
  meters: { tokens: { display_name: 'Bench tokens', event_name: 'bench_tokens', aggregation: 'sum', customer_key: 'stripe_customer_id', value_key: 'value' } },
  products: {
    bench_ai: {
      name: 'Bench AI', active: true, metadata: {},
      prices: { tokens: { lookup_key: 'bench_tokens', currency: 'usd', active: true, metadata: {}, interval: 'month', interval_count: 1, meter: 'tokens', amount: { kind: 'package', unit_amount: String(amount), divide_by: 1000, round: 'up' } } },
    },
  },
  webhooks: {},
});
const client = (url) => createStripeClient({ apiKey: 'sk_test_bench_0123456789', apiBase: url, maxNetworkRetries: 0 });
// As `openSession` sets it up for --max-rps 25.
const failures = [];
const session = (stripe, url) => {
  const retry = { onRetry: (err) => failures.push(`${err?.statusCode ?? ''} ${err?.message ?? String(err)}`.trim()) };
  const throttle = createThrottle({ rps: LIMIT, concurrency: Math.min(64, Math.max(8, Math.ceil(LIMIT / 2))), retry });
  return { throttle, io: { client: stripe, call: (fn) => throttle.run(fn), mode: 'test', apiBase: url } };
};

/** Runs `fn` over `items`, `width` at a time. */
async function pool(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** The built `alpaca-billing emulator` in a child process; resolves with its URL once it is ready. */
function startEmulator(args) {
  const child = spawn(process.execPath, [join(import.meta.dirname, '../bin/alpaca-billing.cjs'), 'emulator', '--port', '0', '--aggregation-delay', '0', ...args], { env: { PATH: process.env.PATH, CI: 'true' }, stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((r) => child.on('exit', r));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ url: m[1], close: () => { child.kill('SIGTERM'); return exited; } });
    });
    exited.then((code) => reject(new Error(`emulator exited (${code}) before it was ready`)));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'alpaca-bench-migrate-'));
const stateFile = join(dir, 'state.json');
try {
  // Set-up, unlimited: the catalog, then SUBS customers with a subscription and some usage each.
  log(`migrate bench: setting up ${SUBS} subscriptions…`);
  const setup = await startEmulator(['--state', stateFile]);
  const s0 = await client(setup.url);
  const fast = { client: s0, call: (fn) => fn(), mode: 'test', apiBase: setup.url };
  const made0 = await makePlan({ ...fast, desired: catalog(4), options: {} });
  await applyPlan(made0.plan, { ...fast, fingerprint: made0.fingerprint });
  const [price] = (await s0.prices.list({ lookup_keys: ['bench_tokens'] })).data;
  await pool(Array.from({ length: SUBS }, (_, i) => i), 32, async (i) => {
    const customer = await s0.customers.create({ email: `bench-${i}@example.com` });
    await s0.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await s0.billing.meterEvents.create({ event_name: 'bench_tokens', payload: { stripe_customer_id: customer.id, value: String(1000 + i * 7) } });
  });
  await setup.close();

  const emu = await startEmulator(['--state', stateFile, '--latency', String(LATENCY), '--rate-limit', String(LIMIT)]);
  try {
    const stripe = await client(emu.url);
    const rows = [];
    const measure = async (name, fn) => {
      const s = session(stripe, emu.url);
      const started = performance.now();
      const detail = await fn(s.io);
      const seconds = (performance.now() - started) / 1000;
      const successful = s.throttle.stats.requests - s.throttle.stats.failures;
      const bound = successful / LIMIT;
      rows.push({ name, seconds, successful, bound, failures: s.throttle.stats.failures, detail });
      log(`  ${name}: ${seconds.toFixed(1)} s for ${successful} calls (bound ${bound.toFixed(1)} s), ${s.throttle.stats.failures} failed`);
    };

    const loadBefore = loadavg()[0];
    let progress = 0;
    let firstRead;
    await measure('plan with impact', async (io) => {
      const started = performance.now();
      const made = await makePlan({ ...io, desired: catalog(5), options: {}, impact: true, onImpactProgress: (d) => { firstRead ??= performance.now(); if (d - progress >= 250) log(`    usage read ${(progress = d)}/${SUBS}`); } });
      log(`    first usage read done after ${((firstRead - started) / 1000).toFixed(1)} s`);
      const impact = made.plan.changes.find((c) => c.impact)?.impact;
      return `${impact?.subscriptions.length ?? 0} subscriptions priced: $${((impact?.before ?? 0) / 100).toFixed(2)} → $${((impact?.after ?? 0) / 100).toFixed(2)}`;
    });
    await measure('apply --migrate-subscriptions period-end', async (io) => {
      const made = await makePlan({ ...io, desired: catalog(5), options: { migrateSubscriptions: 'period-end' } });
      const result = await applyPlan(made.plan, { ...io, fingerprint: made.fingerprint });
      const m = result.migrations[0];
      if (m.migrated.length !== SUBS || m.failed.length || m.skipped.length) process.exitCode = 1;
      return `${m.migrated.length} scheduled, ${m.failed.length} failed, ${m.skipped.length} skipped; old price archived`;
    });
    for (const f of failures) log(`  retried after: ${f}`);
    const schedules = await stripe.subscriptionSchedules.list({ limit: 1 });
    if (schedules.data.length === 0) process.exitCode = 1;

    const table = rows.map((r) => {
      const pct = ((r.seconds / r.bound - 1) * 100).toFixed(1);
      return `| ${r.name} | ${r.successful} | ${r.bound.toFixed(1)} s | ${r.seconds.toFixed(1)} s (${pct}% over) | ${r.failures} | ${r.detail} |`;
    });
    console.log(`## Price change: plan impact and migration of ${SUBS} subscriptions

\`node bench/migrate.bench.mjs\`: ${SUBS} subscriptions (no test clocks) on a metered package price that the pricing file replaces (4¢ → 5¢ per 1,000), each with usage this period. The emulator answers with ${LATENCY} ms latency and a ${LIMIT} requests/s rate limit (Stripe's test-mode limit); the client-side limiter runs at ${LIMIT}/s (\`--max-rps ${LIMIT}\`) with as many requests in flight as \`openSession\` allows. The bound is the successful API calls ÷ ${LIMIT}/s; the goal is within 15% of it, with 0 requests failed for good. Plan with impact reads one meter event summary per subscription; the migration (\`apply --migrate-subscriptions period-end\`) plans, creates the replacement, gives each subscription a schedule (\`from_subscription\`, then its phases: two calls) and archives the old price.

| Run | API calls | Bound | Time | Failed requests (retried) | Result |
|---|---|---|---|---|---|
${table.join('\n')}

Machine load (1-minute load average) ${loadBefore.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end, on ${cpus().length} cores shared with other work. What is over the bound is mostly the reads that cannot overlap (the account, then the pages of subscriptions, one after another) before the rate-limited work starts.
`);
    for (const r of rows) if (r.seconds > r.bound * 1.15) process.exitCode = 1;
  } finally {
    await emu.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

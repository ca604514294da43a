#!/usr/bin/env node
// Reconcile benchmark: a catalog of 50 meters, 300 products and 600 prices applied to an empty
// emulator with 50 ms latency and a 25 requests/s rate limit (Stripe's test-mode limit), with the
// client-side limiter set to that same 25/s. Reports the first apply's time against the bound
// (API calls ÷ 25/s), failed requests (429s and others, each retried), and the API calls of a
// no-change plan (they grow with pages of 100, not objects).
//
// Sizes (env): BENCH_METERS (50), BENCH_PRODUCTS (300), BENCH_PRICES_PER_PRODUCT (2),
// BENCH_RATE_LIMIT (25), BENCH_LATENCY_MS (50). Takes about a minute with the defaults.
import { performance } from 'node:perf_hooks';

const env = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
const METERS = env('BENCH_METERS', 50);
const PRODUCTS = env('BENCH_PRODUCTS', 300);
const PER_PRODUCT = env('BENCH_PRICES_PER_PRODUCT', 2);
const LIMIT = env('BENCH_RATE_LIMIT', 25);
const LATENCY = env('BENCH_LATENCY_MS', 50);

const { startEmulator } = await import('../dist/emulator/index.js');
const { createStripeClient } = await import('../dist/stripe/client.js');
const { createThrottle } = await import('../dist/stripe/throttle.js');
const { makePlan } = await import('../dist/reconcile/make-plan.js');
const { applyPlan } = await import('../dist/reconcile/apply.js');
const { pendingChanges } = await import('../dist/reconcile/plan.js');

function catalog() {
  const config = { version: 1, meters: {}, products: {}, webhooks: {} };
  for (let m = 0; m < METERS; m++) {
    config.meters[`m${m}`] = { display_name: `Meter ${m}`, event_name: `bench_meter_${m}`, aggregation: 'sum', customer_key: 'stripe_customer_id', value_key: 'value' };
  }
  for (let p = 0; p < PRODUCTS; p++) {
    const prices = {};
    for (let i = 0; i < PER_PRODUCT; i++) {
      prices[`p${i}`] = i % 2 === 0
        ? { lookup_key: `bench_${p}_${i}`, currency: 'usd', active: true, metadata: {}, interval: 'month', interval_count: 1, meter: `m${(p + i) % METERS}`, amount: { kind: 'package', unit_amount: String(1 + (p % 9)), divide_by: 1000, round: 'up' } }
        : { lookup_key: `bench_${p}_${i}`, currency: 'usd', active: true, metadata: {}, interval: 'month', interval_count: 1, amount: { kind: 'per_unit', unit_amount: String(500 + p) } };
    }
    config.products[`bench_product_${p}`] = { name: `Product ${p}`, active: true, metadata: { tier: String(p % 3) }, default_price: 'p0', prices };
  }
  return config;
}

const log = (s) => process.stderr.write(s + '\n');
const emu = await startEmulator({ port: 0, quiet: true, aggregationDelayMs: 0, latencyMs: LATENCY, rateLimit: LIMIT });
try {
  const client = await createStripeClient({ apiKey: 'sk_test_bench_0123456789', apiBase: emu.url, maxNetworkRetries: 0 });
  const desired = catalog();
  const session = () => {
    const throttle = createThrottle({ rps: LIMIT, concurrency: 8 });
    return { throttle, io: { client, call: (fn) => throttle.run(fn), mode: 'test', apiBase: emu.url } };
  };

  log(`reconcile bench: ${METERS} meters, ${PRODUCTS} products, ${PRODUCTS * PER_PRODUCT} prices; ${LATENCY} ms latency, ${LIMIT}/s limit`);
  const first = session();
  const started = performance.now();
  const made = await makePlan({ ...first.io, desired, options: {} });
  let done = 0;
  const result = await applyPlan(made.plan, { ...first.io, onProgress: (p) => { if (++done % 100 === 0) log(`  ${p.done}/${p.total} ${p.phase}`); } });
  const seconds = (performance.now() - started) / 1000;
  const calls = first.throttle.stats.requests;
  const successful = calls - first.throttle.stats.failures;
  const bound = successful / LIMIT;

  const second = session();
  const again = await makePlan({ ...second.io, desired, options: {} });
  const pending = pendingChanges(again.plan).length;

  const pct = ((seconds / bound - 1) * 100).toFixed(1);
  console.log(`## Reconcile: first apply of a large catalog

${METERS} meters, ${PRODUCTS} products and ${PRODUCTS * PER_PRODUCT} prices (half metered package prices, half licensed; every product with a default price) applied to an empty emulator with ${LATENCY} ms latency per request and a ${LIMIT} requests/s rate limit, the client-side limiter at ${LIMIT}/s (\`--max-rps ${LIMIT}\`; the default in test mode is 20/s, under Stripe's 25). Time includes reading the account and planning.

| Measure | Value |
|---|---|
| Objects created | ${result.created.length} |
| API calls (reads + writes, first apply) | ${successful} |
| Rate-limit bound (calls ÷ ${LIMIT}/s) | ${bound.toFixed(1)} s |
| First apply | ${seconds.toFixed(1)} s (${pct}% over the bound; goal ≤ 15%) |
| Failed requests (retried: 429s and others) | ${first.throttle.stats.failures} |
| Requests that failed for good | 0 (apply finished) |
| Changes planned right after | ${pending} |
| API calls of that no-change plan | ${second.throttle.stats.requests} |
`);
  if (pending !== 0) process.exitCode = 1;
} finally {
  await emu.close();
}

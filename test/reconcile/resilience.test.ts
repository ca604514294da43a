import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { catalogYaml, workdir } from './fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Everything in the account, archived objects included, to look for duplicates. */
async function inventory(stripe: Stripe) {
  const all = async <T>(list: (p: { limit: number; starting_after?: string }) => Promise<Stripe.ApiList<T & { id: string }>>) => {
    const out: (T & { id: string })[] = [];
    for (let after: string | undefined; ;) {
      const page = await list({ limit: 100, ...(after ? { starting_after: after } : {}) });
      out.push(...page.data);
      if (!page.has_more) return out;
      after = page.data[page.data.length - 1].id;
    }
  };
  const [meters, products, active, inactive] = await Promise.all([
    all<Stripe.Billing.Meter>((p) => stripe.billing.meters.list(p)),
    all<Stripe.Product>((p) => stripe.products.list(p)),
    all<Stripe.Price>((p) => stripe.prices.list(p)),
    all<Stripe.Price>((p) => stripe.prices.list({ ...p, active: false })),
  ]);
  return { meters, products, prices: [...active, ...inactive] };
}

/** The catalog's 2 meters, 2 products and 4 prices, each exactly once. */
async function expectExactlyTheCatalog(stripe: Stripe, suffix: string) {
  const inv = await inventory(stripe);
  expect(inv.meters.map((m) => m.event_name).filter((n) => n.endsWith(`_${suffix}`)).sort()).toEqual([`alpaca_ai_tokens_${suffix}`, `alpaca_api_calls_${suffix}`]);
  expect(inv.products.map((p) => p.id).filter((id) => id.endsWith(`_${suffix}`)).sort()).toEqual([`alpaca_ai_${suffix}`, `alpaca_pro_${suffix}`]);
  const prices = inv.prices.filter((p) => String(p.product).endsWith(`_${suffix}`));
  expect(prices.map((p) => p.lookup_key).sort()).toEqual([`alpaca_ai_tokens_monthly_${suffix}`, `alpaca_api_calls_monthly_${suffix}`, `alpaca_pro_seats_${suffix}`, `alpaca_pro_volume_${suffix}`]);
}

describe('apply under faults', () => {
  let emu: TestEmulator;
  beforeAll(async () => { emu = await startTestEmulator({ faultRate: 0.2, seed: 7 }); });
  afterAll(async () => { await emu.close(); });

  it('converges through injected 500/503s and dropped connections without duplicating anything', async () => {
    const w = workdir(catalogYaml('f'));
    const applied = await run(['apply', '--yes', '--json', '--max-rps', '500'], { env: emu.env, cwd: w.dir });
    expect(applied.code).toBe(0);
    expect(applied.json().result.retries).toBeGreaterThan(0);
    const again = await run(['plan', '--json', '--detailed-exitcode', '--max-rps', '500'], { env: emu.env, cwd: w.dir });
    expect(again.code).toBe(0);
    await expectExactlyTheCatalog(emu.client({ maxNetworkRetries: 5 }), 'f');
  });
});

describe('apply under a server-side rate limit', () => {
  let emu: TestEmulator;
  beforeAll(async () => { emu = await startTestEmulator({ rateLimit: 10 }); });
  afterAll(async () => { await emu.close(); });

  it('backs off on 429s when --max-rps is set above the limit, and finishes', async () => {
    const w = workdir(catalogYaml('l'));
    const applied = await run(['apply', '--yes', '--json', '--max-rps', '100'], { env: emu.env, cwd: w.dir });
    expect(applied.code).toBe(0);
    expect(applied.json().result.retries).toBeGreaterThan(0);
    expect((await run(['plan', '--detailed-exitcode', '--max-rps', '8'], { env: emu.env, cwd: w.dir })).code).toBe(0);
  });
});

describe('apply killed midway', () => {
  let emu: TestEmulator;
  let onLog: ((line: string) => void) | undefined;
  beforeAll(async () => {
    emu = await startTestEmulator({ latencyMs: 40, quiet: false, log: (line) => onLog?.(line) });
  });
  afterAll(async () => { await emu.close(); });

  it('re-run after SIGKILL finishes the job with no duplicates, then plans nothing', async () => {
    const bin = join(ROOT, 'bin', 'alpaca-billing.cjs');
    if (!existsSync(join(ROOT, 'dist', 'reconcile', 'apply.js'))) throw new Error('this test runs the built CLI: run `npm run build` first');
    const w = workdir(catalogYaml('k'));
    // Slow enough (5 requests/s) that the kill lands between the first price and the others.
    const child = spawn(process.execPath, [bin, 'apply', '--yes', '--max-rps', '5'], { cwd: w.dir, env: { ...emu.env, CI: 'true', PATH: process.env.PATH }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve) => {
      onLog = (line) => { if (/^POST \/v1\/prices 200/.test(line)) { child.kill('SIGKILL'); resolve(); } };
      // If the CLI ends on its own (e.g. a broken build), the assertion below says so.
      child.on('exit', () => resolve());
    });
    expect(await exited).toBe('SIGKILL');
    onLog = undefined;
    const partial = await inventory(emu.stripe);
    const createdPrices = partial.prices.filter((p) => String(p.product).endsWith('_k')).length;
    expect(createdPrices).toBeGreaterThan(0);
    expect(createdPrices).toBeLessThan(4);

    const rerun = await run(['apply', '--yes', '--max-rps', '500'], { env: emu.env, cwd: w.dir });
    expect(rerun.code).toBe(0);
    await expectExactlyTheCatalog(emu.stripe, 'k');
    expect((await run(['plan', '--detailed-exitcode', '--max-rps', '500'], { env: emu.env, cwd: w.dir })).code).toBe(0);
  });
});

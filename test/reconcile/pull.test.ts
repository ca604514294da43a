import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePricing } from '../../src/config/validate.js';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { catalogYaml, workdir } from './fixtures.js';

let emu: TestEmulator;
beforeAll(async () => { emu = await startTestEmulator(); });
afterAll(async () => { await emu.close(); });

const cli = (dir: string, ...args: string[]) => run([...args, '--max-rps', '500'], { env: emu.env, cwd: dir });

describe('pull', () => {
  it('writes a valid pricing.yaml that plans no changes, and refuses to overwrite a file', async () => {
    const source = workdir(catalogYaml('r'));
    expect((await cli(source.dir, 'apply', '--yes')).code).toBe(0);

    const target = workdir('version: 1\n');
    const refused = await cli(target.dir, 'pull', '-o', 'pricing.yaml');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/already exists.*--force/s);

    const pulled = await cli(target.dir, 'pull', '-o', 'pricing.yaml', '--force');
    expect(pulled.code).toBe(0);
    const text = readFileSync(join(target.dir, 'pricing.yaml'), 'utf8');
    const { config, problems } = parsePricing(text, 'pricing.yaml');
    expect(problems).toEqual([]);
    expect(config?.products.alpaca_ai_r).toMatchObject({ name: 'Alpaca AI', default_price: 'alpaca_ai_tokens_monthly_r', metadata: { team: 'ml' } });
    expect(config?.products.alpaca_pro_r.prices.alpaca_pro_volume_r.amount).toEqual({ kind: 'tiered', mode: 'graduated', tiers: [{ up_to: 1000, unit_amount: '0', flat_amount: '500' }, { up_to: 'inf', unit_amount: '0.5' }] });
    expect(text).not.toMatch(/managed_by/);

    const replan = await cli(target.dir, 'plan', '--detailed-exitcode', '--json');
    expect(replan.code).toBe(0);
    expect(replan.json().summary).toMatchObject({ create: 0, update: 0, replace: 0, archive: 0, unmanaged: 0 });
  });

  it('brings hand-made objects under management: pull, then apply --adopt, then nothing to do', async () => {
    const meter = await emu.stripe.billing.meters.create({ display_name: 'Hand', event_name: 'hand_events', default_aggregation: { formula: 'count' } });
    await emu.stripe.products.create({ id: 'hand_made', name: 'Hand made' });
    await emu.stripe.prices.create({ product: 'hand_made', currency: 'usd', lookup_key: 'hand_monthly', unit_amount: 25, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id } });
    await emu.stripe.prices.create({ product: 'hand_made', currency: 'usd', unit_amount: 99, recurring: { interval: 'month' } });

    const w = workdir('version: 1\n');
    const pulled = await cli(w.dir, 'pull');
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toMatch(/skipped price price_\w+ \(hand_made\): no lookup_key/);
    expect(pulled.stderr).toMatch(/--adopt/);
    writeFileSync(join(w.dir, 'pricing.yaml'), pulled.stdout);

    const plain = (await cli(w.dir, 'plan', '--json')).json();
    expect(plain.changes.filter((c: { unmanaged?: boolean }) => !c.unmanaged)).toEqual([]);
    expect(plain.changes.map((c: { key: string }) => c.key)).toEqual(expect.arrayContaining(['hand_made', 'hand_monthly']));

    expect((await cli(w.dir, 'apply', '--yes', '--adopt')).code).toBe(0);
    const after = await cli(w.dir, 'plan', '--json', '--detailed-exitcode');
    expect(after.code).toBe(0);
    expect(after.json().summary.unmanaged).toBe(0);
  });

  it('includes archived products and prices only with --all, and either way plans no changes', async () => {
    const source = workdir(catalogYaml('s'));
    expect((await cli(source.dir, 'apply', '--yes')).code).toBe(0);
    await emu.stripe.products.update('alpaca_pro_s', { active: false });
    const [seats] = (await emu.stripe.prices.list({ lookup_keys: ['alpaca_pro_seats_s'] })).data;
    await emu.stripe.prices.update(seats.id, { active: false });

    const active = await cli(source.dir, 'pull');
    expect(active.stdout).not.toMatch(/alpaca_pro_s:/);
    const all = await cli(source.dir, 'pull', '--all');
    const { config } = parsePricing(all.stdout, 'pulled.yaml');
    expect(config?.products.alpaca_pro_s).toMatchObject({ active: false, prices: { alpaca_pro_seats_s: { active: false } } });

    for (const text of [active.stdout, all.stdout]) {
      const w = workdir(text);
      expect((await cli(w.dir, 'plan', '--detailed-exitcode')).code).toBe(0);
    }
  });
});

import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePricing } from '../../src/config/validate.js';
import { scriptedPrompter } from '../../src/output/prompt.js';
import { run } from '../helpers/cli.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'ab-init-'));

describe('init', () => {
  it('writes a pricing.yaml from flags alone (no TTY) that validate accepts', async () => {
    const cwd = tempDir();
    const res = await run(['init', '--yes', '--product', 'Acme Search', '--meter-event', 'acme_queries', '--aggregation', 'count', '--price-form', 'per-unit', '--amount', '0.25', '--currency', 'eur'], { cwd });
    expect(res.code).toBe(0);
    const text = readFileSync(join(cwd, 'pricing.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./pricing.schema.json');
    const { config, problems } = parsePricing(text, 'pricing.yaml');
    expect(problems).toEqual([]);
    expect(config!.meters.queries).toMatchObject({ event_name: 'acme_queries', aggregation: 'count' });
    expect(config!.products.acme_search.name).toBe('Acme Search');
    const price = Object.values(config!.products.acme_search.prices)[0];
    expect(price).toMatchObject({ currency: 'eur', meter: 'queries', amount: { kind: 'per_unit', unit_amount: '0.25' } });
    expect((await run(['validate'], { cwd })).stdout).toContain('valid: 1 meter, 1 product, 1 price');
  });

  it("defaults to Alpaca AI's package price", async () => {
    const cwd = tempDir();
    expect((await run(['init', '--yes'], { cwd })).code).toBe(0);
    const { config } = parsePricing(readFileSync(join(cwd, 'pricing.yaml'), 'utf8'), 'pricing.yaml');
    const price = Object.values(config!.products.alpaca_ai.prices)[0];
    expect(price.amount).toEqual({ kind: 'package', unit_amount: '4', divide_by: 1000, round: 'up' });
  });

  it('writes graduated tiers', async () => {
    const cwd = tempDir();
    expect((await run(['init', '--yes', '--price-form', 'tiered', '--tiers', '1000:0,100000:0.5,inf:0.25', '-o', 'tiered.yaml'], { cwd })).code).toBe(0);
    const { config, problems } = parsePricing(readFileSync(join(cwd, 'tiered.yaml'), 'utf8'), 'tiered.yaml');
    expect(problems).toEqual([]);
    const price = Object.values(config!.products.alpaca_ai.prices)[0];
    expect(price.amount).toMatchObject({ kind: 'tiered', mode: 'graduated', tiers: [{ up_to: 1000 }, { up_to: 100000, unit_amount: '0.5' }, { up_to: 'inf', unit_amount: '0.25' }] });
  });

  it('asks the questions on a terminal', async () => {
    const cwd = tempDir();
    const prompter = scriptedPrompter({ 'Product name': 'Llama Vision', 'Meter event': 'llama_images', 'add up': 'sum', Currency: 'usd', interval: 'month', 'Price form': 'package', 'Amount per package': '10', 'Units per package': '100' });
    expect((await run(['init'], { cwd, prompter })).code).toBe(0);
    const { config } = parsePricing(readFileSync(join(cwd, 'pricing.yaml'), 'utf8'), 'pricing.yaml');
    expect(config!.products.llama_vision.name).toBe('Llama Vision');
    expect(Object.values(config!.products.llama_vision.prices)[0].amount).toEqual({ kind: 'package', unit_amount: '10', divide_by: 100, round: 'up' });
  });

  it('without a TTY and without --yes, names the flag it needs', async () => {
    const cwd = tempDir();
    const res = await run(['init'], { cwd });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('--product');
    expect(existsSync(join(cwd, 'pricing.yaml'))).toBe(false);
  });

  it('refuses to overwrite an existing file without --force', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'pricing.yaml'), 'keep me\n');
    const res = await run(['init', '--yes'], { cwd });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('--force');
    expect(readFileSync(join(cwd, 'pricing.yaml'), 'utf8')).toBe('keep me\n');
    expect((await run(['init', '--yes', '--force'], { cwd })).code).toBe(0);
    expect(readFileSync(join(cwd, 'pricing.yaml'), 'utf8')).toContain('alpaca_ai');
  });

  it('rejects answers that do not make a valid file, writing nothing', async () => {
    const cwd = tempDir();
    const res = await run(['init', '--yes', '--currency', 'dollars'], { cwd });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/currency/);
    expect(existsSync(join(cwd, 'pricing.yaml'))).toBe(false);
  });
});

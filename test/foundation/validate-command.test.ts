import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { run } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const tempDir = () => mkdtempSync(resolve(tmpdir(), 'alpaca-validate-'));

describe('alpaca-billing validate', () => {
  it('accepts the canonical pricing.yaml', async () => {
    const result = await run(['validate'], { cwd: root });
    expect(result).toMatchObject({ code: 0, stdout: 'valid: 1 meter, 1 product, 1 price\n', stderr: '' });
  });

  it('prints one JSON document with --json', async () => {
    const result = await run(['validate', '--json'], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ ok: true, file: resolve(root, 'pricing.yaml'), meters: 1, products: 1, prices: 1, webhooks: 0, alerts: 0 });
  });

  it('prints every problem as JSON with --json, and exits 3', async () => {
    const dir = tempDir();
    const text = readFileSync(resolve(root, 'pricing.yaml'), 'utf8').replace('currency: usd', 'currency: USD').replace('aggregation: sum', 'aggregation: avg');
    writeFileSync(resolve(dir, 'pricing.yaml'), text);
    // Positions are 1-based, found in the text itself so that editing the canonical file keeps this test true.
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const colOf = (needle: string, value: string) => text.split('\n')[lineOf(needle) - 1].indexOf(value) + 1;
    const result = await run(['validate', '--json'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('');
    const doc = result.json();
    expect(doc.ok).toBe(false);
    expect(doc.error.problems).toEqual([
      expect.objectContaining({ file: 'pricing.yaml', line: lineOf('aggregation: avg'), col: colOf('aggregation: avg', 'avg'), path: 'meters.tokens.aggregation', message: expect.stringMatching(/must be one of sum, count, last/) }),
      expect.objectContaining({ file: 'pricing.yaml', line: lineOf('currency: USD'), col: colOf('currency: USD', 'USD'), path: 'products.alpaca_ai.prices.tokens_monthly.currency', hint: 'Write it in lowercase: usd.' }),
    ]);
  });

  it('reads -f, and counts plurals and webhook endpoints', async () => {
    const dir = tempDir();
    writeFileSync(
      resolve(dir, 'catalog.yaml'),
      `version: 1
products:
  seats:
    name: Seats
    prices:
      monthly: { lookup_key: seats_monthly, currency: usd, interval: month, unit_amount: 1500 }
      yearly: { lookup_key: seats_yearly, currency: usd, interval: year, unit_amount: 15000 }
webhooks:
  main: { url: "https://example.com/hooks", events: [invoice.paid, invoice.payment_failed] }
`,
    );
    const result = await run(['validate', '-f', 'catalog.yaml'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stdout: 'valid: 0 meters, 1 product, 2 prices, 1 webhook endpoint\n' });
  });

  it('names a missing file and exits 3 without writing anything', async () => {
    const dir = tempDir();
    const result = await run(['validate', '-f', 'nope.yaml'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/No pricing file at nope.yaml/);
    expect(existsSync(resolve(dir, 'nope.yaml'))).toBe(false);
  });

  it('reports a YAML syntax error with its position', async () => {
    const dir = tempDir();
    writeFileSync(resolve(dir, 'pricing.yaml'), 'version: 1\nmeters:\n  tokens: [unclosed\n');
    const result = await run(['validate'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/pricing\.yaml:4:1 {2}\(root\) {2}YAML syntax error: Flow sequence/);
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createCustomers, createMeter, generateUsage, tempDir, totalsFor, writeUsage } from './helpers/fixtures.js';

let emu: TestEmulator;
let meterId: string;
let customers: string[];

beforeAll(async () => {
  emu = await startTestEmulator();
  meterId = (await createMeter(emu.stripe, 'api_tokens')).id;
  customers = await createCustomers(emu.stripe, 3);
});
afterAll(() => emu.close());

describe('usage ingest', () => {
  it('delivers an NDJSON file exactly, and a re-run sends nothing', async () => {
    const dir = await tempDir();
    const usage = generateUsage(customers, 1234);
    await writeUsage(dir, 'usage.ndjson', usage.text);
    const first = await run(['usage', 'ingest', 'usage.ndjson', '--meter', 'api_tokens', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({ ok: true, read: 1234, sent: 1234, already_sent: 0, rejected: 0, failed: 0 });
    expect(await totalsFor(emu.stripe, meterId, customers)).toEqual(usage.totals);

    const again = await run(['usage', 'ingest', 'usage.ndjson', '--meter', 'api_tokens', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir });
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ read: 1234, sent: 0, already_sent: 1234 });
    expect(await totalsFor(emu.stripe, meterId, customers)).toEqual(usage.totals);
  });

  it('reads CSV with per-line meters resolved by event name', async () => {
    const fresh = await createCustomers(emu.stripe, 2);
    const dir = await tempDir();
    const usage = generateUsage(fresh, 300, { format: 'csv', withIdentifiers: true });
    await writeUsage(dir, 'usage.csv', usage.text);
    const res = await run(['usage', 'ingest', 'usage.csv', '--meter', 'api_tokens', '--max-rps', '0'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/sent\s+300/);
    // Checked the way support staff would: with usage summary.
    for (const customer of fresh) {
      const summary = await run(['usage', 'summary', '--customer', customer, '--meter', 'api_tokens', '--from', String(Math.floor(Date.now() / 1000) - 86_400), '--json'], { env: emu.env, cwd: dir });
      expect(summary.json().total).toBe(usage.totals[customer]);
    }
  });

  it('rejects bad lines with their line numbers and delivers the good ones', async () => {
    const fresh = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    const now = Math.floor(Date.now() / 1000);
    const good = (value: number) => JSON.stringify({ customer: fresh[0], value, timestamp: now - 60 });
    const text = [
      good(1),
      '{"customer": broken',
      JSON.stringify({ customer: fresh[0], timestamp: now }),
      JSON.stringify({ customer: fresh[0], value: 2.5, timestamp: now }),
      JSON.stringify({ customer: fresh[0], value: 3, timestamp: now - 40 * 86_400 }),
      JSON.stringify({ customer: fresh[0], value: 3, timestamp: now + 3600 }),
      JSON.stringify({ customer: fresh[0], value: 3, timestamp: now, meter: 'no_such_meter' }),
      good(10),
    ].join('\n') + '\n';
    await writeUsage(dir, 'mixed.ndjson', text);
    const res = await run(['usage', 'ingest', 'mixed.ndjson', '--meter', 'api_tokens', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    const report = res.json();
    expect(report).toMatchObject({ read: 8, sent: 2, rejected: 6 });
    const rejects = (await readFile(join(dir, report.rejects_file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, expect.stringMatching(/unparseable JSON/)],
      [3, 'missing value'],
      [4, expect.stringMatching(/not a whole number/)],
      [5, expect.stringMatching(/more than 35 days in the past/)],
      [6, expect.stringMatching(/more than 5 minutes in the future/)],
      [7, expect.stringMatching(/unknown meter 'no_such_meter'/)],
    ]);
    expect(rejects[0].text).toBe('{"customer": broken');
    expect(await totalsFor(emu.stripe, meterId, fresh)).toEqual({ [fresh[0]]: 11 });
  });

  it('validates only with --dry-run', async () => {
    const fresh = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    await writeUsage(dir, 'u.ndjson', generateUsage(fresh, 50).text);
    const res = await run(['usage', 'ingest', 'u.ndjson', '--meter', 'api_tokens', '--dry-run', '--json'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ dry_run: true, read: 50, sent: 0, rejected: 0 });
    expect(await totalsFor(emu.stripe, meterId, fresh)).toEqual({ [fresh[0]]: 0 });
  });

  it('reads stdin', async () => {
    const fresh = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    const usage = generateUsage(fresh, 120, { meter: 'api_tokens' });
    const res = await run(['usage', 'ingest', '-', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir, stdin: usage.text });
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ source: 'stdin', sent: 120 });
    expect(await totalsFor(emu.stripe, meterId, fresh)).toEqual(usage.totals);
  });

  it('reads CSV from stdin with --format csv', async () => {
    const fresh = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    const usage = generateUsage(fresh, 40, { format: 'csv' });
    const res = await run(['usage', 'ingest', '-', '--format', 'csv', '--meter', 'api_tokens', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir, stdin: usage.text });
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ read: 40, sent: 40 });
    expect(await totalsFor(emu.stripe, meterId, fresh)).toEqual(usage.totals);
  });

  it('refuses an unknown --meter and a missing file with exit 3', async () => {
    const dir = await tempDir();
    await writeUsage(dir, 'u.ndjson', '');
    const badMeter = await run(['usage', 'ingest', 'u.ndjson', '--meter', 'nope'], { env: emu.env, cwd: dir });
    expect(badMeter.code).toBe(3);
    expect(badMeter.stderr).toMatch(/--meter: unknown meter 'nope'/);
    const missing = await run(['usage', 'ingest', 'absent.ndjson'], { env: emu.env, cwd: dir });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/Cannot read absent\.ndjson: no such file/);
  });
});

describe('usage ingest with pricing.yaml meter keys and custom payload keys', () => {
  const pricing = `version: 1
meters:
  tokens:
    display_name: Alpaca AI tokens
    event_name: alpaca_ai_tokens
    aggregation: sum
    customer_key: account
    value_key: tokens
products: {}
`;

  it('validates offline in a dry run from pricing.yaml alone', async () => {
    const dir = await tempDir();
    await writeUsage(dir, 'pricing.yaml', pricing);
    await writeUsage(dir, 'u.ndjson', generateUsage(['cus_offline1'], 20).text + '{"customer":"cus_offline1","value":1,"timestamp":1,"meter":"gpu"}\n');
    const res = await run(['usage', 'ingest', 'u.ndjson', '--meter', 'tokens', '--dry-run', '--json'], { env: {}, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ read: 21, rejected: 1 });
  });

  it('maps the meter key to its event name and fills the meter’s own payload keys', async () => {
    const meter = await emu.stripe.billing.meters.create({
      display_name: 'Alpaca AI tokens',
      event_name: 'alpaca_ai_tokens',
      default_aggregation: { formula: 'sum' },
      customer_mapping: { type: 'by_id', event_payload_key: 'account' },
      value_settings: { event_payload_key: 'tokens' },
    });
    const fresh = await createCustomers(emu.stripe, 2);
    const dir = await tempDir();
    await writeUsage(dir, 'pricing.yaml', pricing);
    const usage = generateUsage(fresh, 250, { meter: 'tokens' });
    await writeUsage(dir, 'u.ndjson', usage.text);
    const res = await run(['usage', 'ingest', 'u.ndjson', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ sent: 250, rejected: 0 });
    expect(await totalsFor(emu.stripe, meter.id, fresh)).toEqual(usage.totals);
  });
});

describe('usage ingest journals', () => {
  it('keeps files of the same name in different folders apart, and follows a file that grows', async () => {
    const fresh = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'jan'));
    await mkdir(join(dir, 'feb'));
    const now = Math.floor(Date.now() / 1000);
    const line = (value: number, ago: number) => JSON.stringify({ customer: fresh[0], value, timestamp: now - ago }) + '\n';
    await writeUsage(dir, 'jan/usage.ndjson', line(1, 900) + line(2, 800));
    await writeUsage(dir, 'feb/usage.ndjson', line(10, 700) + line(20, 600));
    const ingest = (file: string) => run(['usage', 'ingest', file, '--meter', 'api_tokens', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir });
    expect((await ingest('jan/usage.ndjson')).json()).toMatchObject({ sent: 2 });
    expect((await ingest('feb/usage.ndjson')).json()).toMatchObject({ sent: 2, already_sent: 0 });
    expect((await ingest('jan/usage.ndjson')).json()).toMatchObject({ sent: 0, already_sent: 2 });
    const { appendFile } = await import('node:fs/promises');
    await appendFile(join(dir, 'jan/usage.ndjson'), line(100, 500));
    expect((await ingest('jan/usage.ndjson')).json()).toMatchObject({ sent: 1, already_sent: 2 });
    expect(await totalsFor(emu.stripe, meterId, fresh)).toEqual({ [fresh[0]]: 133 });
  });
});

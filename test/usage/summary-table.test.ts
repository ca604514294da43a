/** The human table of `usage summary`: a readable number of rows (empty windows left out, and said so). */
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createCustomers, createMeter, tempDir } from './helpers/fixtures.js';

let emu: TestEmulator;
let dir: string;
const HOUR = 3600;
const DAY = 24 * HOUR;

beforeAll(async () => {
  emu = await startTestEmulator();
  dir = await tempDir();
});
afterAll(() => emu.close());

const summary = (args: string[]) => run(['usage', 'summary', ...args], { env: emu.env, cwd: dir });

it('lists only the hours with usage, says how many empty ones it left out, and --csv still has every window', async () => {
  const meter = await createMeter(emu.stripe, 'sparse_metric');
  const [customer] = await createCustomers(emu.stripe, 1);
  const from = Math.floor(Date.now() / 1000 / DAY) * DAY - 7 * DAY;
  await emu.stripe.billing.meterEvents.create({ event_name: 'sparse_metric', payload: { stripe_customer_id: customer, value: '5' }, timestamp: from + 2 * HOUR + 10 });
  await emu.stripe.billing.meterEvents.create({ event_name: 'sparse_metric', payload: { stripe_customer_id: customer, value: '9' }, timestamp: from + 50 * HOUR });
  const flags = ['--customer', customer, '--meter', meter.event_name, '--from', String(from), '--to', String(from + 7 * DAY), '--group', 'hour'];

  const res = await summary(flags);
  expect(res.code).toBe(0);
  const rows = res.stdout.split('\n').filter((line) => /^\d{4}-\d\d-\d\d \d\d:00 /.test(line));
  expect(rows.map((row) => row.split(/\s{2,}/))).toEqual([
    [new Date((from + 2 * HOUR) * 1000).toISOString().slice(0, 16).replace('T', ' '), '5'],
    [new Date((from + 50 * HOUR) * 1000).toISOString().slice(0, 16).replace('T', ' '), '9'],
  ]);
  expect(res.stdout).toMatch(/total\s+14/);
  expect(res.stdout).toContain('166 hours without usage not shown; --csv or --json lists every window');

  const csv = await summary([...flags, '--csv']);
  expect(csv.stdout.trim().split('\n')).toHaveLength(1 + 7 * 24);
});

it('says so when the period has no usage at all', async () => {
  const meter = await createMeter(emu.stripe, 'idle_metric');
  const [customer] = await createCustomers(emu.stripe, 1);
  const from = Math.floor(Date.now() / 1000 / DAY) * DAY - 3 * DAY;
  const res = await summary(['--customer', customer, '--meter', meter.event_name, '--from', String(from), '--to', String(from + 2 * DAY), '--group', 'day']);
  expect(res.code).toBe(0);
  expect(res.stdout).toContain('no usage in these 2 days');
  expect(res.stdout).toMatch(/total\s+0/);
});

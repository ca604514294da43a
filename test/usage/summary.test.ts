import type Stripe from 'stripe';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createCustomers, createMeter, tempDir } from './helpers/fixtures.js';

let emu: TestEmulator;
let dir: string;
const HOUR = 3600;
const alignedHour = () => Math.floor(Date.now() / 1000 / HOUR) * HOUR;

beforeAll(async () => {
  emu = await startTestEmulator();
  dir = await tempDir();
});
afterAll(() => emu.close());

async function meterWithPrice(eventName: string, price: Record<string, unknown>) {
  const meter = await createMeter(emu.stripe, eventName);
  const product = await emu.stripe.products.create({ name: eventName });
  const created = await emu.stripe.prices.create({ currency: 'usd', product: product.id, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id }, ...price } as unknown as Stripe.PriceCreateParams);
  return { meter, price: created };
}

async function record(eventName: string, customer: string, value: number, timestamp: number) {
  await emu.stripe.billing.meterEvents.create({ event_name: eventName, payload: { stripe_customer_id: customer, value: String(value) }, timestamp });
}

const summary = (args: string[]) => run(['usage', 'summary', ...args], { env: emu.env, cwd: dir });

describe('usage summary', () => {
  it('defaults to the subscription’s current period and estimates a package price in dollars', async () => {
    await meterWithPrice('alpaca_tokens', { unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' } });
    const price = (await emu.stripe.prices.list({ limit: 1 })).data[0];
    const customer = (await emu.stripe.customers.create({ email: 'pkg@example.com' })).id;
    const sub = await emu.stripe.subscriptions.create({ customer, items: [{ price: price.id }] });
    const now = Math.floor(Date.now() / 1000);
    await record('alpaca_tokens', customer, 1_234_000, now);
    await record('alpaca_tokens', customer, 567, now);
    const res = await summary(['--customer', 'pkg@example.com', '--meter', 'alpaca_tokens', '--json']);
    expect(res.code).toBe(0);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['customer', 'meter', 'from', 'to', 'from_iso', 'to_iso', 'total', 'estimated_cost', 'credit', 'due', 'windows']);
    expect(body).toMatchObject({ customer, meter: 'alpaca_tokens', total: 1_234_567, estimated_cost: { amount: '49.40', currency: 'usd' } });
    const start = sub.items.data[0].current_period_start;
    // Times in Unix seconds as the README's JSON contract says, the ISO form under *_iso.
    expect(body.from).toBe(Math.floor(start / 60) * 60);
    expect(body.from_iso).toBe(new Date(Math.floor(start / 60) * 60 * 1000).toISOString().replace('.000Z', 'Z'));
    expect(body.windows.reduce((n: number, w: { value: number }) => n + w.value, 0)).toBe(1_234_567);

    const human = await summary(['--customer', customer, '--meter', 'alpaca_tokens']);
    expect(human.stdout).toMatch(/total\s+1,234,567/);
    expect(human.stdout).toMatch(/estimated\s+\$49\.40/);
    // The package rounding, in the meter's own unit name (its display name), as the invoice preview shows it.
    expect(human.stdout).toContain('1,234,567 alpaca_tokens → 1,235 × 1,000 alpaca_tokens × $0.04 = $49.40');
    expect(human.stdout).toMatch(new RegExp(`current period of ${sub.id}`));
    expect(human.stderr).toMatch(/may not be aggregated yet/);
  });

  it('costs per-unit decimal and graduated tiered prices', async () => {
    await meterWithPrice('gpu_ms', { unit_amount_decimal: '0.5' });
    await meterWithPrice('requests', { billing_scheme: 'tiered', tiers_mode: 'graduated', tiers: [{ up_to: 100, unit_amount: 10 }, { up_to: 'inf', unit_amount: 1 }] });
    const [customer] = await createCustomers(emu.stripe, 1);
    const at = alignedHour() - 2 * HOUR + 5;
    await record('gpu_ms', customer, 1001, at);
    await record('requests', customer, 150, at);
    const from = String(alignedHour() - 3 * HOUR);
    const to = String(alignedHour());
    const gpu = await summary(['--customer', customer, '--meter', 'gpu_ms', '--from', from, '--to', to, '--json']);
    expect(gpu.json()).toMatchObject({ total: 1001, estimated_cost: { amount: '5.01', currency: 'usd' } }); // 500.5¢ rounds half up
    const req = await summary(['--customer', customer, '--meter', 'requests', '--from', from, '--to', to, '--json']);
    expect(req.json()).toMatchObject({ total: 150, estimated_cost: { amount: '10.50' } }); // 100×10¢ + 50×1¢
  });

  it("names the product's unit label in the cost explanation, as the invoice preview does", async () => {
    const meter = await createMeter(emu.stripe, 'labelled_tokens');
    const product = await emu.stripe.products.create({ name: 'Labelled', unit_label: 'tokens' });
    await emu.stripe.prices.create({ currency: 'usd', product: product.id, unit_amount: 4, transform_quantity: { divide_by: 1000, round: 'up' }, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id } });
    const [customer] = await createCustomers(emu.stripe, 1);
    const at = alignedHour() - 2 * HOUR + 5;
    await record('labelled_tokens', customer, 2500, at);
    const res = await summary(['--customer', customer, '--meter', 'labelled_tokens', '--from', String(alignedHour() - 3 * HOUR), '--to', String(alignedHour())]);
    expect(res.stdout).toContain('2,500 tokens → 3 × 1,000 tokens × $0.04 = $0.12');
  });

  it('returns hour windows with their values, and CSV', async () => {
    const meter = await createMeter(emu.stripe, 'windows_metric');
    const [customer] = await createCustomers(emu.stripe, 1);
    const h0 = alignedHour() - 3 * HOUR;
    await record('windows_metric', customer, 3, h0 + 10);
    await record('windows_metric', customer, 4, h0 + 2 * HOUR + 59);
    const res = await summary(['--customer', customer, '--meter', meter.event_name, '--from', String(h0), '--to', String(h0 + 3 * HOUR), '--group', 'hour', '--json']);
    const body = res.json();
    expect(body.estimated_cost).toBeNull();
    expect(body.windows.map((w: { value: number }) => w.value)).toEqual([3, 0, 4]);
    expect(body.windows[0]).toEqual({ start: h0, end: h0 + HOUR, value: 3 });
    const csv = await summary(['--customer', customer, '--meter', meter.event_name, '--from', String(h0), '--to', String(h0 + 3 * HOUR), '--csv']);
    expect(csv.stdout.trim().split('\n')).toHaveLength(4);
    expect(csv.stdout).toMatch(/^start,end,value\n.*,3\n.*,0\n.*,4\n$/);
  });

  it('rounds unaligned times as Stripe requires and says so', async () => {
    const meter = await createMeter(emu.stripe, 'aligned_metric');
    const [customer] = await createCustomers(emu.stripe, 1);
    const h0 = alignedHour() - 5 * HOUR;
    await record('aligned_metric', customer, 7, h0 + 30 * 60);
    const res = await summary(['--customer', customer, '--meter', meter.event_name, '--from', String(h0 + 15 * 60 + 30), '--to', String(h0 + 2 * HOUR + 10), '--group', 'hour']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/rounded the start .* down to the minute/);
    expect(res.stderr).toMatch(/rounded the end .* down to the minute/);
    expect(res.stderr).toMatch(/hour windows need whole hours/);
    expect(res.stdout).toMatch(/total\s+7/);
  });

  it('uses the current UTC month without a subscription', async () => {
    const meter = await createMeter(emu.stripe, 'monthly_metric');
    const [customer] = await createCustomers(emu.stripe, 1);
    await record('monthly_metric', customer, 2, Math.floor(Date.now() / 1000) - 30);
    const body = (await summary(['--customer', customer, '--meter', meter.event_name, '--json'])).json();
    const d = new Date();
    expect(body.from).toBe(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000);
    expect(body.total).toBe(2);
  });

  it('refuses bad flags with exit 3', async () => {
    const [customer] = await createCustomers(emu.stripe, 1);
    await createMeter(emu.stripe, 'flag_metric');
    const bad = await summary(['--customer', customer, '--meter', 'flag_metric', '--from', 'last week']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--from 'last week' is neither Unix seconds nor ISO 8601/);
    const reversed = await summary(['--customer', customer, '--meter', 'flag_metric', '--from', '2026-11-02', '--to', '2026-11-01']);
    expect(reversed.code).toBe(3);
    expect(reversed.stderr).toMatch(/must be before --to/);
  });
});

import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createCustomers, createMeter, tempDir, totalFor } from './helpers/fixtures.js';

let emu: TestEmulator;
let meterId: string;
let dir: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  meterId = (await createMeter(emu.stripe, 'api_calls')).id;
  dir = await tempDir();
});
afterAll(() => emu.close());

const send = (args: string[]) => run(['usage', 'send', '--meter', 'api_calls', ...args], { env: emu.env, cwd: dir });

describe('usage send', () => {
  it('records an event, prints a generated identifier, and counts a resend once', async () => {
    const [customer] = await createCustomers(emu.stripe, 1);
    const first = await send(['--customer', customer, '--value', '5', '--json']);
    expect(first.code).toBe(0);
    const { identifier } = first.json();
    expect(identifier).toMatch(/^alp_/);
    const again = await send(['--customer', customer, '--value', '5', '--identifier', identifier, '--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ duplicate: true });
    expect(await totalFor(emu.stripe, meterId, customer)).toBe(5);
  });

  it('finds the customer by email and takes an ISO timestamp and a negative correction', async () => {
    const customer = (await emu.stripe.customers.create({ email: 'sender@example.com' })).id;
    const ts = new Date(Date.now() - 2 * 86_400_000).toISOString();
    expect((await send(['--customer', customer, '--value', '10', '--timestamp', ts])).code).toBe(0);
    const neg = await send(['--customer', 'sender@example.com', '--value=-3', '--identifier', 'fix-1']);
    expect(neg.code).toBe(0);
    expect(neg.stdout).toMatch(/recorded -3 on api_calls/);
    expect(neg.stdout).toMatch(/identifier fix-1\n/);
    expect(await totalFor(emu.stripe, meterId, customer)).toBe(7);
  });

  it.each([
    [['--value', '1.5'], /--value: value "1\.5" is not a whole number/],
    [['--value', 'ten'], /--value: value "ten" is not a whole number/],
    [['--value', '1', '--timestamp', String(Math.floor(Date.now() / 1000) - 36 * 86_400)], /--timestamp: .*more than 35 days in the past/],
    [['--value', '1', '--timestamp', new Date(Date.now() + 3_600_000).toISOString()], /--timestamp: .*more than 5 minutes in the future/],
    [['--value', '1', '--timestamp', 'tomorrow'], /--timestamp: timestamp 'tomorrow' is neither/],
    [['--value', '1', '--identifier', 'x'.repeat(101)], /--identifier is longer than 100/],
    [['--value', '1', '--meter', 'gpu_seconds'], /--meter: unknown meter 'gpu_seconds'/],
  ])('refuses %p with exit 3 before sending', async (args, message) => {
    const [customer] = await createCustomers(emu.stripe, 1);
    const res = await run(['usage', 'send', '--meter', 'api_calls', '--customer', customer, ...args], { env: emu.env, cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(message);
    expect(await totalFor(emu.stripe, meterId, customer)).toBe(0);
  });

  it('refuses an inactive meter', async () => {
    const meter = await createMeter(emu.stripe, 'retired_metric');
    await emu.stripe.billing.meters.deactivate(meter.id);
    const [customer] = await createCustomers(emu.stripe, 1);
    const res = await run(['usage', 'send', '--meter', 'retired_metric', '--customer', customer, '--value', '1'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/meter 'retired_metric' is inactive/);
  });

  it('refuses an unknown customer reference', async () => {
    const res = await send(['--customer', 'nobody@example.com', '--value', '1']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/nobody@example\.com/);
  });
});

describe('usage cancel', () => {
  it('cancels a recent event so it leaves the totals, and says so again idempotently', async () => {
    const [customer] = await createCustomers(emu.stripe, 1);
    await send(['--customer', customer, '--value', '4', '--identifier', 'keep-1']);
    await send(['--customer', customer, '--value', '6', '--identifier', 'oops-1']);
    const res = await run(['usage', 'cancel', '--meter', 'api_calls', '--identifier', 'oops-1'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/cancelled event oops-1 on api_calls/);
    expect(await totalFor(emu.stripe, meterId, customer)).toBe(4);
    const again = await run(['usage', 'cancel', '--meter', 'api_calls', '--identifier', 'oops-1', '--json'], { env: emu.env, cwd: dir });
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ already_cancelled: true });
  });

  it('explains when the event is unknown or too old to cancel', async () => {
    const res = await run(['usage', 'cancel', '--meter', 'api_calls', '--identifier', 'never-sent'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/no such event from the last 24 hours/);
    expect(res.stderr).toMatch(/negative --value/);
  });
});

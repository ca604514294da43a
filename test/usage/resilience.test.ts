import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createCustomers, createMeter, generateUsage, tempDir, totalsFor, writeUsage } from './helpers/fixtures.js';

/** An emulator whose request log we keep, so tests can count what reached it. */
async function emulatorWithLog(options: Parameters<typeof startTestEmulator>[0]) {
  const log: string[] = [];
  const emu = await startTestEmulator({ quiet: false, log: (line) => log.push(line), ...options });
  const setup = emu.client({ maxNetworkRetries: 8 });
  return { emu, log, setup };
}

const count = (log: string[], pattern: RegExp) => log.filter((l) => pattern.test(l)).length;

describe('usage ingest under faults', () => {
  let emu: TestEmulator;
  afterEach(() => emu?.close());

  it('lands every event exactly once with 25% of requests failing or dropped', async () => {
    const started = await emulatorWithLog({ faultRate: 0.25, seed: 7 });
    emu = started.emu;
    const meter = await createMeter(started.setup, 'faulty_metric');
    const customers = await createCustomers(started.setup, 4);
    const dir = await tempDir();
    const usage = generateUsage(customers, 2500);
    await writeUsage(dir, 'usage.ndjson', usage.text);
    const res = await run(['usage', 'ingest', 'usage.ndjson', '--meter', 'faulty_metric', '--max-rps', '0', '--max-attempts', '30', '--json'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ ok: true, sent: 2500, failed: 0 });
    // Faults really happened, including drops after the emulator had recorded the batch.
    expect(count(started.log, /meter_event_stream dropped after running/)).toBeGreaterThan(0);
    expect(res.json().resent).toBeGreaterThan(0);
    expect(await totalsFor(started.setup, meter.id, customers)).toEqual(usage.totals);
  });

  it('backs off on 429s and retries (a session request over the account limit)', async () => {
    // The emulator counts secret-key requests against --rate-limit (see its SPEC): listing the
    // meters and creating the session in the same second gets the session request a 429.
    const started = await emulatorWithLog({ rateLimit: 1 });
    emu = started.emu;
    const nextSecond = () => new Promise((r) => setTimeout(r, 1100));
    const meter = await createMeter(started.setup, 'limited_metric');
    await nextSecond();
    const customers = await createCustomers(started.setup, 1);
    await nextSecond();
    const dir = await tempDir();
    const usage = generateUsage(customers, 500);
    await writeUsage(dir, 'usage.ndjson', usage.text);
    const res = await run(['usage', 'ingest', 'usage.ndjson', '--meter', 'limited_metric', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ sent: 500, resent: 0 });
    expect(count(started.log, /meter_event_session 429/)).toBeGreaterThan(0);
    await nextSecond();
    expect(await totalsFor(started.setup, meter.id, customers)).toEqual(usage.totals);
  });

  it('backs off when the meter event stream itself is rate limited (test mode counts it)', async () => {
    const started = await emulatorWithLog({ rateLimit: 5 });
    emu = started.emu;
    const nextSecond = () => new Promise((r) => setTimeout(r, 1100));
    const meter = await createMeter(started.setup, 'stream_limited');
    const customers = await createCustomers(started.setup, 2);
    await nextSecond();
    const dir = await tempDir();
    const usage = generateUsage(customers, 2000);
    await writeUsage(dir, 'usage.ndjson', usage.text);
    // --max-rps 0: no client-side limit, so the server's 429s are what the sender must absorb.
    const res = await run(['usage', 'ingest', 'usage.ndjson', '--meter', 'stream_limited', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ sent: 2000, failed: 0 });
    expect(count(started.log, /meter_event_stream 429/)).toBeGreaterThan(0);
    await nextSecond();
    expect(await totalsFor(started.setup, meter.id, customers)).toEqual(usage.totals);
  }, 60_000);

  it('recovers when the meter event session expires mid-run', async () => {
    let offsetMs = 0;
    const started = await emulatorWithLog({ clock: () => Date.now() + offsetMs });
    emu = started.emu;
    const meter = await createMeter(started.setup, 'session_metric');
    const customers = await createCustomers(started.setup, 3);
    const dir = await tempDir();
    const usage = generateUsage(customers, 3000);
    await writeUsage(dir, 'usage.ndjson', usage.text);
    // Every 150 ms the emulator's clock jumps past the 15-minute session lifetime.
    const timer = setInterval(() => { offsetMs += 16 * 60_000; }, 150);
    let res;
    try {
      res = await run(['usage', 'ingest', 'usage.ndjson', '--meter', 'session_metric', '--max-rps', '20', '--json'], { env: emu.env, cwd: dir });
    } finally {
      clearInterval(timer);
    }
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ sent: 3000, failed: 0 });
    expect(count(started.log, /meter_event_stream 401/)).toBeGreaterThan(0);
    expect(count(started.log, /meter_event_session 200/)).toBeGreaterThan(1);
    expect(await totalsFor(started.setup, meter.id, customers)).toEqual(usage.totals);
  });

  it('renews a short-lived session before it expires', async () => {
    const started = await emulatorWithLog({ sessionTtlSeconds: 1 });
    emu = started.emu;
    const meter = await createMeter(started.setup, 'short_session_metric');
    const customers = await createCustomers(started.setup, 2);
    const dir = await tempDir();
    const usage = generateUsage(customers, 3000);
    await writeUsage(dir, 'usage.ndjson', usage.text);
    const res = await run(['usage', 'ingest', 'usage.ndjson', '--meter', 'short_session_metric', '--max-rps', '15', '--json'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(count(started.log, /meter_event_session 200/)).toBeGreaterThan(1);
    expect(await totalsFor(started.setup, meter.id, customers)).toEqual(usage.totals);
  });

  it('exits 130 when interrupted (the user cancelled), keeps its place, and resumes without resending', async () => {
    const started = await emulatorWithLog({ latencyMs: 5 });
    emu = started.emu;
    const meter = await createMeter(started.setup, 'resume_metric');
    const customers = await createCustomers(started.setup, 2);
    const dir = await tempDir();
    const usage = generateUsage(customers, 3000);
    await writeUsage(dir, 'usage.ndjson', usage.text);
    const controller = new AbortController();
    const args = ['usage', 'ingest', 'usage.ndjson', '--meter', 'resume_metric', '--max-rps', '20', '--json'];
    const interrupted = run(args, { env: emu.env, cwd: dir, signal: controller.signal });
    setTimeout(() => controller.abort(), 600);
    const first = await interrupted;
    expect(first.code).toBe(130);
    const partial = first.json();
    expect(partial).toMatchObject({ ok: false, error: 'interrupted' });
    expect(partial.sent).toBeGreaterThan(0);
    expect(partial.sent).toBeLessThan(3000);
    const res = await run(args.map((a) => (a === '20' ? '0' : a)), { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.json()).toMatchObject({ already_sent: partial.sent, sent: 3000 - partial.sent });
    expect(await totalsFor(started.setup, meter.id, customers)).toEqual(usage.totals);
  });
});

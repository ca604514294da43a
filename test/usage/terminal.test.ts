import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/run.js';
import { MemorySink } from '../../src/output/output.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createCustomers, createMeter, generateUsage, tempDir, writeUsage } from './helpers/fixtures.js';

let emu: TestEmulator;
beforeAll(async () => { emu = await startTestEmulator(); });
afterAll(() => emu.close());

/** Runs the CLI as on a terminal: the chosen sinks report isTTY, and CI is not set. */
async function onTerminal(args: string[], cwd: string, tty: { stdout: boolean; stderr: boolean }) {
  const stdout = new MemorySink();
  const stderr = new MemorySink();
  stdout.isTTY = tty.stdout;
  stderr.isTTY = tty.stderr;
  const stdin = new PassThrough();
  stdin.end();
  const code = await runCli(args, { stdout, stderr, stdin, env: { ...emu.env }, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('usage on a terminal', () => {
  it('ingest draws a progress bar on stderr and keeps stdout for the report', async () => {
    await createMeter(emu.stripe, 'tty_metric');
    const customers = await createCustomers(emu.stripe, 2);
    const dir = await tempDir();
    await writeUsage(dir, 'usage.ndjson', generateUsage(customers, 800).text);
    const res = await onTerminal(['usage', 'ingest', 'usage.ndjson', '--meter', 'tty_metric', '--max-rps', '10'], dir, { stdout: false, stderr: true });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/\d+% \| [\d,]+ sent \| [\d,]+ events\/s \| ETA/);
    expect(res.stdout).toMatch(/^ingested usage\.ndjson\n/);
    expect(res.stdout).not.toMatch(/events\/s \| ETA/);
  });

  it('ingest draws nothing with --json', async () => {
    const customers = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    await writeUsage(dir, 'usage.ndjson', generateUsage(customers, 300).text);
    const res = await onTerminal(['usage', 'ingest', 'usage.ndjson', '--meter', 'tty_metric', '--max-rps', '10', '--json'], dir, { stdout: true, stderr: true });
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toMatchObject({ sent: 300 });
  });

  it('summary adds a sparkline of the windows on a terminal only', async () => {
    const meter = await createMeter(emu.stripe, 'spark_metric');
    const [customer] = await createCustomers(emu.stripe, 1);
    const h0 = Math.floor(Date.now() / 1000 / 3600) * 3600 - 4 * 3600;
    for (const [i, v] of [1, 5, 9, 2].entries()) {
      await emu.stripe.billing.meterEvents.create({ event_name: 'spark_metric', payload: { stripe_customer_id: customer, value: String(v) }, timestamp: h0 + i * 3600 + 60 });
    }
    const args = ['usage', 'summary', '--customer', customer, '--meter', meter.event_name, '--from', String(h0), '--to', String(h0 + 4 * 3600)];
    const dir = await tempDir();
    const tty = await onTerminal(args, dir, { stdout: true, stderr: true });
    expect(tty.stdout).toMatch(/trend\s+▁▅█▂/);
    const piped = await onTerminal(args, dir, { stdout: false, stderr: false });
    expect(piped.stdout).not.toMatch(/trend/);
    expect(piped.stdout).toMatch(/total\s+17/);
  });
});

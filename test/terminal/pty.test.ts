/**
 * The built CLI in a real pseudo-terminal (util-linux `script`), as engineers run it: colours,
 * spinners, prompts and progress bars on, any terminal size, Ctrl-C and SIGTERM. Nothing here can
 * pass through a pipe by accident: issue 19 found `plan` crashing only on a terminal.
 */
import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runInPty } from '../helpers/pty.js';
import { createCustomers, createMeter, generateUsage, totalsFor, writeUsage } from '../usage/helpers/fixtures.js';

const repoPricing = resolve(dirname(fileURLToPath(import.meta.url)), '../../pricing.yaml');

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pty-'));
  await copyFile(repoPricing, join(dir, 'pricing.yaml'));
  return dir;
}

const emulators: TestEmulator[] = [];
async function emulator(options: { latencyMs?: number } = {}): Promise<TestEmulator> {
  const emu = await startTestEmulator(options);
  emulators.push(emu);
  return emu;
}
afterAll(async () => { await Promise.all(emulators.map((e) => e.close())); });

/** Runs a command to its end in a terminal of the given size. */
async function inTerminal(args: string[], cwd: string, emu: TestEmulator, size: { columns: number; rows?: number }) {
  const run = runInPty(args, { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...emu.env }, ...size });
  const code = await run.exited;
  return { code, output: run.output, text: run.text };
}

describe('plan, apply and pull in a terminal', () => {
  // 0 columns: the size `script` reports when its own output is a pipe (the spinner once looped forever there).
  const sizes = [{ columns: 100, rows: 30 }, { columns: 0 }, { columns: 1, rows: 1 }, { columns: 20, rows: 5 }];
  it.each(sizes)('work with spinners and colours at $columns columns', async (size) => {
    const emu = await emulator();
    const dir = await project();
    const plan = await inTerminal(['plan'], dir, emu, size);
    expect(plan.text).not.toMatch(/internal error/);
    expect(plan.code).toBe(0);
    expect(plan.text).toMatch(/Plan: 3 to create/);
    // Colour reaches the terminal (it is off through a pipe).
    expect(plan.output).toMatch(new RegExp(`${String.fromCharCode(27)}\\[3\\dm`));

    const apply = await inTerminal(['apply', '--yes'], dir, emu, size);
    expect(apply.code).toBe(0);
    expect(apply.text).toMatch(/Applied 4 steps .* created 3 objects/);
    expect((await emu.stripe.billing.meters.list()).data.map((m) => m.event_name)).toEqual(['alpaca_ai_tokens']);

    const again = await inTerminal(['plan'], dir, emu, size);
    expect(again.code).toBe(0);
    expect(again.text).toMatch(/No changes/);

    const reconcile = await inTerminal(['reconcile', '--yes'], dir, emu, size);
    expect(reconcile.code).toBe(0);

    const pull = await inTerminal(['pull'], dir, emu, size);
    expect(pull.code).toBe(0);
    expect(pull.text).toMatch(/event_name: alpaca_ai_tokens/);
    // A spinner redraws, it does not flood: all of it stays small whatever the width.
    for (const r of [plan, apply, again, reconcile, pull]) expect(r.output.length).toBeLessThan(50_000);
  });
});

describe('prompts in a terminal', () => {
  it('apply asks before changing the account, and applies on "y"', async () => {
    const emu = await emulator();
    const dir = await project();
    const run = runInPty(['apply'], { cwd: dir, env: { PATH: process.env.PATH, ...emu.env } });
    await run.waitFor(/Apply 3 changes to acct_\w+ \(test mode\)\?/);
    run.type('y\r');
    expect(await run.exited).toBe(0);
    expect(run.text).toMatch(/created 3 objects/);
    expect((await emu.stripe.products.list()).data).toHaveLength(1);
  });

  it('Ctrl-C at apply\'s confirmation cancels: exit 130, said as such, nothing changed', async () => {
    const emu = await emulator();
    const dir = await project();
    const run = runInPty(['apply'], { cwd: dir, env: { PATH: process.env.PATH, ...emu.env } });
    await run.waitFor(/Apply 3 changes/);
    run.type('\x03');
    expect(await run.exited).toBe(130);
    expect(run.text).toMatch(/cancelled/i);
    expect(run.text).not.toMatch(/internal error|bug/i);
    expect((await emu.stripe.billing.meters.list()).data).toHaveLength(0);
    expect((await emu.stripe.products.list()).data).toHaveLength(0);
  });

  it('Ctrl-C at an init question cancels: exit 130, no file written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pty-init-'));
    const run = runInPty(['init'], { cwd: dir, env: { PATH: process.env.PATH } });
    await run.waitFor(/Product name/);
    run.type('\x03');
    expect(await run.exited).toBe(130);
    expect(run.text).toMatch(/cancelled/i);
    expect(run.text).not.toMatch(/internal error|bug/i);
    expect(await readdir(dir)).toEqual([]);
  });

  it('init answered in the terminal writes a valid pricing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pty-init-'));
    const run = runInPty(['init'], { cwd: dir, env: { PATH: process.env.PATH } });
    await run.waitFor(/Product name/);
    run.type('Llama Cloud\r');
    for (let i = 0; i < 8 && !(await Promise.race([run.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 300))])); i++) run.type('\r');
    expect(await run.exited).toBe(0);
    expect(await readdir(dir)).toEqual(['pricing.yaml']);
  });
});

describe('Ctrl-C and SIGTERM mid-work', () => {
  it('Ctrl-C during apply lets the steps in flight finish, says so, exits 130; apply again converges', async () => {
    const emu = await emulator({ latencyMs: 400 });
    const dir = await project();
    const run = runInPty(['apply', '--yes', '--max-rps', '1'], { cwd: dir, env: { PATH: process.env.PATH, ...emu.env } });
    await run.waitFor(/Applying 3 changes/);
    run.type('\x03');
    expect(await run.exited).toBe(130);
    expect(run.text).toMatch(/cancelled: apply stopped after the steps in flight/);
    expect(run.text).not.toMatch(/failed|internal error/);
    // Not everything was applied: the meter is created in the first phase, the price in a later one.
    expect((await emu.stripe.prices.list()).data).toHaveLength(0);

    const again = await inTerminal(['apply', '--yes'], dir, emu, { columns: 80 });
    expect(again.code).toBe(0);
    const plan = await inTerminal(['plan'], dir, emu, { columns: 80 });
    expect(plan.text).toMatch(/No changes/);
    expect((await emu.stripe.billing.meters.list()).data).toHaveLength(1);
  });

  it('Ctrl-C while plan reads the account ends it at once with 130', async () => {
    const emu = await emulator({ latencyMs: 8000 });
    const dir = await project();
    const run = runInPty(['plan'], { cwd: dir, env: { PATH: process.env.PATH, ...emu.env } });
    await run.waitFor(/Reading the account/);
    run.type('\x03');
    expect(await run.exited).toBe(130);
    expect(run.text).toMatch(/cancelled/);
  });

  it('SIGTERM ends a spinning command on a terminal of unknown size', async () => {
    const emu = await emulator({ latencyMs: 8000 });
    const dir = await project();
    const run = runInPty(['plan'], { cwd: dir, env: { PATH: process.env.PATH, ...emu.env }, columns: 0 });
    await run.waitFor(/Reading the account/);
    await run.signal('SIGTERM');
    expect(await run.exited).toBe(143);
    expect(run.output.length).toBeLessThan(50_000);
  });

  it('SIGTERM ends a command that stops by itself (emulator) once it has stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pty-emu-'));
    await writeFile(join(dir, 'README'), 'state goes here\n');
    const run = runInPty(['emulator', '--port', '0', '--state', 'state.json'], { cwd: dir, env: { PATH: process.env.PATH } });
    await run.waitFor(/http:\/\/127\.0\.0\.1:\d+/);
    await run.signal('SIGTERM');
    const code = await run.exited;
    expect([0, 143]).toContain(code);
    expect((await readdir(dir)).sort()).toContain('state.json');
  });
});

describe('usage ingest in a terminal', () => {
  it('draws its progress bar at 0 columns, stops cleanly on Ctrl-C (exit 130), and the re-run sends exactly the rest', async () => {
    const emu = await emulator();
    const meter = await createMeter(emu.stripe, 'pty_tokens');
    const customers = await createCustomers(emu.stripe, 3);
    const dir = await mkdtemp(join(tmpdir(), 'pty-ingest-'));
    const usage = generateUsage(customers, 3000);
    await writeUsage(dir, 'usage.ndjson', usage.text);
    const env = { PATH: process.env.PATH, ...emu.env };
    const args = ['usage', 'ingest', 'usage.ndjson', '--meter', 'pty_tokens'];
    const first = runInPty([...args, '--max-rps', '4'], { cwd: dir, env, columns: 0 });
    await first.waitFor(/[1-9][\d,]* sent/);
    first.type('\x03');
    expect(await first.exited).toBe(130);
    expect(first.text).not.toMatch(/internal error/);
    expect(first.output.length).toBeLessThan(50_000);
    const partial = await totalsFor(emu.stripe, meter.id, customers);
    expect(Object.values(partial).reduce((a, b) => a + b, 0)).toBeLessThan(Object.values(usage.totals).reduce((a, b) => a + b, 0));

    const second = runInPty(args, { cwd: dir, env, columns: 60 });
    expect(await second.exited).toBe(0);
    expect(await totalsFor(emu.stripe, meter.id, customers)).toEqual(usage.totals);
  });
});

describe('usage ingest of several files in a terminal', () => {
  it('one progress bar for all files at 0 columns; Ctrl-C stops every worker (exit 130) and the re-run sends exactly the rest', async () => {
    const emu = await emulator();
    const meter = await createMeter(emu.stripe, 'pty_files');
    const customers = await createCustomers(emu.stripe, 3);
    const dir = await mkdtemp(join(tmpdir(), 'pty-files-'));
    const parts = customers.map((c) => generateUsage([c], 1500, { meter: 'pty_files' }));
    for (const [i, p] of parts.entries()) await writeUsage(dir, `part-${i}.ndjson`, p.text);
    const env = { PATH: process.env.PATH, ...emu.env };
    const first = runInPty(['usage', 'ingest', '.', '--max-rps', '6', '--workers', '3'], { cwd: dir, env, columns: 0 });
    await first.waitFor(/[1-9][\d,]* sent/);
    first.type('\x03');
    expect(await first.exited).toBe(130);
    expect(first.text).not.toMatch(/internal error|worker process ended/);
    expect(first.text).toMatch(/part-2\.ndjson: stopped/);
    expect(first.output.length).toBeLessThan(50_000);
    const all = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);
    expect(all(await totalsFor(emu.stripe, meter.id, customers))).toBeLessThan(all(Object.assign({}, ...parts.map((p) => p.totals))));

    const second = runInPty(['usage', 'ingest', '.', '--max-rps', '0'], { cwd: dir, env, columns: 60 });
    expect(await second.exited).toBe(0);
    expect(second.text).toMatch(/total\s+4,500\s/);
    expect(await totalsFor(emu.stripe, meter.id, customers)).toEqual(Object.assign({}, ...parts.map((p) => p.totals)));
  });
});

describe('errors in a terminal', () => {
  it('an error while a spinner turns stops the spinner and ends the command (exit 1), for plan, pull and apply', async () => {
    const emu = await startTestEmulator({ apiKey: 'sk_test_the_right_one' });
    emulators.push(emu);
    const dir = await project();
    // The emulator refuses this key: the account read fails while "Reading the account…" spins.
    const env = { PATH: process.env.PATH, STRIPE_API_KEY: 'sk_test_another_one', STRIPE_API_BASE: emu.url };
    for (const args of [['plan'], ['pull'], ['apply', '--yes']]) {
      const run = runInPty(args, { cwd: dir, env });
      const code = await Promise.race([run.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 15_000))]);
      if (code === 'still running') await run.signal('SIGKILL');
      expect(code).toBe(1);
      expect(run.text).toMatch(/Invalid API Key/i);
      expect(run.text).not.toMatch(/internal error/);
    }
  }, 90_000);
});

describe('clock and subscriptions in a terminal', () => {
  it('clock advance waits with a spinner at 0 columns; Ctrl-C at subscriptions cancel\'s question cancels nothing', async () => {
    const emu = await emulator();
    const dir = await project();
    const env = { PATH: process.env.PATH, ...emu.env };
    expect(await runInPty(['apply', '--yes'], { cwd: dir, env }).exited).toBe(0);
    const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000) });
    const customer = await emu.stripe.customers.create({ email: 'pty@example.com', test_clock: clock.id });
    const [price] = (await emu.stripe.prices.list({ lookup_keys: ['alpaca_ai_tokens_monthly'] })).data;
    const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });

    const advance = runInPty(['clock', 'advance', clock.id, '--by', '32d'], { cwd: dir, env, columns: 0 });
    expect(await advance.exited).toBe(0);
    expect(advance.text).toMatch(/ready/);
    expect(advance.output.length).toBeLessThan(50_000);

    const cancel = runInPty(['subscriptions', 'cancel', sub.id], { cwd: dir, env });
    await cancel.waitFor(/Cancel sub_\w+/);
    cancel.type('\x03');
    expect(await cancel.exited).toBe(130);
    expect(cancel.text).toMatch(/cancelled/i);
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).status).not.toBe('canceled');
  }, 60_000);
});

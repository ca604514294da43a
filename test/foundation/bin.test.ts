/**
 * The built binary users run (bin/alpaca-billing.cjs → dist/bundle/, built by test/global-setup.js):
 * its code cache, what happens when the cache cannot be used, and a reader that goes away.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const pricing = resolve(root, 'pricing.yaml');

it('the code caches the build wrote are accepted by this Node', async () => {
  const probe = `const { cli, requireBundle, scripts } = require(${JSON.stringify(resolve(root, 'bin/alpaca-billing.cjs'))}).loadCli();
const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: process.cwd() };
cli.runCli(['validate', '--file', ${JSON.stringify(pricing)}], io).then((code) => {
  const Stripe = requireBundle('./stripe.cjs');
  const err = new Stripe.errors.StripeError({ message: 'declined' });
  console.log(JSON.stringify({ code, type: err.type, rejected: Object.fromEntries([...scripts].map(([name, s]) => [name, s.cachedDataRejected])) }));
});`;
  const { stdout } = await run(process.execPath, ['-e', probe], { cwd: root });
  // The SDK's bundle keeps class names: its errors' \`type\` is their class's name.
  expect(JSON.parse(stdout)).toEqual({ code: 0, type: 'StripeError', rejected: { 'alpaca-billing.cjs': false, 'commands.cjs': false, 'stripe.cjs': false } });
});

describe('without a usable code cache the CLI still works, only slower', () => {
  const copy = mkdtempSync(resolve(tmpdir(), 'alpaca-bin-'));
  beforeAll(() => {
    cpSync(resolve(root, 'bin'), resolve(copy, 'bin'), { recursive: true });
    cpSync(resolve(root, 'dist/bundle'), resolve(copy, 'dist/bundle'), { recursive: true });
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  const validate = () => run(process.execPath, [resolve(copy, 'bin/alpaca-billing.cjs'), 'validate', '--file', pricing], { cwd: copy, env: { PATH: process.env.PATH } });

  const caches = ['alpaca-billing.cjs.cache', 'commands.cjs.cache'].map((name) => resolve(copy, 'dist/bundle', name));

  it('damaged caches', async () => {
    for (const cache of caches) writeFileSync(cache, Buffer.from('not a V8 code cache'));
    await expect(validate()).resolves.toMatchObject({ stdout: 'valid: 1 meter, 1 product, 1 price\n', stderr: '' });
  });

  it('no caches at all', async () => {
    for (const cache of caches) rmSync(cache);
    await expect(validate()).resolves.toMatchObject({ stdout: 'valid: 1 meter, 1 product, 1 price\n', stderr: '' });
  });
});

it('a reader that goes away (`--help | head -1`) ends the CLI with the SIGPIPE exit code and no stack trace', async () => {
  const child = spawn(process.execPath, [resolve(root, 'bin/alpaca-billing.cjs'), '--help'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // closed before the CLI has started: its first write fails with EPIPE
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
});

describe('the two CLI bundles (dist/bundle/alpaca-billing.cjs and commands.cjs)', () => {
  const sources = (bundle: string): string[] => JSON.parse(readFileSync(resolve(root, 'dist/bundle', `${bundle}.map`), 'utf8')).sources;

  it('bundle each module once: commands.cjs takes the frame’s modules from the frame', () => {
    const frame = new Set(sources('alpaca-billing.cjs').filter((s) => s.includes('/src/') || s.includes('/node_modules/')));
    expect(frame.size).toBeGreaterThan(20);
    expect(sources('commands.cjs').filter((s) => frame.has(s))).toEqual([]);
  });

  it('an error thrown by a command is reported as the frame’s error: message, position and exit code 3', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-bin-invalid-'));
    writeFileSync(resolve(dir, 'pricing.yaml'), 'version: 1\nmeters:\n  m:\n    display_name: M\n    event_name: m\n    aggregation: average\n');
    const failed = await run(process.execPath, [resolve(root, 'bin/alpaca-billing.cjs'), 'validate'], { cwd: dir }).catch((err: { code: number; stderr: string }) => err);
    expect(failed).toMatchObject({ code: 3, stderr: expect.stringContaining('pricing.yaml:6:18') });
    expect((failed as { stderr: string }).stderr).not.toContain('internal error');
  });
});

/**
 * Commands that need no Stripe call must not load the Stripe SDK (start-up time), and those that do
 * load the CLI's own bundle of it (dist/bundle/stripe.cjs, with its code cache), not the ~150 files
 * of node_modules/stripe: the built binary runs with a preload that logs both.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-imports-'));

// Preloaded into the built binary: at exit, lists the stripe files that were loaded, from
// node_modules (required, so in require.cache) or the bundle (read by bin/alpaca-billing.cjs).
const PRELOAD = `'use strict';
const fs = require('node:fs');
const bundles = [];
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (String(file).endsWith('/dist/bundle/stripe.cjs')) bundles.push(String(file));
  return readFileSync.call(this, file, ...rest);
};
process.on('exit', () => {
  const loaded = [...bundles, ...Object.keys(require.cache).filter((f) => f.includes('/node_modules/stripe/'))];
  if (loaded.length) require('node:fs').writeFileSync(process.env.STRIPE_LOAD_LOG, loaded.join('\\n') + '\\n');
});
`;

let emu: TestEmulator;
beforeAll(async () => {
  writeFileSync(resolve(dir, 'preload.cjs'), PRELOAD);
  // The real artifact users run: bin/alpaca-billing.cjs → dist/ (built by test/global-setup.js).
  emu = await startTestEmulator();
}, 120_000);
afterAll(() => emu?.close());

let n = 0;
async function stripeFilesLoadedBy(args: string[], env: Record<string, string> = {}): Promise<{ loaded: string[]; stdout: string; code: number }> {
  const log = resolve(dir, `load-${n++}.log`);
  let stdout = '';
  let code = 0;
  try {
    ({ stdout } = await run(process.execPath, ['--require', resolve(dir, 'preload.cjs'), resolve(root, 'bin/alpaca-billing.cjs'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, STRIPE_LOAD_LOG: log, CI: 'true', ...env },
    }));
  } catch (err) {
    const e = err as { code: number; stdout: string };
    code = e.code;
    stdout = e.stdout;
  }
  return { loaded: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [], stdout, code };
}

describe('start-up does not load stripe where no Stripe call is made', () => {
  it.each([[['--help']], [['--version']], [['validate']], [['schema']]])('%j', async (args) => {
    const { loaded, code } = await stripeFilesLoadedBy(args);
    expect(code).toBe(0);
    expect(loaded).toEqual([]);
  });

  it('validate still works from the built binary', async () => {
    expect(await stripeFilesLoadedBy(['validate'])).toMatchObject({ stdout: 'valid: 1 meter, 1 product, 1 price\n', code: 0 });
  });

  it('schema prints pricing.schema.json byte for byte (what `npm run schema` writes)', async () => {
    const { stdout } = await stripeFilesLoadedBy(['schema']);
    expect(stdout).toBe(readFileSync(resolve(root, 'pricing.schema.json'), 'utf8'));
  });

  it('a command that talks to Stripe loads the SDK from the CLI’s bundle, and nothing from node_modules/stripe', async () => {
    const { loaded, code } = await stripeFilesLoadedBy(['customers', 'list', '--json'], emu.env);
    expect(code).toBe(0);
    expect(loaded).toEqual([resolve(root, 'dist/bundle/stripe.cjs')]);
  });
});

/**
 * The `emulator` command end to end: the built binary, as a user or a CI job runs it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../helpers/cli.js';
import { sdkFor, startBin as startBinIn } from '../helpers/emulator-bin.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-cmd-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const startBin = (args: string[]) => startBinIn(args, dir);
const sdk = (url: string, key?: string) => sdkFor(url, key);

describe('alpaca-billing emulator', () => {
  it('prints one ready line with the real port, logs requests, and saves state on SIGTERM', async () => {
    const state = join(dir, 'state.json');
    const emu = await startBin(['--state', state]);
    expect(emu.url).not.toMatch(/:0$/);
    const product = await sdk(emu.url).products.create({ name: 'From the CLI' });
    await sdk(emu.url).products.retrieve(product.id);
    emu.child.kill('SIGTERM');
    expect(await emu.exit).toBe(0);
    expect(emu.stderr()).toMatch(/POST \/v1\/products 200/);
    expect(emu.stderr()).toMatch(new RegExp(`GET /v1/products/${product.id} 200`));
    expect(emu.stderr()).not.toContain('sk_test_command_test');
    expect(await readFile(state, 'utf8')).toContain(product.id);

    const again = await startBin(['--state', state, '--quiet']);
    try {
      await expect(sdk(again.url).products.retrieve(product.id)).resolves.toMatchObject({ name: 'From the CLI' });
    } finally {
      again.child.kill('SIGINT');
      expect(await again.exit).toBe(0);
    }
    expect(again.stderr()).not.toMatch(/GET \/v1\/products/);
  }, 30_000);

  it('accepts only the --api-key key when given', async () => {
    const emu = await startBin(['--api-key', 'sk_test_the_only_key', '--quiet']);
    try {
      await expect(sdk(emu.url, 'sk_test_the_only_key').accounts.retrieveCurrent()).resolves.toMatchObject({ object: 'account' });
      await expect(sdk(emu.url, 'sk_test_some_other_key').accounts.retrieveCurrent()).rejects.toMatchObject({ type: 'StripeAuthenticationError' });
    } finally {
      emu.child.kill('SIGTERM');
      await emu.exit;
    }
  }, 30_000);

  it('refuses a corrupt state file with exit 3, naming the file', async () => {
    const state = join(dir, 'corrupt.json');
    await writeFile(state, 'not json');
    const result = await run(['emulator', '--port', '0', '--state', state]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(state);
    expect(result.stdout).toBe('');
    expect(await readFile(state, 'utf8')).toBe('not json');
  });

  it('refuses a state file with wrongly typed records with exit 3, naming the file and the field', async () => {
    const state = join(dir, 'typed.json');
    const text = JSON.stringify({ format: 'alpaca-billing-emulator-state', version: 1, random: 1, collections: { customers: [{ id: 'cus_1' }] }, slices: { metering: { aggregates: 5, identifiers: 'x' } } });
    await writeFile(state, text);
    const result = await run(['emulator', '--port', '0', '--state', state]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(state);
    expect(result.stderr).toContain('slices.metering.aggregates: must be an array');
    expect(result.stderr).not.toMatch(/internal error|This is a bug/);
    expect(result.stdout).toBe('');
    expect(await readFile(state, 'utf8')).toBe(text);
  });

  it('refuses a bad flag value with exit 3, naming the flag', async () => {
    const result = await run(['emulator', '--fault-rate', '2']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('--fault-rate');
  });

  it('refuses a port that is in use with exit 3', async () => {
    const emu = await startBin(['--quiet']);
    try {
      const port = new URL(emu.url).port;
      const result = await run(['emulator', '--port', port]);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/already in use/);
    } finally {
      emu.child.kill('SIGTERM');
      await emu.exit;
    }
  }, 30_000);
});

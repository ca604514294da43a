import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { connectStripe } from '../../src/cli/context.js';
import { resolveSettings } from '../../src/config/settings.js';
import { createStripeClient } from '../../src/stripe/client.js';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const LIVE_KEYS = ['sk_live_' + '51AbCdEfGhIjKlMnOp', 'rk_live_' + '51AbCdEfGhIjKlMnOp'];

let emu: TestEmulator;
const requests: string[] = [];

beforeAll(async () => {
  emu = await startTestEmulator({ quiet: false, log: (line) => requests.push(line) });
});
afterAll(() => emu.close());
beforeEach(() => {
  requests.length = 0;
});

const tempDir = (rc?: string) => {
  const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-guard-'));
  if (rc) writeFileSync(resolve(dir, '.alpaca-billingrc.yaml'), rc);
  return dir;
};

describe('the Stripe connection guard', () => {
  it.each(LIVE_KEYS)('refuses the live key %s without --live, before any request, and never prints it', async (key) => {
    const result = await run(['customers', 'list'], { env: { STRIPE_API_KEY: key, STRIPE_API_BASE: emu.url }, cwd: tempDir() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Refusing to use a live-mode key from STRIPE_API_KEY without --live/);
    expect(result.stderr + result.stdout).not.toContain(key);
    expect(requests).toEqual([]);
  });

  it('lets a live key through with --live (it is then the server that decides)', async () => {
    let created = 0;
    const settings = resolveSettings({ live: true }, {}, { STRIPE_API_KEY: LIVE_KEYS[0], STRIPE_API_BASE: emu.url });
    await connectStripe({ settings, create: async (key, base) => (created++, createStripeClient({ apiKey: key, apiBase: base, maxNetworkRetries: 0 })) });
    expect(created).toBe(1);
  });

  it('names STRIPE_API_KEY when no key is set', async () => {
    const result = await run(['customers', 'list'], { env: { STRIPE_API_BASE: emu.url }, cwd: tempDir() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/No Stripe API key: set STRIPE_API_KEY\./);
    expect(result.stderr).toMatch(/Prefer the environment variable to --api-key/);
    expect(requests).toEqual([]);
  });

  it("names the profile's variable when the profile has one", async () => {
    const dir = tempDir('profiles:\n  staging:\n    api_key_env: STAGING_STRIPE_KEY\n');
    const result = await run(['customers', 'list', '--profile', 'staging'], { env: { STRIPE_API_BASE: emu.url }, cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/profile 'staging' reads its key from STAGING_STRIPE_KEY, which is not set/);
  });

  it("does not fall back to STRIPE_API_KEY (maybe another account's key) when the profile's variable is unset", async () => {
    const dir = tempDir('profiles:\n  staging:\n    api_key_env: STAGING_STRIPE_KEY\n');
    const result = await run(['customers', 'list', '--profile', 'staging'], { env: { STRIPE_API_KEY: emu.env.STRIPE_API_KEY, STRIPE_API_BASE: emu.url }, cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/No Stripe API key: profile 'staging' reads its key from STAGING_STRIPE_KEY, which is not set/);
    expect(requests).toEqual([]);
    // --api-key still wins over the profile, as documented.
    const flagged = await run(['customers', 'list', '--profile', 'staging', '--api-key', emu.env.STRIPE_API_KEY, '--json'], { env: { STRIPE_API_BASE: emu.url }, cwd: dir });
    expect(flagged.code).toBe(0);
  });

  it('refuses a key that belongs to another account than the profile pins', async () => {
    const dir = tempDir(`profiles:\n  pinned:\n    api_key_env: PINNED_KEY\n    api_base: ${emu.url}\n    account: acct_1SomeoneElse\n`);
    const result = await run(['customers', 'list', '--profile', 'pinned'], { env: { PINNED_KEY: emu.env.STRIPE_API_KEY }, cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/belongs to account acct_emulator\w+, but profile 'pinned' is pinned to acct_1SomeoneElse/);
    // Only the account lookup reached Stripe.
    expect(requests.map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(['GET /v1/account']);
  });

  it('accepts a key of the pinned account', async () => {
    const account = await emu.stripe.accounts.retrieveCurrent();
    const dir = tempDir(`profiles:\n  pinned:\n    api_key_env: PINNED_KEY\n    api_base: ${emu.url}\n    account: ${account.id}\n`);
    const result = await run(['customers', 'list', '--profile', 'pinned', '--json'], { env: { PINNED_KEY: emu.env.STRIPE_API_KEY }, cwd: dir });
    expect(result.code).toBe(0);
    expect(result.json()).toHaveProperty('customers');
  });

  it('refuses something that is not a secret key, without echoing it', async () => {
    const result = await run(['customers', 'list'], { env: { STRIPE_API_KEY: 'pk_test_publishable123', STRIPE_API_BASE: emu.url }, cwd: tempDir() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/not a Stripe secret or restricted key/);
    expect(result.stderr).not.toContain('pk_test_publishable123');
    expect(requests).toEqual([]);
  });
});

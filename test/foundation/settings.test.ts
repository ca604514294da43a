import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { loadSettingsFile, resolveSettings } from '../../src/config/settings.js';
import { run } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const canonical = readFileSync(resolve(root, 'pricing.yaml'), 'utf8');

function project(rc: string | undefined, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-settings-'));
  if (rc !== undefined) writeFileSync(resolve(dir, '.alpaca-billingrc.yaml'), rc);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(resolve(dir, name, '..'), { recursive: true });
    writeFileSync(resolve(dir, name), text);
  }
  return dir;
}

const RC = `file: billing/pricing.yaml
profile: test
profiles:
  test:
    api_key_env: ALPACA_TEST_KEY
    api_base: http://127.0.0.1:12111
  live:
    api_key_env: ALPACA_LIVE_KEY
    account: acct_1Live
`;

describe('settings: defaults < settings file < environment < flags', () => {
  it('uses the defaults without a settings file', async () => {
    const file = await loadSettingsFile(project(undefined));
    const settings = resolveSettings({}, file, {});
    expect(settings).toMatchObject({ file: 'pricing.yaml', profileName: undefined, apiKey: undefined, apiBase: undefined, live: false, json: false, color: true });
  });

  it('reads .alpaca-billingrc.yaml: default file, default profile and its key variable and API base', async () => {
    const dir = project(RC);
    const file = await loadSettingsFile(dir);
    expect(file.filepath).toBe(resolve(dir, '.alpaca-billingrc.yaml'));
    const settings = resolveSettings({}, file, { ALPACA_TEST_KEY: 'sk_test_fromprofile', STRIPE_API_KEY: 'sk_test_generic' });
    expect(settings).toMatchObject({ file: 'billing/pricing.yaml', profileName: 'test', apiKey: 'sk_test_fromprofile', apiKeySource: 'ALPACA_TEST_KEY', apiBase: 'http://127.0.0.1:12111' });
  });

  it('lets the environment override the file', async () => {
    const file = await loadSettingsFile(project(RC));
    const settings = resolveSettings({}, file, { ALPACA_BILLING_PROFILE: 'live', ALPACA_LIVE_KEY: 'rk_live_x1', STRIPE_API_BASE: 'http://localhost:9999' });
    expect(settings).toMatchObject({ profileName: 'live', apiKey: 'rk_live_x1', apiKeySource: 'ALPACA_LIVE_KEY', apiBase: 'http://localhost:9999' });
    expect(settings.profile?.account).toBe('acct_1Live');
  });

  it('lets flags override the environment', async () => {
    const file = await loadSettingsFile(project(RC));
    const env = { ALPACA_BILLING_PROFILE: 'live', STRIPE_API_BASE: 'http://localhost:9999', ALPACA_TEST_KEY: 'sk_test_profile' };
    const settings = resolveSettings({ profile: 'test', apiBase: 'http://127.0.0.1:1', file: 'other.yaml', apiKey: 'sk_test_flag' }, file, env);
    expect(settings).toMatchObject({ profileName: 'test', apiBase: 'http://127.0.0.1:1', file: 'other.yaml', apiKey: 'sk_test_flag', apiKeySource: '--api-key' });
  });

  it('validates the file named in the settings, and -f wins over it', async () => {
    const dir = project(RC, { 'billing/pricing.yaml': canonical, 'alt.yaml': 'version: 1\n' });
    expect(await run(['validate'], { cwd: dir })).toMatchObject({ code: 0, stdout: 'valid: 1 meter, 1 product, 1 price\n' });
    expect(await run(['validate', '-f', 'alt.yaml'], { cwd: dir })).toMatchObject({ code: 0, stdout: 'valid: 0 meters, 0 products, 0 prices\n' });
  });

  it('names the known profiles when an unknown one is asked for', async () => {
    const dir = project(RC, { 'billing/pricing.yaml': canonical });
    const result = await run(['validate', '--profile', 'prod'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Unknown profile 'prod'/);
    expect(result.stderr).toMatch(/test, live/);
  });

  it.each([
    ['a key in a profile', 'profiles:\n  live:\n    api_key: sk_live_' + '51SecretSecret\n', /\.alpaca-billingrc\.yaml:3:5 {2}profiles\.live\.api_key {2}unknown profile setting/],
    ['a key where the variable name belongs', 'profiles:\n  live:\n    api_key_env: sk_live_' + '51SecretSecret\n', /:3:5 {2}profiles\.live\.api_key_env {2}.*never put keys in settings files/],
    ['a key at the top level', 'file: pricing.yaml\nstripe_key: sk_test_51SecretSecret\n', /:2:1 {2}stripe_key {2}unknown setting 'stripe_key'/],
    ['a key as the pinned account', 'profiles:\n  live:\n    account: sk_live_' + '51SecretSecret\n', /:3:5 {2}profiles\.live\.account {2}looks like a Stripe key.*never put keys in settings files/],
    ['a key as the API base', 'profiles:\n  ci:\n    api_base: sk_test_51SecretSecret\n', /:3:5 {2}profiles\.ci\.api_base {2}looks like a Stripe key/],
    ['a key as the pricing file', 'file: rk_test_51SecretSecret\n', /:1:1 {2}file {2}looks like a Stripe key/],
    ['a webhook secret as the default profile', 'profile: whsec_SecretSecret\n', /:1:1 {2}profile {2}looks like a Stripe key/],
  ])('refuses %s, exit 3, without echoing it', async (_name, rc, message) => {
    const dir = project(rc, { 'pricing.yaml': canonical });
    const result = await run(['validate'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/SecretSecret/);
    expect(result.stdout).toBe('');
  });

  it('reads settings from a package.json key too, with positions in its problems', async () => {
    const pkg = (settings: object) => JSON.stringify({ name: 'x', 'alpaca-billing': settings }, null, 2);
    const good = project(undefined, { 'package.json': pkg({ file: 'catalog.yaml' }), 'catalog.yaml': canonical });
    expect(await run(['validate'], { cwd: good })).toMatchObject({ code: 0, stdout: 'valid: 1 meter, 1 product, 1 price\n' });
    const bad = project(undefined, { 'package.json': pkg({ fiel: 'catalog.yaml' }) });
    const result = await run(['validate'], { cwd: bad });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/package\.json:4:5 {2}fiel {2}unknown setting 'fiel'/);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveIdempotencyKey } from '../../src/reconcile/apply.js';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { catalogYaml, workdir } from './fixtures.js';

// Its own emulator: --prune acts on every managed object in the account.
let emu: TestEmulator;
beforeAll(async () => { emu = await startTestEmulator(); });
afterAll(async () => { await emu.close(); });

const cli = (dir: string, ...args: string[]) => run([...args, '--max-rps', '500'], { env: emu.env, cwd: dir });
const priceId = async (key: string) => (await emu.stripe.prices.list({ lookup_keys: [key] })).data[0].id;

describe('--prune', () => {
  it('archives a product removed from the file (and its prices) only with --prune, deleting nothing', async () => {
    const w = workdir(catalogYaml('p'));
    expect((await cli(w.dir, 'apply', '--yes')).code).toBe(0);
    const seats = await priceId('alpaca_pro_seats_p');
    w.write(catalogYaml('p', { dropPro: true }));

    const without = await cli(w.dir, 'plan', '--json', '--detailed-exitcode');
    expect(without.code).toBe(0);

    const planned = await cli(w.dir, 'plan', '--prune', '--json');
    const changes = planned.json().changes.map((c: { action: string; type: string; key: string }) => `${c.action} ${c.type} ${c.key}`);
    expect(changes.sort()).toEqual(['archive price alpaca_pro_seats_p', 'archive price alpaca_pro_volume_p', 'archive product alpaca_pro_p']);
    const human = await cli(w.dir, 'plan', '--prune');
    expect(human.stdout).toMatch(/^ {2}- archive product alpaca_pro_p/m);

    expect((await cli(w.dir, 'apply', '--yes', '--prune')).code).toBe(0);
    expect((await emu.stripe.products.retrieve('alpaca_pro_p')).active).toBe(false);
    expect((await emu.stripe.prices.retrieve(seats)).active).toBe(false);
    expect((await cli(w.dir, 'plan', '--prune', '--detailed-exitcode')).code).toBe(0);
  });

  it('counts active subscriptions and refuses to archive a price in use unless --allow-archive-in-use', async () => {
    const w = workdir(catalogYaml('q'));
    expect((await cli(w.dir, 'apply', '--yes')).code).toBe(0);
    const volume = await priceId('alpaca_pro_volume_q');
    const customer = await emu.stripe.customers.create({ email: 'llama@example.com' });
    await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: volume }] });
    w.write(catalogYaml('q', { dropPro: true }));

    const planned = (await cli(w.dir, 'plan', '--prune', '--json')).json();
    const change = planned.changes.find((c: { key: string }) => c.key === 'alpaca_pro_volume_q');
    expect(change).toMatchObject({ action: 'archive', active_subscriptions: 1, blocked: '1 active subscription uses this price' });
    expect(planned.changes.find((c: { key: string }) => c.key === 'alpaca_pro_seats_q')).toMatchObject({ active_subscriptions: 0 });

    const refused = await cli(w.dir, 'apply', '--yes', '--prune');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--allow-archive-in-use/);
    expect((await emu.stripe.prices.retrieve(volume)).active).toBe(true);
    expect((await emu.stripe.products.retrieve('alpaca_pro_q')).active).toBe(true);

    expect((await cli(w.dir, 'apply', '--yes', '--prune', '--allow-archive-in-use')).code).toBe(0);
    expect((await emu.stripe.prices.retrieve(volume)).active).toBe(false);
  });

  it('moves prices to a meter with a new event name by replacing them, and deactivates the old meter with --prune', async () => {
    const w = workdir(catalogYaml('m'));
    expect((await cli(w.dir, 'apply', '--yes')).code).toBe(0);
    w.write(catalogYaml('m', { tokensEvent: 'alpaca_ai_tokens_m_v2' }));
    const planned = (await cli(w.dir, 'plan', '--prune', '--json')).json();
    // (Earlier tests' objects are pruned too; this test looks at its own.)
    const summary = planned.changes.map((c: { action: string; type: string; key: string }) => `${c.action} ${c.type} ${c.key}`).filter((c: string) => /_m(_v2)?$/.test(c)).sort();
    // The product's default price moves to the replacement of the price it was: shown as its update.
    expect(summary).toEqual(['archive meter alpaca_ai_tokens_m', 'create meter alpaca_ai_tokens_m_v2', 'replace price alpaca_ai_tokens_monthly_m', 'replace price alpaca_pro_volume_m', 'update product alpaca_ai_m']);
    expect(planned.changes.find((c: { key: string }) => c.key === 'alpaca_pro_volume_m').fields).toContainEqual({ field: 'meter', before: 'alpaca_ai_tokens_m', after: 'alpaca_ai_tokens_m_v2' });
    expect((await cli(w.dir, 'apply', '--yes', '--prune')).code).toBe(0);
    const meters = (await emu.stripe.billing.meters.list({ limit: 100 })).data;
    expect(meters.find((m) => m.event_name === 'alpaca_ai_tokens_m')?.status).toBe('inactive');
    expect((await cli(w.dir, 'plan', '--prune', '--detailed-exitcode')).code).toBe(0);
  });
});

describe('--prune of a webhook endpoint, then adding it back', () => {
  it('creates a new endpoint (not a replay of the deleted one), writes its secret, and converges', async () => {
    // An account of its own: the sequence must start from a state with no endpoint.
    const own = await startTestEmulator();
    try {
      const hook = 'version: 1\nwebhooks:\n  app:\n    url: https://example.com/hooks\n    events: [invoice.paid]\n';
      const w = workdir(hook);
      const apply = (...args: string[]) => run(['apply', '--yes', '--secrets-file', 'hooks.env', '--max-rps', '500', ...args], { env: own.env, cwd: w.dir });
      const first = await apply();
      expect(first.code).toBe(0);
      const [firstId] = (await own.stripe.webhookEndpoints.list()).data.map((e) => e.id);

      w.write('version: 1\n');
      expect((await apply('--prune')).code).toBe(0);
      expect((await own.stripe.webhookEndpoints.list()).data).toEqual([]);

      w.write(hook);
      const again = await apply();
      expect(again.code).toBe(0);
      const endpoints = (await own.stripe.webhookEndpoints.list()).data;
      expect(endpoints).toHaveLength(1);
      expect(endpoints[0].id).not.toBe(firstId);
      expect(again.stdout).toContain(`created webhook_endpoint app: ${endpoints[0].id}`);
      expect(readFileSync(join(w.dir, 'hooks.env'), 'utf8')).toContain(`(${endpoints[0].id})`);
      expect((await run(['plan', '--detailed-exitcode'], { env: own.env, cwd: w.dir })).code).toBe(0);
    } finally {
      await own.close();
    }
  });
});

describe('idempotency keys of apply steps', () => {
  const change = { action: 'create' as const, type: 'webhook_endpoint' as const, key: 'app', fields: [] };
  it('are the same for a retry of the same step of the same plan, and differ once the account state differs', () => {
    const params = { url: 'https://example.com/hooks', enabled_events: ['invoice.paid'] };
    expect(deriveIdempotencyKey('state-a', change, 'create', params)).toBe(deriveIdempotencyKey('state-a', change, 'create', { ...params }));
    expect(deriveIdempotencyKey('state-a', change, 'create', params)).not.toBe(deriveIdempotencyKey('state-b', change, 'create', params));
  });
});

describe('a product deleted by hand, then applied again', () => {
  it('is created again, not reported from the replay of its first create', async () => {
    const own = await startTestEmulator();
    try {
      const w = workdir('version: 1\nproducts:\n  lonely:\n    name: Lonely\n');
      const apply = () => run(['apply', '--yes', '--max-rps', '500'], { env: own.env, cwd: w.dir });
      expect((await apply()).code).toBe(0);
      // Stripe lets a product without prices be deleted.
      await own.stripe.products.del('lonely');
      const again = await apply();
      expect(again.code).toBe(0);
      expect((await own.stripe.products.retrieve('lonely')).name).toBe('Lonely');
      expect((await run(['plan', '--detailed-exitcode'], { env: own.env, cwd: w.dir })).code).toBe(0);
    } finally {
      await own.close();
    }
  });
});

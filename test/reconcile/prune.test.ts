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
    expect(summary).toEqual(['archive meter alpaca_ai_tokens_m', 'create meter alpaca_ai_tokens_m_v2', 'replace price alpaca_ai_tokens_monthly_m', 'replace price alpaca_pro_volume_m']);
    expect(planned.changes.find((c: { key: string }) => c.key === 'alpaca_pro_volume_m').fields).toContainEqual({ field: 'meter', before: 'alpaca_ai_tokens_m', after: 'alpaca_ai_tokens_m_v2' });
    expect((await cli(w.dir, 'apply', '--yes', '--prune')).code).toBe(0);
    const meters = (await emu.stripe.billing.meters.list({ limit: 100 })).data;
    expect(meters.find((m) => m.event_name === 'alpaca_ai_tokens_m')?.status).toBe('inactive');
    expect((await cli(w.dir, 'plan', '--prune', '--detailed-exitcode')).code).toBe(0);
  });
});

import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { workdir } from './fixtures.js';

// Its own emulator: --prune acts on every alert of the account.
let emu: TestEmulator;
beforeAll(async () => { emu = await startTestEmulator(); });
afterAll(async () => { await emu.close(); });

const cli = (dir: string, ...args: string[]) => run([...args, '--max-rps', '500'], { env: emu.env, cwd: dir });

const yaml = (alerts: string) => `version: 1
meters:
  tokens:
    display_name: Alpaca AI tokens
    event_name: alpaca_ai_tokens_alerts
    aggregation: sum
alerts:
${alerts}`;

const bigMonth = (threshold = 1000000) => `  big_month:
    meter: tokens
    threshold: ${threshold}
    title: A big month
`;
const forGrace = (customer: string) => `  grace:
    meter: tokens
    threshold: 5000
    customer: ${customer}
    title: Grace is busy
`;

const liveAlerts = async () => (await emu.stripe.billing.alerts.list({ limit: 100 })).data.filter((a) => a.status !== 'archived');
const summary = (changes: { action: string; type: string; key: string }[]) => changes.map((c) => `${c.action} ${c.type} ${c.key}`).sort();

describe('alerts: reconciled by plan/apply', () => {
  it('creates, plans no change, replaces a changed alert, prunes by archiving, and leaves other alerts alone', async () => {
    const grace = await emu.stripe.customers.create({ email: 'grace@example.com' });
    const w = workdir(yaml(bigMonth() + forGrace(grace.id)));

    // Create: both alerts planned, with their fields, in text and JSON.
    const planned = await cli(w.dir, 'plan', '--json');
    expect(planned.code).toBe(0);
    expect(summary(planned.json().changes)).toEqual(['create alert big_month', 'create alert grace', 'create meter alpaca_ai_tokens_alerts']);
    expect(planned.json().changes.find((c: { key: string }) => c.key === 'grace').fields).toEqual([
      { field: 'title', after: 'Grace is busy' },
      { field: 'meter', after: 'alpaca_ai_tokens_alerts' },
      { field: 'threshold', after: 5000 },
      { field: 'customer', after: grace.id },
    ]);
    const human = await cli(w.dir, 'plan');
    expect(human.stdout).toMatch(/^ {2}\+ create alert big_month$/m);
    expect(human.stdout).toContain('        threshold: 1000000');

    expect((await cli(w.dir, 'apply', '--yes')).code).toBe(0);
    const meter = (await emu.stripe.billing.meters.list({ limit: 100 })).data.find((m) => m.event_name === 'alpaca_ai_tokens_alerts')!;
    const created = await liveAlerts();
    expect(created.map((a) => ({ title: a.title, status: a.status, usage_threshold: a.usage_threshold })).sort((a, b) => a.title.localeCompare(b.title))).toEqual([
      { title: 'A big month [alpaca-billing:big_month]', status: 'active', usage_threshold: { gte: 1000000, meter: meter.id, recurrence: 'one_time', filters: null } },
      { title: 'Grace is busy [alpaca-billing:grace]', status: 'active', usage_threshold: { gte: 5000, meter: meter.id, recurrence: 'one_time', filters: [{ type: 'customer', customer: grace.id }] } },
    ]);

    // No change: the plan is empty, also with --prune.
    const again = await cli(w.dir, 'plan', '--prune', '--detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes: the account matches the pricing file.');

    // An alert made by hand (no key in its title) is not ours: never replaced or pruned.
    const byHand = await emu.stripe.billing.alerts.create({ alert_type: 'usage_threshold', title: 'Ops watch', usage_threshold: { gte: 10, meter: meter.id, recurrence: 'one_time' } });

    // Change: alerts cannot be edited, so the old one is archived and a new one created.
    const oldBig = created.find((a) => a.title.startsWith('A big month'))!;
    w.write(yaml(bigMonth(2000000) + forGrace(grace.id)));
    const change = (await cli(w.dir, 'plan', '--json', '--detailed-exitcode'));
    expect(change.code).toBe(2);
    expect(change.json().changes).toEqual([expect.objectContaining({ action: 'replace', type: 'alert', key: 'big_month', id: oldBig.id, fields: [{ field: 'threshold', before: 1000000, after: 2000000 }] })]);
    expect((await cli(w.dir, 'plan')).stdout).toMatch(/-\/\+ replace alert big_month \(alrt_\w+\)\n {8}threshold: 1000000 → 2000000/);
    expect((await cli(w.dir, 'apply', '--yes')).code).toBe(0);
    expect((await emu.stripe.billing.alerts.retrieve(oldBig.id)).status).toBe('archived');
    const replaced = (await liveAlerts()).filter((a) => a.title.startsWith('A big month'));
    expect(replaced.map((a) => a.usage_threshold?.gte)).toEqual([2000000]);
    expect((await cli(w.dir, 'plan', '--detailed-exitcode')).code).toBe(0);

    // Prune: an alert dropped from the file is archived only with --prune.
    w.write(yaml(bigMonth(2000000)));
    expect((await cli(w.dir, 'plan', '--detailed-exitcode')).code).toBe(0);
    const prune = await cli(w.dir, 'plan', '--prune', '--json');
    expect(summary(prune.json().changes)).toEqual(['archive alert grace']);
    expect((await cli(w.dir, 'apply', '--yes', '--prune')).code).toBe(0);
    expect((await liveAlerts()).map((a) => a.title).sort()).toEqual(['A big month [alpaca-billing:big_month]', 'Ops watch']);
    expect((await emu.stripe.billing.alerts.retrieve(byHand.id)).status).toBe('active');
    expect((await cli(w.dir, 'plan', '--prune', '--detailed-exitcode')).code).toBe(0);
  });

  it('reactivates a declared alert deactivated by hand, and pull writes the alerts back', async () => {
    const w = workdir(yaml(bigMonth(777)));
    expect((await cli(w.dir, 'apply', '--yes', '--prune')).code).toBe(0);
    const alert = (await liveAlerts()).find((a) => a.title === 'A big month [alpaca-billing:big_month]')!;
    await emu.stripe.billing.alerts.deactivate(alert.id);

    const planned = (await cli(w.dir, 'plan', '--json')).json();
    expect(planned.changes).toEqual([expect.objectContaining({ action: 'update', type: 'alert', key: 'big_month', fields: [{ field: 'status', before: 'inactive', after: 'active' }] })]);
    expect((await cli(w.dir, 'apply', '--yes')).code).toBe(0);
    expect((await emu.stripe.billing.alerts.retrieve(alert.id)).status).toBe('active');

    const pulled = (await cli(w.dir, 'pull', '--json')).json();
    expect(pulled.pricing.alerts).toEqual({ big_month: { meter: 'alpaca_ai_tokens_alerts', threshold: 777, title: 'A big month' } });
    expect(pulled.skipped).toContainEqual(expect.stringMatching(/^1 alert not made from a pricing\.yaml/));
  });

  it('an alert for a customer the account does not have is a blocked change: apply exits 3 and creates nothing', async () => {
    const w = workdir(yaml(forGrace('cus_NoSuchCustomer1')).replace('alpaca_ai_tokens_alerts', 'alpaca_ai_tokens_ghost'));
    const planned = await cli(w.dir, 'plan', '--json');
    expect(planned.json().changes.find((c: { key: string }) => c.key === 'grace')).toMatchObject({ action: 'create', blocked: "no customer 'cus_NoSuchCustomer1' in this Stripe account" });
    expect((await cli(w.dir, 'plan')).stdout).toContain("✗ cannot apply: no customer 'cus_NoSuchCustomer1' in this Stripe account");
    const result = await cli(w.dir, 'apply', '--yes');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("alert grace (no customer 'cus_NoSuchCustomer1' in this Stripe account). Nothing was changed.");
    expect((await emu.stripe.billing.meters.list({ limit: 100 })).data.map((m) => m.event_name)).not.toContain('alpaca_ai_tokens_ghost');
  });
});

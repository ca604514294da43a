import { describe, expect, it } from '@jest/globals';
import { run } from '../helpers/cli.js';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';
import { scriptedPrompter } from '../../src/output/prompt.js';

const { emu, cli } = useCatalogEmulator();

let n = 0;
async function subscribed() {
  n += 1;
  const customer = await emu.stripe.customers.create({ email: `cancel${n}@example.com`, metadata: { external_id: `user_cancel_${n}` } });
  const r = await cli('--json', 'subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly');
  expect(r.code).toBe(0);
  return { customer, id: r.json().subscription.id as string };
}
const statusOf = async (id: string) => (await emu.stripe.subscriptions.retrieve(id)).status;

describe('subscriptions cancel', () => {
  it('needs --yes without a terminal, exits 3 and leaves the subscription alone', async () => {
    const { id } = await subscribed();
    const before = await statusOf(id);
    const r = await cli('subscriptions', 'cancel', id);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Pass --yes');
    expect(await statusOf(id)).toBe(before);
  });

  it('cancels now with --yes (--json shape)', async () => {
    const { id, customer } = await subscribed();
    const r = await cli('--json', 'subscriptions', 'cancel', id, '--yes');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ action: 'canceled', subscription: { id, customer: customer.id, status: 'canceled', canceled_at: expect.any(Number) } });
    expect(await statusOf(id)).toBe('canceled');
  });

  it('asks on a terminal: yes cancels, no leaves it', async () => {
    const { id } = await subscribed();
    const no = await run(['subscriptions', 'cancel', id], { env: emu.env, prompter: scriptedPrompter({ Cancel: false }) });
    expect(no.code).toBe(0);
    expect(no.stderr).toContain('not cancelled');
    expect(await statusOf(id)).not.toBe('canceled');
    const yes = await run(['subscriptions', 'cancel', id], { env: emu.env, prompter: scriptedPrompter({ [`Cancel ${id}`]: true }) });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain(`subscription ${id} canceled`);
    expect(await statusOf(id)).toBe('canceled');
  });

  it('--at-period-end keeps it until the period ends', async () => {
    const { id } = await subscribed();
    const before = await statusOf(id);
    const r = await cli('subscriptions', 'cancel', id, '--at-period-end', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`subscription ${id} will cancel at the end of the period \\(\\d{4}-\\d\\d-\\d\\d\\); it stays ${before} until then`));
    const sub = await emu.stripe.subscriptions.retrieve(id);
    expect(sub.cancel_at_period_end).toBe(true);
    expect(sub.status).toBe(before);
  });

  it('--invoice-now cancels and invoices the unbilled usage', async () => {
    const { id } = await subscribed();
    const before = (await emu.stripe.subscriptions.retrieve(id)).latest_invoice;
    const r = await cli('--json', 'subscriptions', 'cancel', id, '--invoice-now', '--yes');
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc).toMatchObject({ action: 'canceled', subscription: { status: 'canceled' } });
    expect(doc.subscription.latest_invoice).not.toBe(before);
  });

  it('is a no-op on an already canceled subscription', async () => {
    const { id } = await subscribed();
    await emu.stripe.subscriptions.cancel(id);
    const r = await cli('subscriptions', 'cancel', id, '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`subscription ${id} is already canceled; nothing to do`);
  });

  it.each([
    [['sub_doesnotexist', '--yes'], "No subscription 'sub_doesnotexist'"],
    [['cus_123', '--yes'], "'cus_123' is not a subscription id"],
    [['sub_123', '--invoice-now', '--at-period-end', '--yes'], '--invoice-now and --at-period-end do not combine'],
  ])('exits 3 for %j', async (args, message) => {
    const r = await cli('subscriptions', 'cancel', ...args);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(message);
  });
});

describe('subscriptions list', () => {
  it('filters by customer (any reference) and status', async () => {
    const { customer, id } = await subscribed();
    const other = await subscribed();
    await emu.stripe.subscriptions.cancel(other.id);

    const mine = await cli('--json', 'subscriptions', 'list', '--customer', customer.metadata.external_id);
    expect(mine.code).toBe(0);
    expect(mine.json().subscriptions.map((s: { id: string }) => s.id)).toEqual([id]);

    const canceled = await cli('--json', 'subscriptions', 'list', '--status', 'canceled');
    const ids = canceled.json().subscriptions.map((s: { id: string }) => s.id);
    expect(ids).toContain(other.id);
    expect(ids).not.toContain(id);

    const human = await cli('subscriptions', 'list', '--customer', customer.id);
    expect(human.stdout.split('\n')[0]).toMatch(/^ID +STATUS +PRICES +CURRENT PERIOD$/);
    expect(human.stdout).toMatch(new RegExp(`^${id} +\\w+ +alpaca_ai_tokens_monthly +\\d{4}-\\d\\d-\\d\\d → \\d{4}-\\d\\d-\\d\\d$`, 'm'));
  });

  it('exits 3 for an unknown status', async () => {
    const r = await cli('subscriptions', 'list', '--status', 'sleeping');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("--status 'sleeping' is not a subscription status");
  });
});

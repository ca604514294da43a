// `subscriptions migrate --at period-end` against the emulator on test clocks: each subscription
// gets a schedule whose next phase has the new price from its period end, so the closing invoice
// bills the old price for the whole closed period and the next one the new price; a subscription
// with its own schedule is skipped and reported; a run cut off between its steps converges.
import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { builtCli } from '../usage/helpers/built-cli.js';
import { advanceTo } from '../helpers/clock.js';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';
import { MIGRATION_METADATA_KEY, migrationKey } from '../../src/reconcile/migrate.js';

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const HOUR = 3600;
const FEB15 = Date.UTC(2026, 1, 15, 12) / 1000;
const MAR15 = Date.UTC(2026, 2, 15, 12) / 1000;

const { emu, catalog, cli } = useCatalogEmulator();
const migrate = (from: string, to: string, ...more: string[]) => cli('--json', 'subscriptions', 'migrate', '--from', from, '--to', to, '--at', 'period-end', '--yes', ...more);

let n = 0;
async function subscriber(price: string) {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await emu.stripe.customers.create({ email: `period-end-${++n}@example.com`, test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price }] });
  return { clock: clock.id, customer: customer.id, sub };
}
const tokens = (customer: string, value: number) => emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer, value: String(value) } });
const cycleInvoices = async (customer: string) => (await emu.stripe.invoices.list({ customer, limit: 20 })).data.filter((i) => i.billing_reason === 'subscription_cycle').reverse();
const lines = (inv: Stripe.Invoice) => inv.lines.data.map((l) => [l.pricing?.price_details?.price, l.quantity, l.amount]);
const schedulesOf = async (customer: string) => (await emu.stripe.subscriptionSchedules.list({ customer })).data;

describe('subscriptions migrate --at period-end', () => {
  it('bills the closing period fully on the old price and the next on the new one; a re-run reports it already migrated', async () => {
    const { clock, customer, sub } = await subscriber(catalog.tokens.id);
    await tokens(customer, 1500);
    await advanceTo(emu.stripe, clock, T0 + HOUR);

    const r = await migrate('alpaca_ai_tokens_monthly', 'alpaca_ai_tokens_per_unit', '--customer', customer);
    expect(r.code).toBe(0);
    const [migrated] = r.json().migrated;
    expect(migrated).toMatchObject({ id: sub.id, customer, schedule: expect.stringMatching(/^sub_sched_/), at: FEB15 });
    // Nothing changes before the period end.
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).items.data[0].price.id).toBe(catalog.tokens.id);

    const again = await migrate(catalog.tokens.id, 'alpaca_ai_tokens_per_unit', '--customer', customer);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ planned: [], migrated: [], already_migrated: [{ id: sub.id, schedule: migrated.schedule, at: FEB15 }], failed: [] });

    await tokens(customer, 700);
    await advanceTo(emu.stripe, clock, FEB15 + 2 * HOUR);
    await tokens(customer, 300);
    await advanceTo(emu.stripe, clock, MAR15 + 2 * HOUR);
    const [closing, next] = await cycleInvoices(customer);
    // 2,200 tokens before and after the migrate, all on the old price: 3 started packages × 4¢.
    expect(lines(closing)).toEqual([[catalog.tokens.id, 2200, 12]]);
    expect([closing.period_start, closing.period_end]).toEqual([T0, FEB15]);
    // The next period on the new price: 300 × 0.5¢.
    expect(lines(next)).toEqual([[catalog.perUnit.id, 300, 150]]);
    expect(await schedulesOf(customer)).toHaveLength(1);
  });

  it('--at now leaves a subscription an earlier --at period-end scheduled: skipped with the way out, nothing changed', async () => {
    const { customer, sub } = await subscriber(catalog.tokens.id);
    const scheduled = await migrate('alpaca_ai_tokens_monthly', 'alpaca_ai_tokens_per_unit', '--customer', customer);
    const schedule = scheduled.json().migrated[0].schedule as string;
    const now = await cli('--json', 'subscriptions', 'migrate', '--from', 'alpaca_ai_tokens_monthly', '--to', 'alpaca_ai_tokens_per_unit', '--at', 'now', '--yes', '--customer', customer);
    expect(now.code).toBe(0);
    expect(now.json()).toMatchObject({ migrated: [], failed: [], skipped: [{ id: sub.id, schedule, reason: expect.stringMatching(new RegExp(`earlier migrate scheduled it.*release ${schedule}`)) }] });
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).items.data[0].price.id).toBe(catalog.tokens.id);
    expect((await emu.stripe.subscriptionSchedules.retrieve(schedule)).status).toBe('active');
  });

  it('skips and reports a subscription with its own schedule, and never changes that schedule', async () => {
    const { customer, sub } = await subscriber(catalog.tiered.id);
    const theirs = await emu.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    await emu.stripe.subscriptionSchedules.update(theirs.id, { metadata: { owner: 'finance' }, phases: [{ items: [{ price: catalog.tiered.id }], end_date: MAR15 }] });
    const before = await emu.stripe.subscriptionSchedules.retrieve(theirs.id);

    const r = await migrate('alpaca_ai_tokens_tiered', 'alpaca_ai_tokens_monthly', '--customer', customer);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ migrated: [], skipped: [{ id: sub.id, customer, reason: expect.stringContaining(`has its own subscription schedule (${theirs.id})`) }], failed: [] });
    expect(await emu.stripe.subscriptionSchedules.retrieve(theirs.id)).toEqual(before);

    const human = await cli('subscriptions', 'migrate', '--from', 'alpaca_ai_tokens_tiered', '--to', 'alpaca_ai_tokens_monthly', '--at', 'period-end', '--yes', '--customer', customer);
    expect(human.stdout).toContain(`skipped ${sub.id} (${customer}): has its own subscription schedule (${theirs.id})`);
    expect(human.stdout).toContain('Migrated 0, already migrated 0, skipped 1, failed 0.');
  });

  it('a run cut off after creating the schedule finishes it on the re-run, without a second schedule', async () => {
    const { clock, customer, sub } = await subscriber(catalog.perUnit.id);
    // The first of the two steps, as a killed run leaves it: the schedule exists, unmarked, one phase.
    const cut = await emu.stripe.subscriptionSchedules.create({ from_subscription: sub.id }, { idempotencyKey: migrationKey(sub.id, 'schedule', catalog.perUnit.id, catalog.tokens.id) });
    expect(cut.phases).toHaveLength(1);

    const dry = await cli('--json', 'subscriptions', 'migrate', '--from', 'alpaca_ai_tokens_per_unit', '--to', 'alpaca_ai_tokens_monthly', '--at', 'period-end', '--dry-run', '--customer', customer);
    expect(dry.json()).toMatchObject({ planned: [], skipped: [{ id: sub.id, reason: 'has a subscription schedule not made by migrate' }] });

    const r = await migrate('alpaca_ai_tokens_per_unit', 'alpaca_ai_tokens_monthly', '--customer', customer);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ migrated: [{ id: sub.id, schedule: cut.id, at: FEB15 }], skipped: [], failed: [] });
    const finished = await emu.stripe.subscriptionSchedules.retrieve(cut.id);
    expect(finished.metadata).toEqual({ [MIGRATION_METADATA_KEY]: catalog.tokens.id });
    expect(finished.phases.map((p) => [p.start_date, p.end_date, p.items.map((i) => i.price)])).toEqual([[T0, FEB15, [catalog.perUnit.id]], [FEB15, MAR15, [catalog.tokens.id]]]);
    expect((await schedulesOf(customer)).map((s) => s.id)).toEqual([cut.id]);

    await advanceTo(emu.stripe, clock, FEB15 + 2 * HOUR);
    expect((await emu.stripe.subscriptions.retrieve(sub.id)).items.data[0].price.id).toBe(catalog.tokens.id);
  });

  it('the built CLI killed with SIGKILL mid-run: the re-run gives every subscription exactly one finished schedule', async () => {
    const from = await emu.stripe.prices.create({ product: 'alpaca_seats', currency: 'usd', unit_amount: 700, lookup_key: 'kill_from', recurring: { interval: 'month' } });
    const to = await emu.stripe.prices.create({ product: 'alpaca_seats', currency: 'usd', unit_amount: 800, lookup_key: 'kill_to', recurring: { interval: 'month' } });
    const subs = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const customer = await emu.stripe.customers.create({ email: `killed-${i}@example.com` });
      return emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: from.id, quantity: i + 1 }] });
    }));
    const args = [...(await builtCli()), '--json', 'subscriptions', 'migrate', '--from', 'kill_from', '--to', 'kill_to', '--at', 'period-end', '--yes', '--max-rps', '4'];
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, CI: 'true', ...emu.env }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    // Kill it as soon as its first schedule exists: the others are cut off before or between their two steps.
    const scheduled = async () => (await Promise.all(subs.map((s) => emu.stripe.subscriptions.retrieve(s.id)))).filter((s) => s.schedule).length;
    while ((await scheduled()) === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const r = await migrate('kill_from', 'kill_to');
    expect(r.code).toBe(0);
    const report = r.json();
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect([...report.migrated, ...report.already_migrated].map((m: { id: string }) => m.id).sort()).toEqual(subs.map((s) => s.id).sort());
    for (const [i, sub] of subs.entries()) {
      const schedules = await schedulesOf(sub.customer as string);
      expect(schedules).toHaveLength(1);
      expect(schedules[0].metadata).toEqual({ [MIGRATION_METADATA_KEY]: to.id });
      expect(schedules[0].phases.map((p) => p.items.map((it) => [it.price, it.quantity]))).toEqual([[[from.id, i + 1]], [[to.id, i + 1]]]);
    }
  });
});

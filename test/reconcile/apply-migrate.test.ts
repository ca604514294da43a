// `apply --migrate-subscriptions period-end|now`: a replaced price's subscriptions move onto the
// replacement (a schedule at period end, or a swap now), then the old price is archived without
// --allow-archive-in-use; a subscription with its own schedule keeps the old price active, and a
// re-run after releasing it finishes the job.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { run } from '../helpers/cli.js';
import { advanceTo } from '../helpers/clock.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { workdir } from './fixtures.js';

let emu: TestEmulator;
beforeAll(async () => { emu = await startTestEmulator(); });
afterAll(async () => { await emu.close(); });

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const FEB15 = Date.UTC(2026, 1, 15, 12) / 1000;
const MAR15 = Date.UTC(2026, 2, 15, 12) / 1000;
const HOUR = 3600;

const pricingYaml = (v: { pkg?: number; unit?: string; tiered?: string; seats?: number } = {}) => `version: 1
meters:
  tokens:
    display_name: Migrate tokens
    event_name: migrate_tokens
    aggregation: sum
products:
  migrate_ai:
    name: Migrate AI
    prices:
      pkg:
        lookup_key: mig_pkg
        currency: usd
        interval: month
        meter: tokens
        package: { amount: ${v.pkg ?? 4}, size: 1000, round: up }
      unit:
        lookup_key: mig_unit
        currency: usd
        interval: month
        meter: tokens
        unit_amount: "${v.unit ?? '0.5'}"
      tiered:
        lookup_key: mig_tiered
        currency: usd
        interval: month
        meter: tokens
        tiered:
          mode: graduated
          tiers:
            - { up_to: 1000, unit_amount: 0 }
            - { up_to: inf, unit_amount: "${v.tiered ?? '0.25'}" }
      seats:
        lookup_key: mig_seats
        currency: usd
        interval: month
        unit_amount: ${v.seats ?? 1000}
`;

const cli = (dir: string, ...args: string[]) => run([...args, '--max-rps', '500'], { env: emu.env, cwd: dir });
const priceOf = async (lookupKey: string) => (await emu.stripe.prices.list({ lookup_keys: [lookupKey] })).data[0];
const tokens = (customer: string, value: number) => emu.stripe.billing.meterEvents.create({ event_name: 'migrate_tokens', payload: { stripe_customer_id: customer, value: String(value) } });
const lines = (inv: Stripe.Invoice) => inv.lines.data.map((l) => [l.pricing?.price_details?.price, l.quantity, l.amount]);
const cycleInvoices = async (customer: string) => (await emu.stripe.invoices.list({ customer, limit: 20 })).data.filter((i) => i.billing_reason === 'subscription_cycle').reverse();

let n = 0;
async function subscriber(lookupKey: string, quantity?: number) {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await emu.stripe.customers.create({ email: `apply-migrate-${++n}@example.com`, test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const price = await priceOf(lookupKey);
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, ...(quantity ? { quantity } : {}) }] });
  return { clock: clock.id, customer: customer.id, sub, price };
}

describe('apply --migrate-subscriptions', () => {
  const w = workdir(pricingYaml());
  beforeAll(async () => {
    expect((await cli(w.dir, 'apply', '--yes')).code).toBe(0);
  });

  it('period-end: schedules each subscription onto the new price, archives the old one; the closing period bills on the old price', async () => {
    const pkg = await subscriber('mig_pkg');
    const seats = await subscriber('mig_seats', 3);
    await tokens(pkg.customer, 1500);
    await advanceTo(emu.stripe, pkg.clock, T0 + HOUR);
    w.write(pricingYaml({ pkg: 5, seats: 1200 }));

    const blocked = await cli(w.dir, 'apply', '--yes');
    expect([blocked.code, blocked.stderr]).toEqual([3, expect.stringContaining('--migrate-subscriptions')]);

    const plan = (await cli(w.dir, 'plan', '--json', '--migrate-subscriptions', 'period-end')).json();
    const pkgChange = plan.changes.find((c: { key: string }) => c.key === 'mig_pkg');
    expect(pkgChange).toMatchObject({ action: 'replace', active_subscriptions: 1, migrate_subscriptions: { at: 'period-end', to: 'mig_pkg' } });
    expect(pkgChange.blocked).toBeUndefined();

    const r = await cli(w.dir, '--json', 'apply', '--yes', '--migrate-subscriptions', 'period-end');
    expect(r.code).toBe(0);
    const [newPkg, newSeats] = [await priceOf('mig_pkg'), await priceOf('mig_seats')];
    const migrations = r.json().result.migrations;
    expect(migrations).toEqual(expect.arrayContaining([
      expect.objectContaining({ key: 'mig_pkg', from: pkg.price.id, to: newPkg.id, at: 'period-end', migrated: [expect.objectContaining({ id: pkg.sub.id, at: FEB15, schedule: expect.stringMatching(/^sub_sched_/) })], failed: [] }),
      expect.objectContaining({ key: 'mig_seats', from: seats.price.id, to: newSeats.id, migrated: [expect.objectContaining({ id: seats.sub.id })] }),
    ]));
    expect((await emu.stripe.prices.retrieve(pkg.price.id)).active).toBe(false);
    expect((await emu.stripe.prices.retrieve(seats.price.id)).active).toBe(false);

    await tokens(pkg.customer, 600);
    await advanceTo(emu.stripe, pkg.clock, FEB15 + 2 * HOUR);
    await tokens(pkg.customer, 2500);
    await advanceTo(emu.stripe, pkg.clock, MAR15 + 2 * HOUR);
    const [closing, next] = await cycleInvoices(pkg.customer);
    // 2,100 tokens on the old 4¢ per started 1,000: 12¢; then 2,500 on the new 5¢: 15¢.
    expect(lines(closing)).toEqual([[pkg.price.id, 2100, 12]]);
    expect(lines(next)).toEqual([[newPkg.id, 2500, 15]]);

    await advanceTo(emu.stripe, seats.clock, FEB15 + 2 * HOUR);
    // The seats renew on the new $12.00 from the period end.
    expect(lines((await cycleInvoices(seats.customer))[0])).toEqual([[newSeats.id, 3, 3600]]);
  });

  it('now: swaps the price at once, invoicing the usage so far on the old one', async () => {
    const unit = await subscriber('mig_unit');
    await tokens(unit.customer, 1000);
    await advanceTo(emu.stripe, unit.clock, T0 + HOUR);
    w.write(pricingYaml({ pkg: 5, seats: 1200, unit: '0.625' }));
    const r = await cli(w.dir, '--json', 'apply', '--yes', '--migrate-subscriptions', 'now');
    expect(r.code).toBe(0);
    const newUnit = await priceOf('mig_unit');
    const [m] = r.json().result.migrations;
    expect(m).toMatchObject({ key: 'mig_unit', at: 'now', migrated: [{ id: unit.sub.id, invoice: expect.stringMatching(/^in_/) }] });
    // 1,000 tokens × 0.5¢ on the old price, at once.
    expect((await emu.stripe.invoices.retrieve(m.migrated[0].invoice)).total).toBe(500);
    expect((await emu.stripe.subscriptions.retrieve(unit.sub.id)).items.data[0].price.id).toBe(newUnit.id);
    expect((await emu.stripe.prices.retrieve(unit.price.id)).active).toBe(false);
  });

  it('keeps the old price active while a subscription with its own schedule stays on it; a re-run after releasing it finishes', async () => {
    const own = await subscriber('mig_tiered');
    const theirs = await emu.stripe.subscriptionSchedules.create({ from_subscription: own.sub.id });
    w.write(pricingYaml({ pkg: 5, seats: 1200, unit: '0.625', tiered: '0.3' }));

    const first = await cli(w.dir, 'apply', '--yes', '--migrate-subscriptions', 'period-end');
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`${own.sub.id}: has its own subscription schedule (${theirs.id})`);
    expect(first.stdout).toContain(`skipped ${own.sub.id}`);
    expect((await emu.stripe.prices.retrieve(own.price.id)).active).toBe(true);
    expect((await emu.stripe.subscriptionSchedules.retrieve(theirs.id)).phases).toHaveLength(1);

    await emu.stripe.subscriptionSchedules.release(theirs.id);
    // The old price has lost its lookup key to the new one; it says which key that was.
    const plan = (await cli(w.dir, 'plan', '--json', '--migrate-subscriptions', 'period-end')).json();
    expect(plan.changes.find((c: { id?: string }) => c.id === own.price.id)).toMatchObject({ action: 'archive', migrate_subscriptions: { at: 'period-end', to: 'mig_tiered' } });
    const again = await cli(w.dir, '--json', 'apply', '--yes', '--migrate-subscriptions', 'period-end');
    expect(again.code).toBe(0);
    expect(again.json().result.migrations).toEqual([expect.objectContaining({ key: 'mig_tiered', migrated: [expect.objectContaining({ id: own.sub.id, at: FEB15 })] })]);
    expect((await emu.stripe.prices.retrieve(own.price.id)).active).toBe(false);
  });

  it('refuses an unknown --migrate-subscriptions value (exit 3)', async () => {
    const r = await cli(w.dir, 'plan', '--migrate-subscriptions', 'tomorrow');
    expect([r.code, r.stderr]).toEqual([3, expect.stringContaining("--migrate-subscriptions 'tomorrow' is not one of period-end, now")]);
  });
});

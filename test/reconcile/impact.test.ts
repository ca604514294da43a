// Plan impact: the subscriptions on prices a plan replaces, and their usage this period priced under
// the old and the new price, checked against hand-computed figures and the emulator's own invoices.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { priceChangeYaml, workdir } from './fixtures.js';

let emu: TestEmulator;
beforeAll(async () => { emu = await startTestEmulator(); });
afterAll(async () => { await emu.close(); });

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const FEB15 = Date.UTC(2026, 1, 15, 12) / 1000;

const pricingYaml = (next = false) => priceChangeYaml('impact', next);

const cli = (dir: string, ...args: string[]) => run([...args, '--max-rps', '500'], { env: emu.env, cwd: dir });

/** A customer on a fresh test clock at T0, subscribed to the price, with `tokens` of usage at T0. */
async function subscriber(lookupKey: string, usage: { tokens?: number; quantity?: number }): Promise<Stripe.Subscription> {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customer = await emu.stripe.customers.create({ email: `${lookupKey}@example.com`, test_clock: clock.id });
  const [price] = (await emu.stripe.prices.list({ lookup_keys: [lookupKey] })).data;
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, ...(usage.quantity ? { quantity: usage.quantity } : {}) }] });
  if (usage.tokens) await emu.stripe.billing.meterEvents.create({ event_name: 'impact_tokens', payload: { stripe_customer_id: customer.id, value: String(usage.tokens) } });
  return sub;
}

describe('plan impact of price replaces', () => {
  const w = workdir(pricingYaml());
  const subs: Record<string, Stripe.Subscription[]> = {};

  beforeAll(async () => {
    expect((await cli(w.dir, 'apply', '--yes')).code).toBe(0);
    subs.pkg = [await subscriber('impact_pkg', { tokens: 1_234_567 }), await subscriber('impact_pkg', { tokens: 1_000 })];
    subs.unit = [await subscriber('impact_unit', { tokens: 2_345 })];
    subs.tiered = [await subscriber('impact_tiered', { tokens: 12_000 })];
    subs.seats = [await subscriber('impact_seats', { quantity: 3 })];
    w.write(pricingYaml(true));
  });

  const changeOf = (doc: { changes: { key: string }[] }, key: string) => doc.changes.find((c) => c.key === key) as Record<string, any>;

  it('prices this period\'s usage under the old and the new price, per change, as hand-computed', async () => {
    const r = await cli(w.dir, 'plan', '--json');
    expect(r.code).toBe(0);
    const doc = r.json();
    // Package 4¢ → 5¢ per started 1,000: 1,235 + 1 packages.
    expect(changeOf(doc, 'impact_pkg').impact).toMatchObject({ basis: 'current_period', currency: 'usd', before: 4944, after: 6180, delta: 1236 });
    // Per unit 0.5¢ → 0.625¢ × 2,345: 1,172.5 → 1,173; 1,465.625 → 1,466 (half up).
    expect(changeOf(doc, 'impact_unit').impact).toMatchObject({ before: 1173, after: 1466, delta: 293 });
    // Graduated: 0 + (9,000 × 0.5 + 500) + 2,000 × 0.25 = 5,500; the last tier at 0.5: 6,000.
    expect(changeOf(doc, 'impact_tiered').impact).toMatchObject({ before: 5500, after: 6000, delta: 500 });
    // Licensed: 3 seats × $10.00 → × $12.00.
    expect(changeOf(doc, 'impact_seats').impact).toMatchObject({ before: 3000, after: 3600, delta: 600 });

    const pkg = changeOf(doc, 'impact_pkg').impact;
    expect(pkg.subscriptions).toEqual(expect.arrayContaining([
      { id: subs.pkg[0].id, customer: subs.pkg[0].customer, current_period_end: FEB15, quantity: 1_234_567, before: 4940, after: 6175 },
      { id: subs.pkg[1].id, customer: subs.pkg[1].customer, current_period_end: FEB15, quantity: 1_000, before: 4, after: 5 },
    ]));
    expect(changeOf(doc, 'impact_pkg')).toMatchObject({ action: 'replace', active_subscriptions: 2, blocked: '2 active subscriptions use this price' });
    const oldId = changeOf(doc, 'impact_pkg').id;
    expect(oldId).toMatch(/^price_/);
    expect(changeOf(doc, 'impact_pkg').notes).toContainEqual(expect.stringContaining('pass --migrate-subscriptions period-end (or now) to move them onto impact_pkg first'));
  });

  it('gives the same "before" as the invoice the emulator would issue for each subscription', async () => {
    const doc = (await cli(w.dir, 'plan', '--json')).json();
    for (const key of ['pkg', 'unit', 'tiered', 'seats']) {
      for (const s of changeOf(doc, `impact_${key}`).impact.subscriptions) {
        const preview = await emu.stripe.invoices.createPreview({ customer: s.customer, subscription: s.id });
        expect({ key, amount: s.before }).toEqual({ key, amount: preview.subtotal });
      }
    }
  });

  it('says it in one line per change, with each subscription under --verbose', async () => {
    const human = await cli(w.dir, 'plan');
    expect(human.stdout).toContain('2 subscriptions · this period so far $49.44 → $61.80 (+$12.36, +25.0%)');
    expect(human.stdout).toContain('1 subscription · this period so far $55.00 → $60.00 (+$5.00, +9.1%)');
    expect(human.stdout).not.toContain(subs.pkg[0].id);
    const verbose = await cli(w.dir, '--verbose', 'plan');
    expect(verbose.stdout).toContain(`${subs.pkg[0].id}  ${subs.pkg[0].customer}  period ends 2026-02-15  $49.40 → $61.75`);
  });

  it('skips reading usage with --no-impact (the counts stay)', async () => {
    const doc = (await cli(w.dir, 'plan', '--json', '--no-impact')).json();
    expect(changeOf(doc, 'impact_pkg')).toMatchObject({ active_subscriptions: 2 });
    expect(changeOf(doc, 'impact_pkg').impact).toBeUndefined();
  });
});

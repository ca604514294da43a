// `plan --impact-period last`: the last closed period of each subscription on a replaced price, as
// its invoice billed it under the old price and as the new price would have, against hand-computed
// figures; usage in the current period does not count, and a subscription still in its first period
// is left out with a note.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { run } from '../helpers/cli.js';
import { advanceTo } from '../helpers/clock.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { priceChangeYaml, workdir } from './fixtures.js';

let emu: TestEmulator;
beforeAll(async () => { emu = await startTestEmulator(); });
afterAll(async () => { await emu.close(); });

const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
const FEB15 = Date.UTC(2026, 1, 15, 12) / 1000;
const HOUR = 3600;

const pricingYaml = (next = false) => priceChangeYaml('last', next);

const cli = (dir: string, ...args: string[]) => run([...args, '--max-rps', '500'], { env: emu.env, cwd: dir });
const send = (customer: string, value: number) => emu.stripe.billing.meterEvents.create({ event_name: 'last_tokens', payload: { stripe_customer_id: customer, value: String(value) } });

let n = 0;
/** A customer on a clock at `start`, subscribed, with `tokens` reported then; the clock then moves past its first period end. */
async function subscriber(lookupKey: string, usage: { tokens?: number; quantity?: number }, start = T0, until = FEB15 + 2 * HOUR) {
  const clock = await emu.stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await emu.stripe.customers.create({ email: `last-${++n}@example.com`, test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const [price] = (await emu.stripe.prices.list({ lookup_keys: [lookupKey] })).data;
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, ...(usage.quantity ? { quantity: usage.quantity } : {}) }] });
  if (usage.tokens) await send(customer.id, usage.tokens);
  if (until > start) await advanceTo(emu.stripe, clock.id, until);
  // Usage in the new period: not part of the last closed one.
  await send(customer.id, 999_999);
  return sub;
}

describe('plan --impact-period last', () => {
  const w = workdir(pricingYaml());
  const subs: Record<string, Stripe.Subscription> = {};
  let fresh: Stripe.Subscription;
  beforeAll(async () => {
    expect((await cli(w.dir, 'apply', '--yes')).code).toBe(0);
    subs.pkg = await subscriber('last_pkg', { tokens: 1_234_567 });
    subs.unit = await subscriber('last_unit', { tokens: 2_345 });
    subs.tiered = await subscriber('last_tiered', { tokens: 12_000 });
    subs.seats = await subscriber('last_seats', { quantity: 3 });
    fresh = await subscriber('last_pkg', { tokens: 5_000 }, FEB15 + 3 * HOUR);
    w.write(pricingYaml(true));
  });
  const changeOf = (doc: { changes: { key: string }[] }, key: string) => doc.changes.find((c) => c.key === key) as Record<string, any>;
  const renewalOf = async (sub: Stripe.Subscription) => (await emu.stripe.invoices.list({ subscription: sub.id })).data.find((i) => i.billing_reason === 'subscription_cycle')!;

  it('prices the closed period from its invoice, as hand-computed', async () => {
    const r = await cli(w.dir, 'plan', '--json', '--impact-period', 'last');
    expect(r.code).toBe(0);
    const doc = r.json();
    // Package: 1,234,567 tokens = 1,235 started packages × 4¢ → × 5¢ (the fresh subscription is left out).
    expect(changeOf(doc, 'last_pkg').impact).toMatchObject({ basis: 'last_period', before: 4940, after: 6175, delta: 1235, notes: ['1 subscription is still in the first period: no closed period to price'] });
    // Per unit: 2,345 × 0.5¢ = 1,172.5 → 1,173; × 0.625¢ = 1,465.625 → 1,466.
    expect(changeOf(doc, 'last_unit').impact).toMatchObject({ before: 1173, after: 1466, delta: 293 });
    // Graduated: 0 + 9,000 × 0.5¢ + $5.00 + 2,000 × 0.25¢ = 5,500; the last tier at 0.5¢: 6,000.
    expect(changeOf(doc, 'last_tiered').impact).toMatchObject({ before: 5500, after: 6000, delta: 500 });
    // Licensed, billed in advance on the first invoice: 3 × $10.00 → 3 × $12.00.
    expect(changeOf(doc, 'last_seats').impact).toMatchObject({ before: 3000, after: 3600, delta: 600 });

    const renewal = await renewalOf(subs.pkg);
    expect(changeOf(doc, 'last_pkg').impact.subscriptions).toEqual([
      { id: subs.pkg.id, customer: subs.pkg.customer, current_period_end: Date.UTC(2026, 2, 15, 12) / 1000, quantity: 1_234_567, before: 4940, after: 6175, period_start: T0, period_end: FEB15, invoice: renewal.id },
    ]);
    expect(changeOf(doc, 'last_pkg').impact.subscriptions.map((s: { id: string }) => s.id)).not.toContain(fresh.id);
    const seatsInvoice = changeOf(doc, 'last_seats').impact.subscriptions[0].invoice;
    expect((await emu.stripe.invoices.retrieve(seatsInvoice)).billing_reason).toBe('subscription_create');
  });

  it('says "last period" in the human plan, with each invoice under --verbose; refuses an unknown period', async () => {
    const human = await cli(w.dir, '--verbose', 'plan', '--impact-period', 'last');
    expect(human.stdout).toContain('1 subscription · last period $49.40 → $61.75 (+$12.35, +25.0%)');
    expect(human.stdout).toContain(`${subs.pkg.id}  ${subs.pkg.customer}  period 2026-01-15 – 2026-02-15 (${(await renewalOf(subs.pkg)).id})  $49.40 → $61.75`);
    const bad = await cli(w.dir, 'plan', '--impact-period', 'previous');
    expect([bad.code, bad.stderr]).toEqual([3, expect.stringContaining("--impact-period 'previous' is not one of current, last")]);
  });
});

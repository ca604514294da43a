// The billing-cycle commands in-process against the emulator: clock create/advance/list/delete,
// customers create --test-clock, invoice list/show/pay, and the refusals.
import { describe, expect, it } from '@jest/globals';
import { run } from '../helpers/cli.js';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';

const T0 = '2026-01-15T12:00:00Z';
const T0_SEC = Date.parse(T0) / 1000;
const FEB_SEC = Date.UTC(2026, 1, 15, 12) / 1000;

const { emu, catalog, cli } = useCatalogEmulator();

let n = 0;
/** A clock at T0 with a customer on it, subscribed to the tokens price with `card`, and its usage sent. */
async function onClock(card: string, tokens: number) {
  n += 1;
  const clock = (await cli('--json', 'clock', 'create', '--frozen-time', T0, '--name', `cycle ${n}`)).json().clock.id as string;
  const created = await cli('--json', 'customers', 'create', '--email', `cycle${n}@example.com`, '--test-clock', clock);
  expect(created.code).toBe(0);
  const customer = created.json().customer;
  const pm = await emu.stripe.paymentMethods.attach(card, { customer: customer.id });
  await emu.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const sub = await emu.stripe.subscriptions.create({ customer: customer.id, items: [{ price: catalog.tokens.id }] });
  await emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer.id, value: String(tokens) } });
  return { clock, customer, sub: sub.id };
}

describe('clock commands', () => {
  it('create a clock at a time and show customers with the clock and its now', async () => {
    const r = await cli('--json', 'clock', 'create', '--frozen-time', T0, '--name', 'January');
    expect(r.code).toBe(0);
    const clock = r.json().clock;
    expect(clock).toMatchObject({ name: 'January', status: 'ready', frozen_time: T0_SEC });
    const c = await cli('--json', 'customers', 'create', '--email', 'clock-view@example.com', '--test-clock', clock.id);
    expect(c.json().customer).toMatchObject({ test_clock: clock.id, test_clock_time: T0_SEC });
    const shown = await cli('customers', 'show', c.json().customer.id);
    expect(shown.stdout).toContain(`test clock   ${clock.id} (now 2026-01-15 12:00 UTC)`);
    await emu.stripe.subscriptions.create({ customer: c.json().customer.id, items: [{ price: catalog.tokens.id }] });
    const preview = await cli('invoice', 'preview', c.json().customer.id);
    expect(preview.stdout).toContain(`on test clock ${clock.id} (now 2026-01-15 12:00 UTC)`);
    const list = await cli('clock', 'list');
    expect(list.stdout).toContain(`${clock.id} (January)  ready  now 2026-01-15 12:00 UTC`);
  });

  it('advance past Stripe\'s two-interval limit in allowed steps, each reported', async () => {
    const { clock } = await onClock('pm_card_visa', 1000);
    const r = await cli('--json', 'clock', 'advance', clock, '--by', '5mo');
    expect(r.code).toBe(0);
    const june = Date.UTC(2026, 5, 15, 12) / 1000;
    expect(r.json()).toMatchObject({ clock: { status: 'ready', frozen_time: june }, steps: [Date.UTC(2026, 2, 15, 12) / 1000, Date.UTC(2026, 4, 15, 12) / 1000, june] });
    const human = await cli('clock', 'advance', clock, '--to', '2026-06-16');
    expect(human.stderr).toContain(`advancing ${clock} to 2026-06-16 00:00 UTC: ready`);
  });

  it('refuse bad flags with exit 3, naming the flag', async () => {
    const clock = (await cli('--json', 'clock', 'create', '--frozen-time', T0)).json().clock.id;
    const cases: Array<[string[], string]> = [
      [['clock', 'create', '--frozen-time', 'next tuesday'], '--frozen-time'],
      [['clock', 'advance', clock, '--by', '3 fortnights'], '--by'],
      [['clock', 'advance', clock, '--to', '2026-01-01'], 'only moves forward'],
      [['clock', 'advance', clock], 'exactly one of --to or --by'],
      [['clock', 'advance', 'clock_nope', '--by', '1d'], "No test clock 'clock_nope'"],
      [['customers', 'create', '--email', 'x@example.com', '--test-clock', 'nope'], '--test-clock'],
      [['clock', 'delete', clock], '--yes'],
    ];
    for (const [args, text] of cases) {
      const r = await cli(...args);
      expect([args, r.code]).toEqual([args, 3]);
      expect(r.stderr).toContain(text);
    }
  });

  it('refuse a live key', async () => {
    const r = await run(['clock', 'list', '--live'], { env: { ...emu.env, STRIPE_API_KEY: 'sk_live_notreal' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('only in test mode');
  });

  it('delete a clock with its customers', async () => {
    const { clock, customer } = await onClock('pm_card_visa', 1);
    const r = await cli('clock', 'delete', clock, '--yes');
    expect(r.code).toBe(0);
    expect(await emu.stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
  });
});

describe('invoice commands', () => {
  it('list the renewal and show its math, its agreement with the meter summaries and its payment', async () => {
    const { clock, customer, sub } = await onClock('pm_card_visa', 40_377_931);
    expect((await cli('clock', 'advance', clock, '--to', '2026-02-15T13:30:00Z')).code).toBe(0);
    const list = await cli('--json', 'invoice', 'list', '--customer', customer.id);
    const [renewal, first] = list.json().invoices;
    expect(renewal).toMatchObject({ subscription: sub, status: 'paid', billing_reason: 'subscription_cycle', amount_paid: 161_512, period: { start: T0_SEC, end: FEB_SEC }, test_clock: clock });
    expect(first.billing_reason).toBe('subscription_create');
    expect((await cli('--json', 'invoice', 'list', '--subscription', sub, '--status', 'paid')).json().invoices).toHaveLength(2);

    const shown = await cli('invoice', 'show', renewal.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('40,377,931 Alpaca AI tokens → 40,378 × 1,000 Alpaca AI tokens × $0.04 = $1,615.12');
    expect(shown.stdout).toContain('usage agrees with the meter event summaries for the period (40,377,931 Alpaca AI tokens)');
    expect(shown.stdout).toContain('payment  paid 2026-02-15 13:00 UTC');
    const json = (await cli('--json', 'invoice', 'show', renewal.id)).json().invoice;
    expect(json.lines[0].usage_check).toEqual({ meter: catalog.meter.id, invoiced: '40377931', summarized: '40377931', agrees: true });
  });

  it('say when a line and the summaries differ (usage reported after finalization)', async () => {
    const { clock, customer } = await onClock('pm_card_visa', 5_000);
    await cli('clock', 'advance', clock, '--to', '2026-02-15T13:30:00Z');
    await emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer.id, value: '7' }, timestamp: FEB_SEC - 60 });
    const renewal = (await cli('--json', 'invoice', 'list', '--customer', customer.id, '--status', 'paid')).json().invoices[0];
    const shown = await cli('invoice', 'show', renewal.id);
    expect(shown.stdout).toContain('usage DIFFERS from the meter event summaries: invoiced 5,000, summaries now show 5,007');
  });

  it('show a failed renewal\'s attempts and next retry, and pay it with another card', async () => {
    const { clock, customer, sub } = await onClock('pm_card_chargeCustomerFail', 2_000);
    await cli('clock', 'advance', clock, '--to', '2026-02-15T13:30:00Z');
    const open = (await cli('--json', 'invoice', 'list', '--customer', customer.id, '--status', 'open')).json().invoices[0];
    expect(open).toMatchObject({ attempt_count: 1, next_payment_attempt: FEB_SEC + 3600 + 86_400 });
    expect((await cli('invoice', 'show', open.id)).stdout).toContain('payment  open: 1 failed attempt, next retry 2026-02-16 13:00 UTC');

    const declined = await cli('invoice', 'pay', open.id);
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('declined');
    const paid = await cli('--json', 'invoice', 'pay', open.id, '--payment-method', 'pm_card_visa');
    expect(paid.code).toBe(0);
    expect(paid.json().invoice).toMatchObject({ status: 'paid', amount_paid: 8 });
    expect((await emu.stripe.subscriptions.retrieve(sub)).status).toBe('active');
    const again = await cli('invoice', 'pay', open.id);
    expect([again.code, again.stderr.includes('only an open invoice can be paid')]).toEqual([3, true]);
  });
});

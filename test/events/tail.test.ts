import Stripe from 'stripe';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { runInBackground } from './harness.js';

let emu: TestEmulator;
/** Customer ids in creation order. */
const customers: string[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
  // 120 customer.created events: more than one page of 100.
  for (let i = 0; i < 120; i++) customers.push((await emu.stripe.customers.create({ name: `c${i}` })).id);
  await emu.stripe.customers.update(customers[3], { name: 'renamed' });
  await emu.stripe.products.create({ id: 'alpaca_ai', name: 'Alpaca AI' });
});

afterAll(async () => {
  await emu?.close();
});

const ndjson = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; type: string; data?: { object: { id: string } } });

describe('events tail', () => {
  test('lists every matching event oldest first, across pages', async () => {
    const res = await run(['events', 'tail', '--type', 'customer.created', '--json'], { env: emu.env });
    expect(res.code).toBe(0);
    const events = ndjson(res.stdout);
    expect(events.map((e) => e.data!.object.id)).toEqual(customers);
    expect(new Set(events.map((e) => e.id)).size).toBe(120);
  });

  test('wildcards, several patterns, and the readable form', async () => {
    const wild = await run(['events', 'tail', '--type', 'customer.*'], { env: emu.env });
    const lines = wild.stdout.trim().split('\n');
    expect(lines).toHaveLength(121);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  customer\\.updated\\s+${customers[3]}  ${customers[3]}  -  -  -  evt_`));

    const two = await run(['events', 'tail', '--type', 'customer.updated', '--type', 'product.created', '--json'], { env: emu.env });
    expect(ndjson(two.stdout).map((e) => e.type)).toEqual(['customer.updated', 'product.created']);

    const mixed = await run(['events', 'tail', '--type', 'customer.upd*,product.*', '--json'], { env: emu.env });
    expect(ndjson(mixed.stdout).map((e) => e.type)).toEqual(['customer.updated', 'product.created']);
  });

  test('the default types leave out catalog and customer events', async () => {
    const res = await run(['events', 'tail'], { env: emu.env });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('no events match customer.subscription.*, invoice.*, setup_intent.*, checkout.session.*');
  });

  test('--customer keeps only that customer’s events', async () => {
    const res = await run(['events', 'tail', '--type', 'customer.*', '--customer', customers[3], '--json'], { env: emu.env });
    expect(ndjson(res.stdout).map((e) => e.type)).toEqual(['customer.created', 'customer.updated']);
  });

  test('--since leaves out older events', async () => {
    const future = String(Math.floor(Date.now() / 1000) + 3600);
    const res = await run(['events', 'tail', '--type', 'customer.*', '--since', future, '--json'], { env: emu.env });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    const bad = await run(['events', 'tail', '--since', 'last tuesday'], { env: emu.env });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("--since 'last tuesday' is neither Unix seconds nor ISO 8601");
  });

  test('an invalid --type is refused before any call', async () => {
    const res = await run(['events', 'tail', '--type', 'invoice paid'], { env: emu.env });
    expect(res.code).toBe(3);
  });
});

describe('a subscription as events tail tells it', () => {
  test('status changes, amounts and who it is about, with the default types', async () => {
    // An emulator of its own: these events would show up in the other tests' listings.
    const own = await startTestEmulator();
    try {
      const product = await own.stripe.products.create({ name: 'Seats' });
      const price = await own.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' } });
      const customer = await own.stripe.customers.create({ name: 'Subscriber' });
      const sub = await own.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 3 }], payment_behavior: 'default_incomplete' });
      expect(sub.status).toBe('incomplete');
      await own.stripe.invoices.pay(sub.latest_invoice as string, { payment_method: 'pm_card_visa' });

      const res = await run(['events', 'tail', '--customer', customer.id], { env: own.env });
      expect(res.code).toBe(0);
      const lines = res.stdout.trim().split('\n');
      const line = (type: string) => lines.find((l) => l.includes(` ${type} `));
      // Stripe's own order, even within one second: the subscription turns active after its invoice is paid.
      const types = lines.map((l) => l.split(/\s+/)[1]);
      expect(types.indexOf('customer.subscription.created')).toBeLessThan(types.indexOf('invoice.created'));
      expect(types.indexOf('invoice.paid')).toBeLessThan(types.indexOf('customer.subscription.updated'));
      expect(line('customer.subscription.created')).toContain(`${sub.id}  ${customer.id}  ${sub.id}  incomplete  -`);
      expect(line('customer.subscription.updated')).toContain(`${customer.id}  ${sub.id}  incomplete → active`);
      expect(line('invoice.paid')).toMatch(new RegExp(`in_\\w+  ${customer.id}  ${sub.id}  (open → )?paid  \\$45\\.00`));
      expect(lines.every((l) => l.includes(customer.id))).toBe(true);
    } finally {
      await own.close();
    }
  });
});

describe('events tail --follow', () => {
  test('prints new events exactly once, in order, even when more than a page arrives between polls', async () => {
    const tail = runInBackground(['events', 'tail', '--follow', '--type', 'product.*', '--poll-interval', '0.05', '--json'], emu.env);
    try {
      await tail.waitFor(({ stdout }) => ndjson(stdout).length === 1, 'the existing product event');
      const created: string[] = [];
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 5; i++) created.push((await emu.stripe.products.create({ name: `p${round}.${i}` })).id);
      }
      // A burst of 150 in one go (no await between them), so one poll meets more than a page.
      // Whole products (every response is checked against the SDK's types), copied from a real one.
      const { lastResponse: _, ...template } = await emu.stripe.products.retrieve(created[0]);
      const burst = Array.from({ length: 150 }, (_, i) => ({ ...template, id: `prod_burst_${String(i).padStart(3, '0')}`, name: `burst ${i}` }));
      for (const p of burst) emu.core.emit('product.created', p);
      created.push(...burst.map((p) => p.id));
      await tail.waitFor(({ stdout }) => ndjson(stdout).length >= 1 + created.length, 'every new event');
      // One more poll cycle may pass: nothing is repeated.
      await emu.stripe.products.create({ id: 'prod_last', name: 'last' });
      created.push('prod_last');
      await tail.waitFor(({ stdout }) => stdout.includes('prod_last'), 'the last event');
      const seen = ndjson(tail.stdout());
      expect(seen.map((e) => e.data!.object.id)).toEqual(['alpaca_ai', ...created]);
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    } finally {
      expect(await tail.stop()).toBe(0);
    }
  });

  test('overlapping patterns show each event once', async () => {
    const tail = runInBackground(['events', 'tail', '--follow', '--type', 'product.*', '--type', 'product.updated', '--type', 'product.created', '--poll-interval', '0.02', '--json'], emu.env);
    try {
      await tail.waitFor(({ stdout }) => stdout.includes('prod_last'), 'the existing events');
      const before = ndjson(tail.stdout()).length;
      await emu.stripe.products.update('alpaca_ai', { description: 'updated while following' });
      await tail.waitFor(({ stdout }) => ndjson(stdout).some((e) => e.type === 'product.updated'), 'the update');
      const seen = ndjson(tail.stdout());
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      expect(seen.length).toBe(before + 1);
    } finally {
      await tail.stop();
    }
  });

  test('carries on when the event it follows from ages out of the 30 days Stripe keeps', async () => {
    let nowMs = Date.now();
    const aging = await startTestEmulator({ clock: () => nowMs });
    const first = await aging.stripe.customers.create({ name: 'first' });
    const tail = runInBackground(['events', 'tail', '--follow', '--type', 'customer.created', '--poll-interval', '0.02', '--json'], aging.env);
    try {
      await tail.waitFor(({ stdout }) => stdout.includes(first.id), 'the first event');
      nowMs += 31 * 86_400_000;
      const second = await aging.stripe.customers.create({ name: 'second' });
      const third = await aging.stripe.customers.create({ name: 'third' });
      await tail.waitFor(({ stdout }) => stdout.includes(third.id), 'the events after the cursor aged out');
      expect(ndjson(tail.stdout()).map((e) => e.data!.object.id)).toEqual([first.id, second.id, third.id]);
      expect(tail.stderr()).not.toContain('error');
    } finally {
      expect(await tail.stop()).toBe(0);
      await aging.close();
    }
  });

  test('waits out rate limiting and carries on', async () => {
    const limited = await startTestEmulator({ rateLimit: 5 });
    const tail = runInBackground(['events', 'tail', '--follow', '--type', 'customer.created', '--poll-interval', '0.01', '--json'], limited.env);
    try {
      await tail.waitFor(({ stderr }) => /rate limited \(429\); retrying in/.test(stderr), 'a 429', 15_000);
      // Straight into the emulator's core: the test's own requests would be limited too.
      // (A whole customer, from the other emulator: every response is checked against the SDK's types.)
      const { lastResponse: _, ...template } = await emu.stripe.customers.create();
      limited.core.emit('customer.created', { ...template, id: 'cus_after_the_limit' });
      await tail.waitFor(({ stdout }) => stdout.includes('cus_after_the_limit'), 'the event after the limit', 15_000);
    } finally {
      await tail.stop();
      await limited.close();
    }
  });
});

describe('metering error reports', () => {
  test('dropped stream events show up with their reason codes and samples', async () => {
    await emu.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens_tail', default_aggregation: { formula: 'sum' } });
    const session = await emu.stripe.v2.billing.meterEventSession.create();
    const streamClient = new Stripe(session.authentication_token, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 0 });
    await streamClient.v2.billing.meterEventStream.create({
      events: [
        { event_name: 'tokens_tail', identifier: 'bad-customer-1', payload: { stripe_customer_id: 'cus_doesnotexist', value: '5' } },
        { event_name: 'tokens_tail', identifier: 'bad-customer-2', payload: { stripe_customer_id: 'cus_doesnotexist', value: '7' } },
        { event_name: 'no_such_meter', identifier: 'no-meter-1', payload: { stripe_customer_id: customers[0], value: '1' } },
      ],
    });

    const human = await run(['events', 'tail', '--type', 'v1.billing.meter.*'], { env: emu.env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/v1\.billing\.meter\.error_report_triggered\s+mtr_\w+ {2}2 dropped meter events/);
    expect(human.stdout).toContain('    meter_event_customer_not_found ×2');
    expect(human.stdout).toMatch(/ {6}- .*\[identifier bad-customer-1\]/);
    expect(human.stdout).toMatch(/v1\.billing\.meter\.no_meter_found\s+- {2}1 dropped meter event\b/);
    expect(human.stdout).toContain('[identifier no-meter-1]');

    // Shown by default too, beside the subscription and invoice events.
    const byDefault = await run(['events', 'tail', '--json'], { env: emu.env });
    expect(ndjson(byDefault.stdout).map((e) => e.type).sort()).toEqual(['v1.billing.meter.error_report_triggered', 'v1.billing.meter.no_meter_found']);
  });
});

import { describe, expect, it } from '@jest/globals';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';

const { emu, catalog, cli } = useCatalogEmulator();
let n = 0;
const newCustomer = async () => {
  n += 1;
  return emu.stripe.customers.create({ email: `sub${n}@example.com`, metadata: { external_id: `user_sub_${n}` } });
};

describe('subscribe', () => {
  it('subscribes to the metered price and prints a SetupIntent client secret for the front end', async () => {
    const customer = await newCustomer();
    const r = await cli('subscribe', customer.metadata.external_id, '--price', 'alpaca_ai_tokens_monthly');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^subscription sub_\\w+ {2}(incomplete|active) {2}${customer.id} {2}alpaca_ai_tokens_monthly$`, 'm'));
    expect(r.stdout).toMatch(/payment {2}SetupIntent client secret for seti_\w+/);
    expect(r.stdout).toMatch(/client secret {2}seti_\w+_secret_\w+/);
    expect(r.stderr).toContain('stripe.confirmSetup()');
    expect(r.stdout + r.stderr).not.toContain(emu.env.STRIPE_API_KEY);

    const subs = await emu.stripe.subscriptions.list({ customer: customer.id, status: 'all' });
    expect(subs.data).toHaveLength(1);
    expect(subs.data[0].items.data.map((i) => i.price.id)).toEqual([catalog.tokens.id]);
    expect(subs.data[0].payment_settings?.save_default_payment_method).toBe('on_subscription');
  });

  it('--json gives the subscription and the payment collection details', async () => {
    const customer = await newCustomer();
    const r = await cli('--json', 'subscribe', customer.email!, '--price', 'alpaca_ai_tokens_monthly');
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc).toEqual({
      subscription: {
        id: expect.stringMatching(/^sub_/),
        customer: customer.id,
        status: expect.stringMatching(/^(incomplete|active)$/),
        current_period_start: expect.any(Number),
        current_period_end: expect.any(Number),
        cancel_at_period_end: false,
        cancel_at: null,
        canceled_at: null,
        items: [{ id: expect.stringMatching(/^si_/), price: catalog.tokens.id, lookup_key: 'alpaca_ai_tokens_monthly', usage_type: 'metered', quantity: null }],
        latest_invoice: expect.any(String),
        created: expect.any(Number),
      },
      payment: {
        kind: 'setup_intent',
        id: expect.stringMatching(/^seti_/),
        client_secret: expect.stringMatching(/^seti_\w+_secret_\w+$/),
        amount_due: null,
        currency: null,
        next_step: expect.stringContaining('confirmSetup'),
      },
    });
    const si = await emu.stripe.setupIntents.retrieve(doc.payment.id);
    expect(si.client_secret).toBe(doc.payment.client_secret);
  });

  it('gives the first invoice\'s confirmation secret when something is due now (licensed seats)', async () => {
    const customer = await newCustomer();
    const r = await cli('--json', 'subscribe', customer.id, '--price', 'alpaca_seats_monthly', '--price', 'alpaca_ai_tokens_monthly');
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.subscription.status).toBe('incomplete');
    expect(doc.subscription.items.map((i: { lookup_key: string }) => i.lookup_key)).toEqual(['alpaca_seats_monthly', 'alpaca_ai_tokens_monthly']);
    expect(doc.payment).toMatchObject({ kind: 'payment_intent', id: doc.subscription.latest_invoice, amount_due: 1000, currency: 'usd', client_secret: expect.stringMatching(/_secret_/) });
    expect(doc.payment.next_step).toContain('confirmPayment');
  });

  it('refuses a second live subscription to the same price unless --allow-duplicate', async () => {
    const customer = await newCustomer();
    expect((await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly')).code).toBe(0);
    const twin = await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly');
    expect(twin.code).toBe(3);
    expect(twin.stderr).toContain(`Customer ${customer.id} already has a subscription to this price`);
    expect(twin.stderr).toContain('--allow-duplicate');
    expect((await emu.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);

    const allowed = await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly', '--allow-duplicate');
    expect(allowed.code).toBe(0);
    expect((await emu.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(2);
  });

  it('exits 3 naming unknown lookup keys, and creates nothing', async () => {
    const customer = await newCustomer();
    const r = await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly', 'no_such_key', 'nor_this');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("No active price with lookup key 'no_such_key', 'nor_this'");
    expect((await emu.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(0);
  });

  it('exits 3 for an unknown customer', async () => {
    const r = await cli('--json', 'subscribe', 'nobody@example.com', '--price', 'alpaca_ai_tokens_monthly');
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ ok: false, error: { type: 'user', message: expect.stringContaining('nobody@example.com') } });
  });

  it('exits 3 without --price, or with checkout URLs but no --checkout', async () => {
    const customer = await newCustomer();
    const none = await cli('subscribe', customer.id);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('needs at least one --price');
    const stray = await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly', '--success-url', 'https://example.com/ok');
    expect(stray.code).toBe(3);
    expect(stray.stderr).toContain('--success-url only applies with --checkout');
  });
});

describe('subscribe --checkout', () => {
  const urls = ['--success-url', 'https://example.com/welcome', '--cancel-url', 'https://example.com/pricing'];

  it('prints a hosted Checkout URL; completing the page yields an active subscription', async () => {
    const customer = await newCustomer();
    const r = await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly', '--checkout', ...urls);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^checkout session cs_test_\\w+ for ${customer.id} \\(alpaca_ai_tokens_monthly\\)$`, 'm'));
    const url = /url {2}(\S+)/.exec(r.stdout)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/checkout\/cs_test_\w+$/);
    expect((await emu.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(0);

    const page = await fetch(url!);
    expect(page.status).toBe(200);
    const done = await fetch(`${url}/complete`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'card=pm_card_visa' });
    expect(done.status).toBe(200);

    const shown = await cli('--json', 'customers', 'show', customer.id);
    expect(shown.code).toBe(0);
    const subs = shown.json().subscriptions;
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ status: 'active', items: [{ lookup_key: 'alpaca_ai_tokens_monthly', usage_type: 'metered' }] });
  });

  it('--json gives the session, and licensed prices get a quantity', async () => {
    const customer = await newCustomer();
    const r = await cli('--json', 'subscribe', customer.id, '--price', 'alpaca_seats_monthly', '--checkout', ...urls);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      customer: customer.id,
      checkout_session: { id: expect.stringMatching(/^cs_test_/), url: expect.stringContaining('/checkout/cs_test_'), mode: 'subscription', status: 'open', expires_at: expect.any(Number) },
    });
    const session = await emu.stripe.checkout.sessions.retrieve(r.json().checkout_session.id);
    expect(session).toMatchObject({ success_url: 'https://example.com/welcome', cancel_url: 'https://example.com/pricing', customer: customer.id });
    const done = await fetch(`${session.url}/complete`, { method: 'POST' });
    expect(done.status).toBe(200);
    const [sub] = (await emu.stripe.subscriptions.list({ customer: customer.id })).data;
    expect(sub.items.data.map((i) => [i.price.id, i.quantity])).toEqual([[catalog.seats.id, 1]]);
  });

  it('exits 3 when a URL is missing or not http(s), before calling Stripe', async () => {
    const customer = await newCustomer();
    const missing = await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly', '--checkout', '--success-url', 'https://example.com/ok');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('--checkout needs --cancel-url');
    const bad = await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly', '--checkout', '--success-url', 'example.com/ok', '--cancel-url', 'https://example.com/no');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("--success-url must be an absolute http(s) URL, got 'example.com/ok'");
  });

  it('refuses Checkout for a price the customer already has', async () => {
    const customer = await newCustomer();
    expect((await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly')).code).toBe(0);
    const r = await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly', '--checkout', ...urls);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('already has a subscription to this price');
  });
});

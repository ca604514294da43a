import { describe, expect, it } from '@jest/globals';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';

/** Known usage per customer id, served to the emulator's invoice builder. */
const usage = new Map<string, number>();
const { emu, cli } = useCatalogEmulator(async (started) => {
  // Known usage for most tests; customers without an entry get the emulator's own metering.
  const metering = started.core.usage;
  started.core.setUsageSource({ aggregate: (meter, customerId, start, end) => usage.get(customerId) ?? metering.aggregate(meter, customerId, start, end) });
});

let n = 0;
async function subscribed(lookupKey: string, tokens: number) {
  n += 1;
  const customer = await emu.stripe.customers.create({ email: `inv${n}@example.com`, metadata: { external_id: `user_inv_${n}` } });
  const r = await cli('--json', 'subscribe', customer.id, '--price', lookupKey);
  expect(r.code).toBe(0);
  usage.set(customer.id, tokens);
  return { customer, subscription: r.json().subscription.id as string };
}

describe('invoice preview', () => {
  it.each([
    // [lookup key, usage, amount in cents, the price math as quoted]
    ['alpaca_ai_tokens_monthly', 1234567, 4940, '1,234,567 Alpaca AI tokens → 1,235 × 1,000 Alpaca AI tokens × $0.04 = $49.40'],
    ['alpaca_ai_tokens_per_unit', 1235, 618, '1,235 Alpaca AI tokens × $0.005 = $6.175 ≈ $6.18 (rounded half up)'],
    ['alpaca_ai_tokens_tiered', 20000, 7500, '20,000 Alpaca AI tokens, graduated: 1,000 × $0.00 + 9,000 × $0.005 + $5.00 flat + 10,000 × $0.0025 = $75.00'],
  ])('%s with %d tokens costs %d cents', async (lookupKey, tokens, cents, math) => {
    const { customer, subscription } = await subscribed(lookupKey, tokens);
    const r = await cli('--json', 'invoice', 'preview', customer.metadata.external_id);
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.customer).toBe(customer.id);
    expect(doc.invoices).toHaveLength(1);
    const inv = doc.invoices[0];
    expect(inv).toMatchObject({ subscription, currency: 'usd', total: cents, subtotal: cents, lines_truncated: false });
    expect(inv.period.end).toBeGreaterThan(inv.period.start);
    expect(inv.lines).toHaveLength(1);
    expect(inv.lines[0]).toMatchObject({
      lookup_key: lookupKey,
      product: 'Alpaca AI',
      usage_type: 'metered',
      quantity: String(tokens),
      unit: 'Alpaca AI tokens',
      amount: cents,
      computed_amount: String(cents),
      explanation: math,
    });

    const human = await cli('invoice', 'preview', customer.id);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`upcoming invoice for ${customer.id} (${customer.email}), subscription ${subscription}`);
    expect(human.stdout).toContain(`    ${math}\n`);
    expect(human.stdout).toContain(`  total  $${(cents / 100).toFixed(2)} USD`);
    expect(human.stdout).not.toContain('differs');
  });

  it('bills usage sent as meter events', async () => {
    const customer = await emu.stripe.customers.create({ email: 'events@example.com' });
    expect((await cli('subscribe', customer.id, '--price', 'alpaca_ai_tokens_monthly')).code).toBe(0);
    for (const value of ['1000000', '234567']) {
      await emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer.id, value } });
    }
    const r = await cli('--json', 'invoice', 'preview', customer.id);
    expect(r.code).toBe(0);
    expect(r.json().invoices[0]).toMatchObject({ total: 4940, lines: [{ quantity: '1234567', billed_quantity: '1235', computed_amount: '4940' }] });
  });

  it('previews only the subscription asked for', async () => {
    const { customer, subscription } = await subscribed('alpaca_ai_tokens_monthly', 1000);
    const second = await cli('--json', 'subscribe', customer.id, '--price', 'alpaca_ai_tokens_per_unit');
    expect(second.code).toBe(0);
    const both = await cli('--json', 'invoice', 'preview', customer.id);
    expect(both.json().invoices).toHaveLength(2);
    const one = await cli('--json', 'invoice', 'preview', customer.id, '--subscription', subscription);
    expect(one.code).toBe(0);
    expect(one.json().invoices.map((i: { subscription: string }) => i.subscription)).toEqual([subscription]);
    expect(one.json().invoices[0].total).toBe(4);
  });

  it('says there is nothing to preview for a customer without subscriptions', async () => {
    const customer = await emu.stripe.customers.create({ email: 'nosub@example.com' });
    const r = await cli('invoice', 'preview', 'nosub@example.com');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${customer.id} has no active subscription: no upcoming invoice`);
  });

  it('exits 3 for an unknown customer and a malformed --subscription', async () => {
    const unknown = await cli('invoice', 'preview', 'user_nobody');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("No customer with external id 'user_nobody'");
    const bad = await cli('invoice', 'preview', 'user_inv_1', '--subscription', 'nope');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("--subscription 'nope' is not a subscription id");
    const missing = await cli('invoice', 'preview', 'user_inv_1', '--subscription', 'sub_doesnotexist');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("No subscription 'sub_doesnotexist'");
    const other = await subscribed('alpaca_ai_tokens_monthly', 0);
    const customer = (await emu.stripe.customers.search({ query: "metadata['external_id']:'user_inv_1'" })).data[0];
    const mixup = await cli('invoice', 'preview', 'user_inv_1', '--subscription', other.subscription);
    expect(mixup.code).toBe(3);
    expect(mixup.stderr).toContain(`Subscription ${other.subscription} belongs to ${other.customer.id}, not ${customer.id}`);
  });
});

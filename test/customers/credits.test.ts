// The credits commands in-process against the emulator: grant (money in major units, expiry from
// the customer's clock, idempotent), list, balance after a renewal used some of it, void, refusals.
import { describe, expect, it } from '@jest/globals';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';
import { parseMajorAmount } from '../../src/customers/credits.js';

const T0 = '2026-01-15T12:00:00Z';
const T0_SEC = Date.parse(T0) / 1000;
const FEB_SEC = Date.UTC(2026, 1, 15, 12) / 1000;
const DAY = 86_400;

const { emu, catalog, cli } = useCatalogEmulator();

let n = 0;
async function clockCustomer(): Promise<{ clock: string; customer: string }> {
  n += 1;
  const clock = (await cli('--json', 'clock', 'create', '--frozen-time', T0)).json().clock.id as string;
  const customer = (await cli('--json', 'customers', 'create', '--email', `credits${n}@example.com`, '--test-clock', clock)).json().customer.id as string;
  return { clock, customer };
}

describe('parseMajorAmount', () => {
  it.each([
    ['10.00', 'usd', 1000],
    ['16.15', 'usd', 1615],
    ['7', 'usd', 700],
    ['500', 'jpy', 500],
    ['1.234', 'kwd', 1234],
  ])('%s %s is %d minor units', (text, currency, minor) => expect(parseMajorAmount(text, currency)).toBe(minor));

  it.each([['10.001', 'usd', '3 decimals'], ['1,000', 'usd', 'not an amount'], ['-5', 'usd', 'not an amount'], ['0.00', 'usd', 'more than zero'], ['1.5', 'jpy', 'jpy has 0']])('refuses %s %s', (text, currency, message) => {
    expect(() => parseMajorAmount(text, currency)).toThrow(message);
  });
});

describe('credits commands', () => {
  it('grant a promotional credit expiring 30 days after the customer\'s now, once even when repeated', async () => {
    const { customer } = await clockCustomer();
    const args = ['credits', 'grant', '--customer', customer, '--amount', '10.00', '--currency', 'USD', '--category', 'promotional', '--expires', '30d', '--name', 'Welcome'];
    const first = await cli('--json', ...args);
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({ created: true, grant: { customer, amount: 1000, currency: 'usd', category: 'promotional', priority: 50, applies_to: 'metered', effective_at: T0_SEC, expires_at: T0_SEC + 30 * DAY, name: 'Welcome' } });
    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('granted nothing new');
    const list = await cli('--json', 'credits', 'list', '--customer', customer);
    expect(list.json().grants).toEqual([expect.objectContaining({ id: first.json().grant.id, state: 'active' })]);
    const human = await cli('credits', 'list', '--customer', customer);
    expect(human.stdout).toContain(`${first.json().grant.id}  $10.00 promotional  priority 50  active  expires 2026-02-14 12:00 UTC  (Welcome)`);
  });

  it('balance shows what a renewal left of the credit', async () => {
    const { clock, customer } = await clockCustomer();
    expect((await cli('credits', 'grant', '--customer', customer, '--amount', '10', '--currency', 'usd')).code).toBe(0);
    await emu.stripe.subscriptions.create({ customer, items: [{ price: catalog.tokens.id }] });
    // 100,000 tokens at 4 cents per 1,000: $4.00 of usage, all paid by the credit.
    await emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer, value: '100000' }, timestamp: T0_SEC + 60 });
    expect((await cli('clock', 'advance', clock, '--to', String(FEB_SEC + 3600 + 60))).code).toBe(0);
    const balance = await cli('--json', 'credits', 'balance', '--customer', customer);
    expect(balance.code).toBe(0);
    expect(balance.json()).toMatchObject({ customer, balances: [{ currency: 'usd', available: 600, ledger: 600, pending: 0 }], grants: [{ amount: 1000, available: 600, state: 'active' }] });
    const human = await cli('credits', 'balance', '--customer', customer);
    expect(human.stdout).toContain(`${customer}  available $6.00  ledger $6.00`);
    expect(human.stdout).toContain('  $6.00 left of credgr_');
    const invoices = await emu.stripe.invoices.list({ customer });
    const renewal = invoices.data.find((i) => i.billing_reason === 'subscription_cycle')!;
    expect(renewal).toMatchObject({ subtotal: 400, amount_due: 0 });
    // A grant effective next month is pending: granted, not yet available.
    const later = await emu.stripe.billing.creditGrants.create({ customer, amount: { type: 'monetary', monetary: { currency: 'usd', value: 2500 } }, applicability_config: { scope: { price_type: 'metered' } }, category: 'paid', effective_at: FEB_SEC + 40 * 86_400 });
    const pending = await cli('--json', 'credits', 'balance', '--customer', customer);
    expect(pending.json()).toMatchObject({ balances: [{ currency: 'usd', available: 600, pending: 2500 }], grants: expect.arrayContaining([expect.objectContaining({ id: later.id, state: 'scheduled', available: 0 })]) });
    expect((await cli('credits', 'balance', '--customer', customer)).stdout).toContain(`${customer}  available $6.00  ledger $6.00  pending $25.00 (effective later)`);
    const shown = await cli('--json', 'invoice', 'show', renewal.id);
    expect(shown.json().invoice).toMatchObject({ subtotal: 400, credits: 400, amount_due: 0 });
    expect((await cli('invoice', 'show', renewal.id)).stdout).toContain('  $4.00 usage − $4.00 prepaid credit = $0.00 due');
  });

  it('invoice preview shows the credit that would apply and what is left to pay', async () => {
    const { customer } = await clockCustomer();
    expect((await cli('credits', 'grant', '--customer', customer, '--amount', '1.00', '--currency', 'usd', '--category', 'promotional')).code).toBe(0);
    await emu.stripe.subscriptions.create({ customer, items: [{ price: catalog.tokens.id }] });
    await emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer, value: '100000' }, timestamp: T0_SEC + 60 });
    const json = await cli('--json', 'invoice', 'preview', customer);
    expect(json.json().invoices[0]).toMatchObject({ subtotal: 400, credits: 100, total: 300, amount_due: 300 });
    const human = await cli('invoice', 'preview', customer);
    expect(human.stdout).toContain('  $4.00 usage − $1.00 promotional credit = $3.00 due');
    expect(human.stdout).toContain('  total  $3.00 USD');
  });

  it('usage summary shows the credit that applies to the meter\'s usage and what is left to pay', async () => {
    const { customer } = await clockCustomer();
    expect((await cli('credits', 'grant', '--customer', customer, '--amount', '1.00', '--currency', 'usd', '--category', 'promotional')).code).toBe(0);
    await emu.stripe.subscriptions.create({ customer, items: [{ price: catalog.tokens.id }] });
    await emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer, value: '100000' }, timestamp: T0_SEC + 60 });
    const human = await cli('usage', 'summary', '--customer', customer, '--meter', 'alpaca_ai_tokens');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^estimated {2}\$4\.00 /m);
    expect(human.stdout).toContain('credit     $4.00 usage − $1.00 promotional credit = $3.00 due');
    const json = (await cli('--json', 'usage', 'summary', '--customer', customer, '--meter', 'alpaca_ai_tokens')).json();
    expect(json).toMatchObject({ estimated_cost: { amount: '4.00', currency: 'usd' }, credit: { amount: '1.00', currency: 'usd', category: 'promotional' }, due: { amount: '3.00', currency: 'usd' } });
  });

  it('usage summary without a credit says nothing about credit', async () => {
    const { customer } = await clockCustomer();
    await emu.stripe.subscriptions.create({ customer, items: [{ price: catalog.tokens.id }] });
    await emu.stripe.billing.meterEvents.create({ event_name: 'alpaca_ai_tokens', payload: { stripe_customer_id: customer, value: '100000' }, timestamp: T0_SEC + 60 });
    const human = await cli('usage', 'summary', '--customer', customer, '--meter', 'alpaca_ai_tokens');
    expect(human.stdout).toMatch(/^estimated /m);
    expect(human.stdout).not.toMatch(/^credit|credit = /m);
    expect((await cli('--json', 'usage', 'summary', '--customer', customer, '--meter', 'alpaca_ai_tokens')).json()).toMatchObject({ credit: null, due: null });
  });

  it('void needs --yes without a terminal, then leaves no credit', async () => {
    const { customer } = await clockCustomer();
    const id = (await cli('--json', 'credits', 'grant', '--customer', customer, '--amount', '5.00', '--currency', 'usd')).json().grant.id as string;
    const refused = await cli('credits', 'void', id);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--yes');
    const voided = await cli('--json', 'credits', 'void', id, '--yes');
    expect(voided.code).toBe(0);
    expect(voided.json().grant).toMatchObject({ id, voided_at: T0_SEC });
    expect((await cli('--json', 'credits', 'balance', '--customer', customer)).json()).toMatchObject({ balances: [{ available: 0 }], grants: [] });
    const twice = await cli('credits', 'void', id, '--yes');
    expect([twice.code, twice.stderr]).toEqual([3, expect.stringContaining('already voided')]);
  });

  it('refuses bad flags with exit 3, naming the flag, and grants nothing', async () => {
    const { customer } = await clockCustomer();
    const cases: Array<[string[], string]> = [
      [['--amount', '10.001', '--currency', 'usd'], '--amount'],
      [['--amount', '$10', '--currency', 'usd'], '--amount'],
      [['--amount', '10', '--currency', 'dollars'], '--currency'],
      [['--amount', '10', '--currency', 'usd', '--expires', '2026-01-01'], '--expires'],
      [['--amount', '10', '--currency', 'usd', '--priority', '101'], '--priority'],
      [['--amount', '10', '--currency', 'usd', '--category', 'gift'], '--category'],
    ];
    for (const [flags, flag] of cases) {
      const r = await cli('credits', 'grant', '--customer', customer, ...flags);
      expect([r.code, r.stderr.includes(flag)]).toEqual([3, true]);
    }
    const noCustomer = await cli('credits', 'grant', '--amount', '10', '--currency', 'usd');
    expect([noCustomer.code, noCustomer.stderr]).toEqual([3, expect.stringContaining('--customer')]);
    const unknown = await cli('credits', 'balance', '--customer', 'cus_nobody');
    expect(unknown.code).toBe(3);
    expect((await emu.stripe.billing.creditGrants.list({ customer })).data).toEqual([]);
  });
});

import type Stripe from 'stripe';
import { Chalk } from 'chalk';
import type { PricingConfig } from '../../src/config/model.js';
import { computePlan, findConflict, pendingChanges } from '../../src/reconcile/plan.js';
import { planToJson, renderPlan } from '../../src/reconcile/render.js';
import type { AccountState, Change } from '../../src/reconcile/types.js';

const managed = { managed_by: 'alpaca-billing' };

const config = (): PricingConfig => ({
  version: 1,
  meters: { tokens: { display_name: 'Tokens', event_name: 'tokens', aggregation: 'sum', customer_key: 'stripe_customer_id', value_key: 'value' } },
  products: {
    ai: {
      name: 'AI',
      active: true,
      metadata: {},
      default_price: 'monthly',
      prices: {
        monthly: { lookup_key: 'ai_monthly', currency: 'usd', active: true, metadata: {}, interval: 'month', interval_count: 1, meter: 'tokens', amount: { kind: 'package', unit_amount: '4', divide_by: 1000, round: 'up' } },
        seats: { lookup_key: 'ai_seats', currency: 'usd', active: true, metadata: {}, interval: 'month', interval_count: 1, tax_behavior: 'exclusive', amount: { kind: 'per_unit', unit_amount: '1500' } },
      },
    },
  },
  webhooks: {},
});

const meter = (over: Partial<Stripe.Billing.Meter> = {}) => ({
  id: 'mtr_1', object: 'billing.meter', event_name: 'tokens', display_name: 'Tokens', status: 'active',
  default_aggregation: { formula: 'sum' }, customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' }, value_settings: { event_payload_key: 'value' }, ...over,
}) as unknown as Stripe.Billing.Meter;

const product = (over: Partial<Stripe.Product> = {}) => ({
  id: 'ai', object: 'product', name: 'AI', description: null, active: true, metadata: { ...managed }, default_price: 'price_monthly', ...over,
}) as unknown as Stripe.Product;

const price = (over: Record<string, unknown> = {}) => ({
  id: 'price_monthly', object: 'price', product: 'ai', active: true, currency: 'usd', lookup_key: 'ai_monthly', nickname: null, metadata: { ...managed },
  billing_scheme: 'per_unit', unit_amount: null, unit_amount_decimal: '4.000', transform_quantity: { divide_by: 1000, round: 'up' }, tax_behavior: 'unspecified',
  recurring: { interval: 'month', interval_count: 1, meter: 'mtr_1', usage_type: 'metered' }, tiers_mode: null, ...over,
}) as unknown as Stripe.Price;

const seats = (over: Record<string, unknown> = {}) => price({ id: 'price_seats', lookup_key: 'ai_seats', unit_amount: 1500, unit_amount_decimal: '1500', transform_quantity: null, tax_behavior: 'exclusive', recurring: { interval: 'month', interval_count: 1, meter: null, usage_type: 'licensed' }, ...over });

const state = (objects: Partial<AccountState['objects']> = {}, activeSubscriptions: Record<string, number> = {}): AccountState => ({
  account: { id: 'acct_1', mode: 'test', apiBase: 'http://127.0.0.1:1' },
  objects: { meter: [meter()], product: [product()], price: [price(), seats()], webhook_endpoint: [], ...objects } as AccountState['objects'],
  activeSubscriptions,
});

const find = (changes: Change[], type: string, key: string) => changes.find((c) => c.type === type && c.key === key)!;

describe('computePlan', () => {
  it('creates everything on an empty account, in one change per object', () => {
    const plan = computePlan(config(), state({ meter: [], product: [], price: [] }));
    expect(plan.changes.map((c) => `${c.action} ${c.type} ${c.key}`)).toEqual(['create meter tokens', 'create product ai', 'create price ai_monthly', 'create price ai_seats']);
    expect(plan.summary).toMatchObject({ create: 4, noop: 0 });
    expect(find(plan.changes, 'product', 'ai').fields).toContainEqual({ field: 'default_price', after: 'ai_monthly' });
  });

  it('plans nothing when the account matches (decimal spellings such as "4.000" compare equal)', () => {
    const plan = computePlan(config(), state());
    expect(pendingChanges(plan)).toEqual([]);
    expect(plan.summary).toMatchObject({ noop: 4, create: 0, update: 0 });
  });

  it('never mutates its inputs', () => {
    const desired = config();
    const actual = state({ product: [product({ name: 'Old' })] });
    const before = JSON.stringify([desired, actual]);
    computePlan(desired, actual, { prune: true, adopt: true });
    expect(JSON.stringify([desired, actual])).toBe(before);
  });

  it('replaces a price whose amount changed; the product repoints its default to the replacement, in the plan', () => {
    const desired = config();
    desired.products.ai.prices.monthly.amount = { kind: 'package', unit_amount: '5', divide_by: 1000, round: 'up' };
    const plan = computePlan(desired, state());
    const change = find(plan.changes, 'price', 'ai_monthly');
    expect(change).toMatchObject({ action: 'replace', id: 'price_monthly' });
    expect(change.fields).toEqual([{ field: 'amount', before: '4 per 1000 units (round up)', after: '5 per 1000 units (round up)' }]);
    expect(change.payload).toMatchObject({ create: { lookup_key: 'ai_monthly', transfer_lookup_key: true, unit_amount_decimal: '5' } });
    expect(find(plan.changes, 'product', 'ai')).toMatchObject({ action: 'update', fields: [{ field: 'default_price', before: 'ai_monthly', after: 'ai_monthly (its replacement)' }] });
    // The steps are part of the plan, each with what it writes; the product alone writes default_price.
    expect(plan.steps.filter((s) => s.writes.some((w) => w.object === 'product:ai'))).toEqual([
      { type: 'product', key: 'ai', phase: 'default prices', name: 'set default price', writes: [{ object: 'product:ai', fields: ['default_price'] }] },
    ]);
    expect(plan.steps.filter((s) => s.type === 'price').map((s) => [s.phase, s.name, s.writes])).toEqual([
      ['prices', 'create replacement', [{ object: 'price:new ai_monthly', fields: ['*'] }, { object: 'price:price_monthly', fields: ['lookup_key'] }]],
      ['archives', 'archive old', [{ object: 'price:price_monthly', fields: ['active'] }]],
    ]);
  });

  it('refuses a plan in which two steps write the same field of one object', () => {
    const step = (name: string, fields: string[]) => ({ type: 'product' as const, key: 'ai', phase: 'products', name, writes: [{ object: 'product:ai', fields }] });
    expect(findConflict([step('update', ['name', 'active']), step('set default price', ['default_price'])])).toBeUndefined();
    expect(findConflict([step('update', ['name', 'default_price']), step('set default price', ['default_price'])])).toEqual({ object: 'product:ai', field: 'default_price', by: ['product ai: update', 'product ai: set default price'] });
    expect(findConflict([step('create', ['*']), step('set default price', ['default_price'])])).toMatchObject({ field: 'default_price' });
  });

  it('updates tax_behavior while it is unspecified, but replaces a price to change a set one', () => {
    const fromUnspecified = find(computePlan(config(), state({ price: [price(), seats({ tax_behavior: 'unspecified' })] })).changes, 'price', 'ai_seats');
    expect(fromUnspecified).toMatchObject({ action: 'update', fields: [{ field: 'tax_behavior', before: 'unspecified', after: 'exclusive' }] });
    const fromInclusive = find(computePlan(config(), state({ price: [price(), seats({ tax_behavior: 'inclusive' })] })).changes, 'price', 'ai_seats');
    expect(fromInclusive.action).toBe('replace');
  });

  it('leaves unmanaged objects alone, and adopts them with --adopt', () => {
    const hand = state({ product: [product({ metadata: {} })] });
    expect(find(computePlan(config(), hand).changes, 'product', 'ai')).toMatchObject({ action: 'noop', unmanaged: true });
    const adopted = find(computePlan(config(), hand, { adopt: true }).changes, 'product', 'ai');
    expect(adopted).toMatchObject({ action: 'update', adopt: true, fields: [{ field: 'metadata.managed_by', after: 'alpaca-billing' }] });
  });

  it('archives the leftover of an interrupted replace (managed, active, lookup key gone) even without --prune', () => {
    const leftover = price({ id: 'price_old', lookup_key: null });
    const plan = computePlan(config(), state({ price: [price(), seats(), leftover] }));
    expect(find(plan.changes, 'price', 'price_old')).toMatchObject({ action: 'archive', id: 'price_old' });
  });

  it('prunes only with --prune, and deactivates only meters that managed prices use', () => {
    const extra = state({
      meter: [meter(), meter({ id: 'mtr_old', event_name: 'old' }), meter({ id: 'mtr_foreign', event_name: 'foreign' })],
      product: [product(), product({ id: 'gone', default_price: null })],
      price: [price(), seats(), price({ id: 'price_gone', product: 'gone', lookup_key: 'gone_monthly', recurring: { interval: 'month', interval_count: 1, meter: 'mtr_old', usage_type: 'metered' } })],
    });
    expect(pendingChanges(computePlan(config(), extra))).toEqual([]);
    const pruned = pendingChanges(computePlan(config(), extra, { prune: true })).map((c) => `${c.action} ${c.type} ${c.key}`);
    expect(pruned.sort()).toEqual(['archive meter old', 'archive price gone_monthly', 'archive product gone']);
  });

  it('blocks archiving a price active subscriptions use, unless allowed', () => {
    const desired = config();
    delete desired.products.ai.prices.seats;
    const blocked = find(computePlan(desired, state({}, { price_seats: 3 }), { prune: true }).changes, 'price', 'ai_seats');
    expect(blocked).toMatchObject({ action: 'archive', activeSubscriptions: 3, blocked: '3 active subscriptions use this price' });
    const allowed = find(computePlan(desired, state({}, { price_seats: 3 }), { prune: true, allowArchiveInUse: true }).changes, 'price', 'ai_seats');
    expect(allowed.blocked).toBeUndefined();
  });

  it('says a meter aggregation cannot change in place, and reactivates a deactivated meter', () => {
    const desired = config();
    desired.meters.tokens.aggregation = 'count';
    const change = find(computePlan(desired, state()).changes, 'meter', 'tokens');
    expect(change.blocked).toMatch(/aggregation cannot change in place/);
    const inactive = find(computePlan(config(), state({ meter: [meter({ status: 'inactive' })] })).changes, 'meter', 'tokens');
    expect(inactive).toMatchObject({ action: 'update', fields: [{ field: 'status', before: 'inactive', after: 'active' }] });
  });
});

describe('rendering a plan', () => {
  const desired = config();
  desired.products.ai.name = 'AI Platform';
  desired.products.ai.prices.monthly.amount = { kind: 'per_unit', unit_amount: '0.004' };
  const plan = computePlan(desired, state());

  it('renders terraform-style lines with before → after and a one-line summary', () => {
    const lines = renderPlan(plan, state().account, new Chalk({ level: 0 }));
    expect(lines[0]).toBe('Account acct_1 · test mode · http://127.0.0.1:1');
    expect(lines).toContain('  ~ update product ai');
    expect(lines).toContain('        name: "AI" → "AI Platform"');
    expect(lines).toContain('-/+ replace price ai_monthly (price_monthly)');
    expect(lines).toContain('        amount: "4 per 1000 units (round up)" → "0.004 per unit"');
    expect(lines[lines.length - 1]).toBe('Plan: 0 to create, 1 to update, 1 to replace, 0 to archive, 2 unchanged.');
  });

  it('gives --json one document of changes and counts, without noops', () => {
    const doc = planToJson(plan, state().account);
    expect(doc.summary).toMatchObject({ update: 1, replace: 1, noop: 2 });
    expect(doc.changes).toEqual([
      { action: 'update', type: 'product', key: 'ai', id: 'ai', fields: [{ field: 'name', before: 'AI', after: 'AI Platform' }, { field: 'default_price', before: 'ai_monthly', after: 'ai_monthly (its replacement)' }] },
      expect.objectContaining({ action: 'replace', type: 'price', key: 'ai_monthly', id: 'price_monthly' }),
    ]);
  });
});

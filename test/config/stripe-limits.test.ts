import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import type Stripe from 'stripe';
import { parsePricing } from '../../src/config/validate.js';
import { WEBHOOK_EVENT_TYPES } from '../../src/core/webhook-event-types.js';
import { run } from '../helpers/cli.js';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * `validate` knows every limit Stripe enforces on what `apply` sends: a file that passes validate
 * must not fail half-way through apply. Each case is refused by the emulator (as by Stripe) when sent
 * directly, and by validate before apply sends anything.
 */
let emu: TestEmulator;
beforeAll(async () => { emu = await startTestEmulator(); });
afterAll(async () => { await emu.close(); });

const root = resolve(import.meta.dirname, '../..');

/** A meter, a product with a price, and a webhook: the last thing apply creates is the price. */
const file = (s: string, edit: { currency?: string; name?: string; description?: string; nickname?: string; amount?: string; tiers?: string; events?: string; customerKey?: string; hookUrl?: string; hookDescription?: string } = {}) => `version: 1
meters:
  tokens:
    display_name: Tokens
    event_name: tokens_${s}
    aggregation: sum
${edit.customerKey ? `    customer_key: ${edit.customerKey}\n` : ''}products:
  limits_${s}:
    name: ${edit.name ?? 'Limits'}
${edit.description ? `    description: ${edit.description}\n` : ''}    prices:
      monthly:
        lookup_key: limits_${s}
        currency: ${edit.currency ?? 'usd'}
        interval: month
        meter: tokens
${edit.nickname ? `        nickname: ${edit.nickname}\n` : ''}${edit.tiers ?? `        unit_amount: ${edit.amount ?? '4'}\n`}webhooks:
  app:
    url: ${edit.hookUrl ?? `https://example.com/hooks/${s}`}
    events: [${edit.events ?? 'invoice.paid'}]
${edit.hookDescription ? `    description: ${edit.hookDescription}\n` : ''}`;

interface LimitCase {
  name: string;
  edit: Parameters<typeof file>[1];
  path: string;
  message: RegExp;
  /** The same value sent straight to the emulator: Stripe refuses it. */
  direct: (stripe: Stripe) => Promise<unknown>;
  param: string;
}

const MAX = 99_999_999;
const cases: LimitCase[] = [
  { name: 'product name over 250 characters', edit: { name: 'n'.repeat(251) }, path: 'products.limits_a.name', message: /251 characters long; Stripe allows at most 250/, direct: (s) => s.products.create({ name: 'n'.repeat(251) }), param: 'name' },
  { name: 'product description over 40,000 characters', edit: { description: 'd'.repeat(40_001) }, path: 'products.limits_b.description', message: /40001 characters long; Stripe allows at most 40000/, direct: (s) => s.products.create({ name: 'x', description: 'd'.repeat(40_001) }), param: 'description' },
  { name: 'price nickname over 250 characters', edit: { nickname: 'k'.repeat(251) }, path: 'products.limits_c.prices.monthly.nickname', message: /251 characters long; Stripe allows at most 250/, direct: (s) => s.prices.create({ currency: 'usd', unit_amount: 1, product_data: { name: 'x' }, nickname: 'k'.repeat(251) }), param: 'nickname' },
  { name: 'unit_amount beyond the maximum', edit: { amount: String(MAX + 1) }, path: 'products.limits_d.prices.monthly.unit_amount', message: /at most 99999999 minor units/, direct: (s) => s.prices.create({ currency: 'usd', unit_amount: MAX + 1, product_data: { name: 'x' } }), param: 'unit_amount' },
  { name: 'decimal unit_amount beyond the maximum', edit: { amount: `"${MAX}.5"` }, path: 'products.limits_e.prices.monthly.unit_amount', message: /at most 99999999 minor units/, direct: (s) => s.prices.create({ currency: 'usd', unit_amount_decimal: `${MAX}.5` as never, product_data: { name: 'x' } }), param: 'unit_amount_decimal' },
  {
    name: 'tier flat_amount beyond the maximum',
    edit: { tiers: `        tiered:\n          mode: graduated\n          tiers:\n            - { up_to: 10, flat_amount: ${MAX + 1} }\n            - { up_to: inf, unit_amount: 1 }\n` },
    path: 'products.limits_f.prices.monthly.tiered.tiers[0].flat_amount', message: /at most 99999999 minor units/,
    direct: (s) => s.prices.create({ currency: 'usd', product_data: { name: 'x' }, billing_scheme: 'tiered', tiers_mode: 'graduated', tiers: [{ up_to: 10, flat_amount: MAX + 1 }, { up_to: 'inf', unit_amount: 1 }] }),
    param: 'tiers[0][flat_amount]',
  },
  { name: 'an ISO currency Stripe does not support', edit: { currency: 'bhd' }, path: 'products.limits_g.prices.monthly.currency', message: /'bhd' is an ISO 4217 currency Stripe does not support/, direct: (s) => s.prices.create({ currency: 'bhd', unit_amount: 1, product_data: { name: 'x' } }), param: 'currency' },
  { name: 'unknown webhook event type', edit: { events: 'invoice.payed' }, path: 'webhooks.app.events[0]', message: /'invoice\.payed' is not a Stripe event type/, direct: (s) => s.webhookEndpoints.create({ url: 'https://example.com/x', enabled_events: ['invoice.payed' as never] }), param: 'enabled_events[0]' },
  { name: 'meter customer_key over 100 characters', edit: { customerKey: 'c'.repeat(101) }, path: 'meters.tokens.customer_key', message: /101 characters long; Stripe allows at most 100/, direct: (s) => s.billing.meters.create({ display_name: 'x', event_name: 'long_key', default_aggregation: { formula: 'sum' }, customer_mapping: { type: 'by_id', event_payload_key: 'c'.repeat(101) } }), param: 'customer_mapping[event_payload_key]' },
  { name: 'webhook url over 5,000 characters', edit: { hookUrl: `https://example.com/${'u'.repeat(5000)}` }, path: 'webhooks.app.url', message: /5020 characters long; Stripe allows at most 5000/, direct: (s) => s.webhookEndpoints.create({ url: `https://example.com/${'u'.repeat(5000)}`, enabled_events: ['*'] }), param: 'url' },
  { name: 'webhook description over 5,000 characters', edit: { hookDescription: 'w'.repeat(5001) }, path: 'webhooks.app.description', message: /5001 characters long; Stripe allows at most 5000/, direct: (s) => s.webhookEndpoints.create({ url: 'https://example.com/y', enabled_events: ['*'], description: 'w'.repeat(5001) }), param: 'description' },
];

describe('validate knows the limits Stripe enforces on what apply sends', () => {
  it.each(cases.map((c, i) => ({ ...c, s: 'abcdefghijklmnop'[i] })))('$name: the emulator refuses it, and validate refuses the file before apply creates anything', async ({ edit, path, message, direct, param, s }) => {
    expect(await fail(direct(emu.stripe))).toMatchObject({ statusCode: 400, param });

    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-limits-'));
    writeFileSync(resolve(dir, 'pricing.yaml'), file(s, edit));
    const validated = await run(['validate'], { cwd: dir });
    expect(validated.code).toBe(3);
    expect(validated.stderr).toMatch(new RegExp(`pricing\\.yaml:\\d+:\\d+ {2}${path.replace(/[.[\]]/g, '\\$&')} {2}.*${message.source}`));

    const applied = await run(['apply', '--yes', '--secrets-file', 'hooks.env', '--max-rps', '500'], { cwd: dir, env: emu.env });
    expect(applied.code).toBe(3);
    const meters = (await emu.stripe.billing.meters.list({ limit: 100 })).data;
    expect(meters.filter((m) => m.event_name === `tokens_${s}`)).toEqual([]);
  });

  it('suggests the event type meant, and refuses group wildcards that Stripe does not list', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-limits-'));
    writeFileSync(resolve(dir, 'pricing.yaml'), file('x', { events: 'invoice.payed, product.*, "*"' }));
    const validated = await run(['validate'], { cwd: dir });
    expect(validated.code).toBe(3);
    expect(validated.stderr).toMatch(/Did you mean 'invoice\.paid'\?/);
    expect(validated.stderr).toMatch(/'product\.\*' is not a Stripe event type[\s\S]*product\.created, product\.deleted, product\.updated/);
    expect(validated.stderr).not.toMatch(/events\[2\]/);
  });

  it('counts the managed_by key apply adds against the 50 metadata keys Stripe allows', async () => {
    const metadata = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `k${i}: v`).join(', ')} }`;
    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-limits-'));
    writeFileSync(resolve(dir, 'pricing.yaml'), `version: 1\nproducts:\n  meta_full:\n    name: Full\n    metadata: ${metadata(50)}\n`);
    const validated = await run(['validate'], { cwd: dir });
    expect(validated.code).toBe(3);
    expect(validated.stderr).toMatch(/products\.meta_full\.metadata {2}has 50 keys; Stripe allows at most 50, and apply adds managed_by/);
    expect((await run(['apply', '--yes', '--max-rps', '500'], { cwd: dir, env: emu.env })).code).toBe(3);
    await expect(emu.stripe.products.retrieve('meta_full')).rejects.toThrow(/No such product/);

    writeFileSync(resolve(dir, 'pricing.yaml'), `version: 1\nproducts:\n  meta_full:\n    name: Full\n    metadata: ${metadata(49)}\n`);
    expect((await run(['apply', '--yes', '--max-rps', '500'], { cwd: dir, env: emu.env })).code).toBe(0);
  });

  it('refuses a managed_by key of the user\'s own, which apply would overwrite', () => {
    const { problems } = parsePricing('version: 1\nproducts:\n  tagged:\n    name: Tagged\n    metadata:\n      team: ml\n      managed_by: terraform\n', 'pricing.yaml');
    expect(problems).toEqual([expect.objectContaining({ line: 7, path: 'products.tagged.metadata.managed_by', message: "'managed_by' is the key apply marks its objects with" })]);
  });

  it('refuses more webhook endpoints than Stripe allows on an account (16)', async () => {
    const hooks = Array.from({ length: 17 }, (_, i) => `  h${i}:\n    url: https://example.com/${i}\n    events: [invoice.paid]\n`).join('');
    const { problems } = parsePricing(`version: 1\nwebhooks:\n${hooks}`, 'pricing.yaml');
    expect(problems).toEqual([expect.objectContaining({ line: 2, col: 1, path: 'webhooks', message: 'declares 17 webhook endpoints; Stripe allows at most 16 on an account' })]);
    expect(parsePricing(`version: 1\nwebhooks:\n${hooks.split('  h16:')[0]}`, 'pricing.yaml').problems).toEqual([]);
  });

  it('accepts amounts up to the maximum', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-limits-'));
    writeFileSync(resolve(dir, 'pricing.yaml'), file('y', { amount: String(MAX) }));
    expect((await run(['validate'], { cwd: dir })).code).toBe(0);
    expect((await run(['apply', '--yes', '--secrets-file', 'hooks.env', '--max-rps', '500'], { cwd: dir, env: emu.env })).code).toBe(0);
  });
});

describe('the webhook event types', () => {
  it("are the stripe SDK's own (node scripts/webhook-event-types.mjs regenerates the list)", () => {
    const dts = readFileSync(resolve(root, 'node_modules/stripe/cjs/resources/WebhookEndpoints.d.ts'), 'utf8');
    const sdk = [.../type EnabledEvent = ([^;]+);/.exec(dts)![1].matchAll(/'([^']+)'/g)].map((m) => m[1]).filter((t) => t !== '*').sort();
    expect([...WEBHOOK_EVENT_TYPES].sort()).toEqual(sdk);
  });
});

import type Stripe from 'stripe';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../helpers/cli.js';
import { scriptedPrompter } from '../../src/output/prompt.js';
import { digestSavedPlan } from '../../src/reconcile/saved-plan.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { catalogYaml, workdir } from './fixtures.js';

let emu: TestEmulator;
beforeAll(async () => { emu = await startTestEmulator(); });
afterAll(async () => { await emu.close(); });

// A high client-side limit keeps the tests quick; the limiter itself is exercised in resilience.test.ts.
const plan = (dir: string, ...args: string[]) => run(['plan', '--json', '--max-rps', '500', ...args], { env: emu.env, cwd: dir });
const apply = (dir: string, ...args: string[]) => run(['apply', '--yes', '--max-rps', '500', ...args], { env: emu.env, cwd: dir });
const pricesByKey = async (key: string): Promise<Stripe.Price[]> => {
  const [a, b] = await Promise.all([emu.stripe.prices.list({ limit: 100 }), emu.stripe.prices.list({ limit: 100, active: false })]);
  return [...a.data, ...b.data].filter((p) => p.lookup_key === key || p.metadata.test_key === key);
};

describe('plan and apply against the emulator', () => {
  it('plans every object on an empty account, applies it, then plans nothing (exit 2, then 0)', async () => {
    const w = workdir(catalogYaml('a'));
    const first = await plan(w.dir, '--detailed-exitcode');
    expect(first.code).toBe(2);
    const doc = first.json();
    expect(doc.summary).toMatchObject({ create: 8, update: 0, replace: 0, archive: 0 });
    expect(doc.changes.map((c: { type: string; key: string }) => `${c.type} ${c.key}`)).toEqual(expect.arrayContaining(['meter alpaca_ai_tokens_a', 'product alpaca_ai_a', 'price alpaca_pro_volume_a']));
    expect(doc.account).toMatchObject({ mode: 'test', api_base: emu.url });

    const applied = await apply(w.dir);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/created price alpaca_ai_tokens_monthly_a: price_/);

    const again = await plan(w.dir, '--detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.json().changes).toEqual([]);

    const product = await emu.stripe.products.retrieve('alpaca_ai_a', { expand: ['default_price'] });
    expect((product.default_price as Stripe.Price).lookup_key).toBe('alpaca_ai_tokens_monthly_a');
    expect(product.metadata).toEqual({ team: 'ml', managed_by: 'alpaca-billing' });
  });

  it('replaces a price whose amount changed: the lookup key and default price move, the old price is archived', async () => {
    const w = workdir(catalogYaml('b'));
    expect((await apply(w.dir)).code).toBe(0);
    const [old] = await pricesByKey('alpaca_ai_tokens_monthly_b');

    w.write(catalogYaml('b', { amount: 5 }));
    const planned = await plan(w.dir);
    const change = planned.json().changes.find((c: { key: string }) => c.key === 'alpaca_ai_tokens_monthly_b');
    expect(change).toMatchObject({ action: 'replace', type: 'price', id: old.id, active_subscriptions: 0 });
    expect(change.fields).toContainEqual({ field: 'amount', before: '4 per 1000 units (round up)', after: '5 per 1000 units (round up)' });

    const human = await run(['plan'], { env: emu.env, cwd: w.dir });
    expect(human.stdout).toMatch(/-\/\+ replace price alpaca_ai_tokens_monthly_b/);
    expect(human.stdout).toMatch(/~ update product alpaca_ai_b\n\s+default_price: "alpaca_ai_tokens_monthly_b" → "alpaca_ai_tokens_monthly_b \(its replacement\)"/);
    expect(human.stdout).toMatch(/Plan: 0 to create, 1 to update, 1 to replace, 0 to archive/);

    expect((await apply(w.dir)).code).toBe(0);
    const oldNow = await emu.stripe.prices.retrieve(old.id);
    expect(oldNow.active).toBe(false);
    expect(oldNow.lookup_key).toBeNull();
    const current = (await emu.stripe.prices.list({ lookup_keys: ['alpaca_ai_tokens_monthly_b'] })).data;
    expect(current).toHaveLength(1);
    expect(String(current[0].unit_amount_decimal)).toBe('5');
    const product = await emu.stripe.products.retrieve('alpaca_ai_b');
    expect(product.default_price).toBe(current[0].id);
    expect((await plan(w.dir, '--detailed-exitcode')).code).toBe(0);
  });

  it('sets, changes and clears a product unit label, which the invoice preview then uses', async () => {
    const w = workdir(catalogYaml('u'));
    expect((await apply(w.dir)).code).toBe(0);
    const withLabel = (label: string) => readFileSync(join(w.dir, 'pricing.yaml'), 'utf8').replace('    description: Generative AI API\n', `    description: Generative AI API\n    unit_label: ${label}\n`);
    const base = readFileSync(join(w.dir, 'pricing.yaml'), 'utf8');
    w.write(withLabel('tokens'));
    const set = (await plan(w.dir)).json();
    expect(set.changes).toEqual([expect.objectContaining({ action: 'update', type: 'product', key: 'alpaca_ai_u', fields: [{ field: 'unit_label', after: 'tokens' }] })]);
    expect((await apply(w.dir)).code).toBe(0);
    expect((await emu.stripe.products.retrieve('alpaca_ai_u')).unit_label).toBe('tokens');
    expect((await plan(w.dir, '--detailed-exitcode')).code).toBe(0);

    w.write(base);
    expect((await plan(w.dir)).json().changes).toEqual([expect.objectContaining({ key: 'alpaca_ai_u', fields: [{ field: 'unit_label', before: 'tokens' }] })]);
    expect((await apply(w.dir)).code).toBe(0);
    expect((await emu.stripe.products.retrieve('alpaca_ai_u')).unit_label).toBeNull();
  });

  it('updates a renamed product in place, and puts back fields changed in the Dashboard (drift)', async () => {
    const w = workdir(catalogYaml('c'));
    expect((await apply(w.dir)).code).toBe(0);
    w.write(catalogYaml('c', { name: 'Alpaca AI Platform' }));
    const renamed = (await plan(w.dir)).json();
    expect(renamed.changes).toEqual([expect.objectContaining({ action: 'update', type: 'product', key: 'alpaca_ai_c', fields: [{ field: 'name', before: 'Alpaca AI', after: 'Alpaca AI Platform' }] })]);
    expect((await apply(w.dir)).code).toBe(0);
    expect((await emu.stripe.products.retrieve('alpaca_ai_c')).name).toBe('Alpaca AI Platform');

    // Someone edits the account by hand.
    const [seats] = (await emu.stripe.prices.list({ lookup_keys: ['alpaca_pro_seats_c'] })).data;
    await emu.stripe.prices.update(seats.id, { nickname: 'hand edit', metadata: { extra: 'x' } });
    await emu.stripe.products.update('alpaca_pro_c', { active: false });
    const drift = (await plan(w.dir, '--detailed-exitcode'));
    expect(drift.code).toBe(2);
    const byKey = Object.fromEntries(drift.json().changes.map((c: { key: string }) => [c.key, c]));
    expect(byKey.alpaca_pro_seats_c.fields).toEqual(expect.arrayContaining([{ field: 'nickname', before: 'hand edit' }, { field: 'metadata.extra', before: 'x' }]));
    expect(byKey.alpaca_pro_c.fields).toEqual([{ field: 'active', before: false, after: true }]);
    expect((await apply(w.dir)).code).toBe(0);
    expect((await plan(w.dir, '--detailed-exitcode')).code).toBe(0);
    const fixed = await emu.stripe.prices.retrieve(seats.id);
    expect(fixed.nickname).toBeNull();
    expect(fixed.metadata).toEqual({ managed_by: 'alpaca-billing' });
  });

  it('leaves objects it did not create alone unless --adopt', async () => {
    const w = workdir(catalogYaml('d', { dropPro: true }));
    await emu.stripe.products.create({ id: 'alpaca_ai_d', name: 'Made by hand' });
    const planned = await plan(w.dir);
    const product = planned.json().changes.find((c: { type: string }) => c.type === 'product');
    expect(product).toMatchObject({ action: 'noop', unmanaged: true, key: 'alpaca_ai_d' });
    expect(planned.json().summary.unmanaged).toBe(1);
    expect((await apply(w.dir)).code).toBe(0);
    expect((await emu.stripe.products.retrieve('alpaca_ai_d')).name).toBe('Made by hand');

    const adopted = (await plan(w.dir, '--adopt')).json().changes.find((c: { type: string }) => c.type === 'product');
    expect(adopted).toMatchObject({ action: 'update', adopt: true });
    expect(adopted.fields).toContainEqual({ field: 'metadata.managed_by', after: 'alpaca-billing' });
    expect((await apply(w.dir, '--adopt')).code).toBe(0);
    expect((await emu.stripe.products.retrieve('alpaca_ai_d')).metadata.managed_by).toBe('alpaca-billing');
    expect((await plan(w.dir, '--detailed-exitcode')).code).toBe(0);
  });

  it('explains that a meter cannot change its aggregation in place, and apply refuses (exit 3)', async () => {
    const w = workdir(catalogYaml('e'));
    expect((await apply(w.dir)).code).toBe(0);
    w.write(catalogYaml('e', { aggregation: 'last' }));
    const human = await run(['plan'], { env: emu.env, cwd: w.dir });
    expect(human.stdout).toMatch(/cannot apply: a meter's aggregation cannot change in place/);
    expect(human.stdout).toMatch(/new event_name \(e\.g\. alpaca_ai_tokens_e_v2\)/);
    const refused = await apply(w.dir);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/cannot be applied: meter alpaca_ai_tokens_e/);
    const meter = (await emu.stripe.billing.meters.list({ limit: 100 })).data.find((m) => m.event_name === 'alpaca_ai_tokens_e');
    expect(meter?.default_aggregation.formula).toBe('sum');
  });

  it('saves a plan and applies exactly it, but refuses a saved plan once the account changed', async () => {
    const w = workdir(catalogYaml('f'));
    const saved = await run(['plan', '-o', 'plan.json'], { env: emu.env, cwd: w.dir });
    expect(saved.code).toBe(0);
    expect(JSON.parse(readFileSync(join(w.dir, 'plan.json'), 'utf8'))).toMatchObject({ format: 'alpaca-billing-plan', plan: { summary: { create: 8 } } });
    expect((await apply(w.dir, 'plan.json')).code).toBe(0);
    expect((await plan(w.dir, '--detailed-exitcode')).code).toBe(0);

    w.write(catalogYaml('f', { name: 'Renamed' }));
    expect((await run(['plan', '-o', 'plan.json'], { env: emu.env, cwd: w.dir })).code).toBe(0);
    await emu.stripe.products.update('alpaca_pro_f', { description: 'changed meanwhile' });
    const stale = await apply(w.dir, 'plan.json');
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/account changed since plan\.json was made/);
    expect((await emu.stripe.products.retrieve('alpaca_ai_f')).name).toBe('Alpaca AI');
  });

  it('refuses a saved plan edited after review (its payload no longer matches its digest), naming the file, changing nothing', async () => {
    const w = workdir(catalogYaml('k'));
    expect((await run(['plan', '-o', 'plan.json'], { env: emu.env, cwd: w.dir })).code).toBe(0);
    const path = join(w.dir, 'plan.json');
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    saved.plan.changes.find((c: { key: string }) => c.key === 'alpaca_ai_k').payload.name = 'Edited after review';
    writeFileSync(path, JSON.stringify(saved, null, 2));
    const edited = await apply(w.dir, 'plan.json');
    expect(edited.code).toBe(3);
    expect(edited.stderr).toMatch(/plan\.json was changed after it was saved: its contents do not match its digest/);
    await expect(emu.stripe.products.retrieve('alpaca_ai_k')).rejects.toThrow(/No such product/);

    // Edited, with its digest recomputed, and well-formed: the steps no longer follow from the changes
    // (no default price to set). Ill-formed edits are refused field by field (saved-plan.test.ts).
    const forged = JSON.parse(readFileSync(path, 'utf8'));
    delete forged.plan.changes.find((c: { key: string }) => c.key === 'alpaca_ai_k').payload.default_price;
    forged.digest = digestSavedPlan(forged);
    writeFileSync(path, JSON.stringify(forged, null, 2));
    const damaged = await apply(w.dir, 'plan.json');
    expect(damaged.code).toBe(3);
    expect(damaged.stderr).toMatch(/plan\.json is not a usable plan: its steps do not follow from its changes/);
    expect(damaged.stderr).not.toMatch(/internal error/);
    await expect(emu.stripe.products.retrieve('alpaca_ai_k')).rejects.toThrow(/No such product/);

    delete saved.digest;
    writeFileSync(path, JSON.stringify(saved, null, 2));
    const undigested = await apply(w.dir, 'plan.json');
    expect(undigested.code).toBe(3);
    expect(undigested.stderr).toMatch(/plan\.json is not a usable plan: it has no digest/);
    await expect(emu.stripe.products.retrieve('alpaca_ai_k')).rejects.toThrow(/No such product/);
  });

  it('asks for confirmation on a terminal and changes nothing when declined', async () => {
    const w = workdir(catalogYaml('g'));
    const declined = await run(['apply'], { env: emu.env, cwd: w.dir, prompter: scriptedPrompter({ 'Apply 8 changes': false }) });
    expect(declined.code).toBe(0);
    expect(declined.stderr).toMatch(/nothing was changed/);
    await expect(emu.stripe.products.retrieve('alpaca_ai_g')).rejects.toThrow(/No such product/);
    const accepted = await run(['reconcile'], { env: emu.env, cwd: w.dir, prompter: scriptedPrompter({ 'Apply 8 changes': true }) });
    expect(accepted.code).toBe(0);
    expect((await run(['reconcile', '--dry-run', '--detailed-exitcode'], { env: emu.env, cwd: w.dir })).code).toBe(0);
  });

  it('refuses apply without a TTY and without --yes, before any Stripe call (exit 3)', async () => {
    const w = workdir(catalogYaml('h'));
    // An API base nothing listens on: a call would fail with exit 1, not 3.
    const res = await run(['apply'], { env: { ...emu.env, STRIPE_API_BASE: 'http://127.0.0.1:9' }, cwd: w.dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/--yes/);
  });

  it('refuses a live key without --live before any call (exit 3)', async () => {
    const w = workdir(catalogYaml('i'));
    for (const args of [['plan'], ['apply', '--yes'], ['pull']]) {
      const res = await run(args, { env: { STRIPE_API_KEY: 'sk_live_' + '0123456789abcdefghij', STRIPE_API_BASE: 'http://127.0.0.1:9' }, cwd: w.dir });
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(/live-mode key/);
      expect(res.stderr).not.toContain('sk_live_' + '0123456789abcdefghij');
    }
  });

  it('stops at a step Stripe refuses, says what was done, and exits 1', async () => {
    const w = workdir(catalogYaml('j'));
    expect((await run(['plan', '-o', 'plan.json'], { env: emu.env, cwd: w.dir })).code).toBe(0);
    // A saved plan edited by hand so that Stripe refuses one price: well-formed (apply checks that), but
    // billed every four years, beyond Stripe's longest period of three.
    const path = join(w.dir, 'plan.json');
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    saved.plan.changes.find((c: { key: string }) => c.key === 'alpaca_pro_seats_j').payload.create.recurring.interval_count = 4;
    writeFileSync(path, JSON.stringify({ ...saved, digest: digestSavedPlan(saved) }));
    const failed = await apply(w.dir, 'plan.json');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Stopped after \d+ steps: price alpaca_pro_seats_j \(create\) failed/);
    expect(failed.stderr).toMatch(/Stripe invalid_request_error/);
    expect(failed.stderr).toMatch(/Run `alpaca-billing apply` again/);
    expect((await emu.stripe.products.retrieve('alpaca_pro_j')).id).toBe('alpaca_pro_j');
  });
});

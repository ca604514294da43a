import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePricing } from '../../src/config/validate.js';
import { computePlan } from '../../src/reconcile/plan.js';
import { digestSavedPlan, parseSavedPlan, toSavedPlan, type SavedPlan } from '../../src/reconcile/saved-plan.js';
import type { AccountState } from '../../src/reconcile/types.js';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { catalogYaml, workdir } from './fixtures.js';

// Every kind of payload: meters, products, the four price forms, a webhook endpoint and an alert.
const yaml = `${catalogYaml('s')}webhooks:
  hooks:
    url: https://example.com/hooks
    events: [invoice.paid]
alerts:
  big:
    meter: tokens
    threshold: 1000
    title: A big month
`;

const emptyAccount: AccountState = {
  account: { id: 'acct_1', mode: 'test', apiBase: 'http://127.0.0.1:1' },
  objects: { meter: [], product: [], price: [], webhook_endpoint: [], alert: [] },
  activeSubscriptions: {},
};

function savedPlan(): SavedPlan {
  const { config, problems } = parsePricing(yaml, 'pricing.yaml');
  expect(problems).toEqual([]);
  const plan = computePlan(config!, emptyAccount);
  return JSON.parse(JSON.stringify(toSavedPlan({ state: emptyAccount, plan, fingerprint: 'f' }, {})));
}

type Json = Record<string, any>;
const change = (saved: SavedPlan, key: string): Json => saved.plan.changes.find((c) => c.key === key) as Json;

/** Edits a fresh saved plan, recomputes its digest as a forger would, and parses it. */
function forged(edit: (saved: SavedPlan) => void): ReturnType<typeof parseSavedPlan> {
  const saved = savedPlan();
  edit(saved);
  return parseSavedPlan(JSON.stringify({ ...saved, digest: digestSavedPlan(saved) }));
}

describe('a saved plan, edited and re-digested by hand', () => {
  it('parses as it was saved (every kind of payload the planner makes passes its schema)', () => {
    const saved = savedPlan();
    expect(saved.plan.changes.map((c) => c.type)).toEqual(expect.arrayContaining(['meter', 'product', 'price', 'webhook_endpoint', 'alert']));
    expect(parseSavedPlan(JSON.stringify(saved))).toEqual(saved);
  });

  const price = 'plan\\.changes\\[\\d+\\] \\(price alpaca_ai_tokens_monthly_s, create\\)';
  it.each<[string, (saved: SavedPlan) => void, RegExp]>([
    ['an amount of the wrong type', (s) => { change(s, 'alpaca_ai_tokens_monthly_s').payload.create.unit_amount_decimal = 7; }, new RegExp(`${price}: payload\\.create\\.unit_amount_decimal: expected a decimal string of minor units, e\\.g\\. "0\\.5", got 7`)],
    ['an amount that is not a number', (s) => { change(s, 'alpaca_ai_tokens_monthly_s').payload.create.unit_amount_decimal = 'abc'; }, new RegExp(`${price}: payload\\.create\\.unit_amount_decimal: .*got 'abc'`)],
    ['an unknown field', (s) => { change(s, 'alpaca_ai_tokens_monthly_s').payload.create.unit_amount = 'abc'; }, new RegExp(`${price}: payload\\.create\\.unit_amount: unknown key 'unit_amount'`)],
    ['a missing lookup key', (s) => { delete change(s, 'alpaca_ai_tokens_monthly_s').payload.create.lookup_key; }, new RegExp(`${price}: payload\\.create\\.lookup_key: missing required key 'lookup_key'`)],
    ['an interval Stripe does not have', (s) => { change(s, 'alpaca_ai_tokens_monthly_s').payload.create.recurring.interval = 'fortnight'; }, new RegExp(`${price}: payload\\.create\\.recurring\\.interval: must be one of day, week, month, year; got 'fortnight'`)],
    ['a currency Stripe does not take', (s) => { change(s, 'alpaca_ai_tokens_monthly_s').payload.create.currency = 'zzz'; }, new RegExp(`${price}: payload\\.create\\.currency: .*got 'zzz'`)],
    ['a tier of the wrong shape', (s) => { change(s, 'alpaca_pro_volume_s').payload.create.tiers[1].up_to = -3; }, /\(price alpaca_pro_volume_s, create\): payload\.create\.tiers\[1\]\.up_to: /],
    ['a meter create without its payload', (s) => { delete change(s, 'alpaca_ai_tokens_s').payload; }, /\(meter alpaca_ai_tokens_s, create\): payload: missing/],
    ['an aggregation meters do not have', (s) => { change(s, 'alpaca_ai_tokens_s').payload.aggregation = 'max'; }, /\(meter alpaca_ai_tokens_s, create\): payload\.aggregation: must be one of sum, count, last; got 'max'/],
    ['product metadata that is not a string', (s) => { change(s, 'alpaca_ai_s').payload.metadata.team = 5; }, /\(product alpaca_ai_s, create\): payload\.metadata\.team: must be a string, got 5/],
    ['an event type Stripe does not send', (s) => { change(s, 'hooks').payload.enabled_events = ['invoice.nope']; }, /\(webhook_endpoint hooks, create\): payload\.enabled_events\[0\]: not an event type Stripe knows, got 'invoice\.nope'/],
    ['an alert threshold as text', (s) => { change(s, 'big').payload.gte = '1000'; }, /\(alert big, create\): payload\.gte: must be a number, got '1000'/],
    ['an unknown field on a change', (s) => { change(s, 'alpaca_ai_s').run = 'rm -rf'; }, /\(product alpaca_ai_s, create\): run: unknown key 'run'/],
    ['an action plan does not make', (s) => { change(s, 'alpaca_ai_s').action = 'delete'; }, /\(product alpaca_ai_s, delete\): action: must be one of create, update, replace, archive, noop; got 'delete'/],
    ['a step of the wrong shape', (s) => { (s.plan.steps[0] as Json).writes = 'everything'; }, /plan\.steps\[0\]: writes: must be a list, got 'everything'/],
  ])('refuses %s, naming the change or step and the field path', (_what, edit, message) => {
    const parsed = forged(edit);
    expect(parsed).toEqual(expect.any(String));
    expect(parsed).toMatch(message);
  });

  it('lists every problem at once (up to five)', () => {
    const parsed = forged((s) => {
      for (const c of s.plan.changes as Json[]) if (c.type === 'price') c.payload.create.active = 'yes';
    });
    expect(parsed).toMatch(/^it was edited, or damaged, where plan never writes such values: /);
    expect((parsed as string).match(/payload\.create\.active: must be true or false, got 'yes'/g)).toHaveLength(4);
  });
});

describe('apply plan.json against the emulator', () => {
  let emu: TestEmulator;
  beforeAll(async () => { emu = await startTestEmulator(); });
  afterAll(async () => { await emu.close(); });

  it('refuses a payload edited and re-digested (exit 3, the change and field named, no internal error) and changes nothing', async () => {
    const w = workdir(catalogYaml('sp'));
    expect((await run(['plan', '-o', 'plan.json'], { env: emu.env, cwd: w.dir })).code).toBe(0);
    const path = join(w.dir, 'plan.json');
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    saved.plan.changes.find((c: { key: string }) => c.key === 'alpaca_pro_seats_sp').payload.create.unit_amount_decimal = 12000;
    writeFileSync(path, JSON.stringify({ ...saved, digest: digestSavedPlan(saved) }));

    for (const args of [[], ['--json']]) {
      const res = await run(['apply', '--yes', ...args, 'plan.json'], { env: emu.env, cwd: w.dir });
      expect(res.code).toBe(3);
      const said = args.length ? res.json().error.message : res.stderr;
      expect(said).toMatch(/plan\.json is not a usable plan: .*plan\.changes\[\d+\] \(price alpaca_pro_seats_sp, create\): payload\.create\.unit_amount_decimal: expected a decimal string/);
      expect(said).not.toMatch(/internal error/);
    }
    await expect(emu.stripe.products.retrieve('alpaca_pro_sp')).rejects.toThrow(/No such product/);
    expect((await emu.stripe.billing.meters.list({ limit: 100 })).data.filter((m) => m.event_name.endsWith('_sp'))).toEqual([]);
  });
});

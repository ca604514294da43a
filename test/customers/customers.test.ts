import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu?.close();
});

const cli = (...args: string[]) => run(args, { env: emu.env });

describe('customers create', () => {
  it('creates a customer without an external id', async () => {
    const r = await cli('customers', 'create', '--email', 'plain@example.com', '--name', 'Plain Customer');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created customer cus_\w+ {2}plain@example\.com\n$/);
    const id = /cus_\w+/.exec(r.stdout)![0];
    const stored = await emu.stripe.customers.retrieve(id);
    expect(stored).toMatchObject({ email: 'plain@example.com', name: 'Plain Customer' });
  });

  it('creates with an external id and returns the same customer when repeated (--json shape)', async () => {
    const first = await cli('--json', 'customers', 'create', '--email', 'ada@example.com', '--name', 'Ada', '--external-id', 'user_42', '--metadata', 'plan=pro', 'team=ml');
    expect(first.code).toBe(0);
    const a = first.json();
    expect(a).toEqual({
      created: true,
      customer: {
        id: expect.stringMatching(/^cus_/),
        email: 'ada@example.com',
        name: 'Ada',
        external_id: 'user_42',
        metadata: { external_id: 'user_42', plan: 'pro', team: 'ml' },
        created: expect.any(Number),
        test_clock: null,
        test_clock_time: null,
      },
    });

    const again = await cli('customers', 'create', '--email', 'ada@example.com', '--name', 'Ada', '--external-id', 'user_42');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`customer ${a.customer.id} already has external id user_42; returned it, created nothing`);
    const all = await emu.stripe.customers.list({ email: 'ada@example.com' });
    expect(all.data.map((c) => c.id)).toEqual([a.customer.id]);
  });

  it('uses an idempotency key derived from the external id: no twin even when search misses the first', async () => {
    const args = ['customers', 'create', '--email', 'lag@example.com', '--external-id', 'user_lag'];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    const id = /cus_\w+/.exec(first.stdout)![0];
    // Stand in for search lag (Stripe's search can trail writes by a minute): hide the customer from search.
    await emu.stripe.customers.update(id, { metadata: { external_id: '' } });
    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`customer ${id} already has external id user_lag; returned it, created nothing`);
    expect((await emu.stripe.customers.list({ email: 'lag@example.com' })).data.map((c) => c.id)).toEqual([id]);
  });

  it('two concurrent creates with one external id make one customer', async () => {
    const args = ['--json', 'customers', 'create', '--email', 'race@example.com', '--external-id', 'user_race'];
    const results = await Promise.all([cli(...args), cli(...args)]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const docs = results.map((r) => r.json());
    expect(docs[0].customer.id).toBe(docs[1].customer.id);
    expect(docs.filter((d) => d.created)).toHaveLength(1);
    expect((await emu.stripe.customers.list({ email: 'race@example.com' })).data).toHaveLength(1);
  });

  it('finds external ids that need quoting in the search query', async () => {
    const created = await cli('--json', 'customers', 'create', '--email', 'ob@example.com', '--external-id', "o'brien");
    expect(created.code).toBe(0);
    const shown = await cli('--json', 'customers', 'show', "o'brien");
    expect(shown.code).toBe(0);
    expect(shown.json().customer.id).toBe(created.json().customer.id);
  });

  it('rejects bad flags with exit 3 before calling Stripe', async () => {
    const r = await cli('customers', 'create', '--email', 'not-an-email');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("--email 'not-an-email' is not an email address");
    const m = await cli('customers', 'create', '--email', 'm@example.com', '--metadata', 'novalue');
    expect(m.code).toBe(3);
    expect(m.stderr).toContain("--metadata takes key=value, got 'novalue'");
    const missing = await cli('customers', 'create');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('--email');
  });
});

describe('customers show and list: lookup by id, email and external id', () => {
  let id: string;
  beforeAll(async () => {
    id = (await emu.stripe.customers.create({ email: 'grace@example.com', name: 'Grace', metadata: { external_id: 'user_7' } })).id;
  });

  it.each([
    ['its id', () => id],
    ['its email', () => 'grace@example.com'],
    ['its external id', () => 'user_7'],
  ])('finds the customer by %s', async (_label, ref) => {
    const r = await cli('--json', 'customers', 'show', ref());
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({ customer: expect.objectContaining({ id, email: 'grace@example.com', external_id: 'user_7' }), subscriptions: [] });
  });

  it('prints a human summary', async () => {
    const r = await cli('customers', 'show', 'user_7');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${id}  grace@example.com`);
    expect(r.stdout).toMatch(/external id +user_7/);
    expect(r.stdout).toContain('no subscriptions');
  });

  it('refuses to guess between two customers with one email, listing both', async () => {
    const a = await emu.stripe.customers.create({ email: 'twin@example.com', name: 'Twin A' });
    const b = await emu.stripe.customers.create({ email: 'twin@example.com', name: 'Twin B' });
    const r = await cli('customers', 'show', 'twin@example.com');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("2 customers have email 'twin@example.com'; refusing to guess");
    expect(r.stderr).toContain(a.id);
    expect(r.stderr).toContain(b.id);
    expect(r.stderr).toContain('Use the cus_ id');
  });

  it.each([
    ['an unknown id', 'cus_doesnotexist', "No customer 'cus_doesnotexist'"],
    ['an unknown email', 'nobody@example.com', "No customer with email or external id 'nobody@example.com'"],
    ['an unknown external id', 'user_nobody', "No customer with external id 'user_nobody'"],
  ])('exits 3 naming %s', async (_label, ref, message) => {
    const r = await cli('customers', 'show', ref);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('exits 3 for a deleted customer', async () => {
    const gone = await emu.stripe.customers.create({ email: 'gone@example.com' });
    await emu.stripe.customers.del(gone.id);
    const r = await cli('customers', 'show', gone.id);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`${gone.id}.*(deleted|No customer)`));
  });

  it('reports an unknown customer as JSON with --json', async () => {
    const r = await cli('--json', 'customers', 'show', 'cus_doesnotexist');
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ ok: false, error: { type: 'user', message: expect.stringContaining('cus_doesnotexist') } });
  });

  it('lists customers filtered by exact email', async () => {
    const r = await cli('--json', 'customers', 'list', '--email', 'grace@example.com');
    expect(r.code).toBe(0);
    expect(r.json().customers.map((c: { id: string }) => c.id)).toEqual([id]);
    const human = await cli('customers', 'list', '--limit', '2');
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^ID +EMAIL +NAME +EXTERNAL ID +CREATED$/);
    expect(human.stdout.trim().split('\n')).toHaveLength(3);
  });
});

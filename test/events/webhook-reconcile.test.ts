import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { startApp } from './harness.js';

let emu: TestEmulator;
let app: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  emu = await startTestEmulator();
  app = await startApp(200);
});

afterAll(async () => {
  await emu?.close();
  await app?.close();
});

function workdir(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'alpaca-evt-'));
  const write = (text: string) => writeFileSync(join(dir, 'pricing.yaml'), text);
  write(yaml);
  return { dir, write, read: () => readFileSync(join(dir, 'pricing.yaml'), 'utf8') };
}

const yaml = (events: string[], description = 'Billing events for the app') => `version: 1
webhooks:
  app:
    url: ${app.url}
    events: [${events.join(', ')}]
    description: ${description}
`;

/** plan/apply with a generous client-side rate limit: the emulator has none. */
const cli = (args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string }) => run([...args, '--max-rps', '1000'], opts);

const managedEndpoints = async () => (await emu.stripe.webhookEndpoints.list({ limit: 100 })).data.filter((e) => e.metadata?.managed_by === 'alpaca-billing');

describe('webhook endpoints in pricing.yaml', () => {
  test('planned, applied with the secret written once to --secrets-file, updated, and pruned', async () => {
    const work = workdir(yaml(['customer.created', 'invoice.paid']));
    const opts = { env: emu.env, cwd: work.dir };
    const manual = await emu.stripe.webhookEndpoints.create({ url: 'https://example.com/by-hand', enabled_events: ['*'] });

    // Plan: one endpoint to create.
    const plan = await cli(['plan', '--detailed-exitcode'], opts);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/\+ create webhook_endpoint app/);
    expect(plan.stdout).toContain(app.url);

    // Without a terminal the secret could only be lost or logged: refused before anything is created.
    const refused = await cli(['apply', '--yes'], opts);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('pass --secrets-file <path>');
    expect(await managedEndpoints()).toEqual([]);

    const secretsFile = join(work.dir, 'webhooks.env');
    const applied = await cli(['apply', '--yes', '--secrets-file', 'webhooks.env'], opts);
    expect(applied.code).toBe(0);
    const [endpoint] = await managedEndpoints();
    expect(endpoint).toMatchObject({ url: app.url, enabled_events: ['customer.created', 'invoice.paid'], description: 'Billing events for the app', metadata: { alpaca_billing_key: 'app' } });
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    const secret = /^STRIPE_WEBHOOK_SECRET_APP=(whsec_\S+)$/m.exec(readFileSync(secretsFile, 'utf8'))![1];
    expect(applied.stderr).toContain(`signing secret written to ${secretsFile} as STRIPE_WEBHOOK_SECRET_APP`);

    // The secret in the file is the one Stripe signs with.
    await emu.stripe.customers.create({ name: 'Webhook check' });
    const deadline = Date.now() + 5000;
    while (app.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(Stripe.webhooks.constructEvent(app.received[0].body, String(app.received[0].headers['stripe-signature']), secret).type).toBe('customer.created');

    // Converged: nothing to do.
    expect((await cli(['plan', '--detailed-exitcode'], opts)).code).toBe(0);

    // Events and description change in place.
    work.write(yaml(['customer.created', 'invoice.paid', 'invoice.payment_failed'], 'Billing and dunning'));
    const update = await cli(['plan', '--detailed-exitcode'], opts);
    expect(update.code).toBe(2);
    expect(update.stdout).toMatch(/~ update webhook_endpoint app/);
    expect(update.stdout).toContain('description: "Billing events for the app" → "Billing and dunning"');
    const updated = await cli(['apply', '--yes'], opts);
    expect(updated.code).toBe(0);
    expect((await emu.stripe.webhookEndpoints.retrieve(endpoint.id)).enabled_events).toEqual(['customer.created', 'invoice.paid', 'invoice.payment_failed']);
    expect((await cli(['plan', '--detailed-exitcode'], opts)).code).toBe(0);

    // pull writes the endpoint back under its key, and planning the pulled file changes nothing.
    const pulled = await cli(['pull'], opts);
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain(`\n  app:\n    url: ${app.url}\n`);
    expect(pulled.stdout).toContain('\n  example_com_by_hand:\n');
    expect(pulled.stdout).not.toContain('whsec_');
    work.write(pulled.stdout);
    expect((await cli(['plan', '--detailed-exitcode', '--prune'], opts)).code).toBe(0);

    // Gone from the file: kept without --prune, deleted with it; the hand-made endpoint is never touched.
    work.write('version: 1\n');
    expect((await cli(['plan', '--detailed-exitcode'], opts)).code).toBe(0);
    const prune = await cli(['plan', '--prune'], opts);
    expect(prune.stdout).toMatch(/- archive webhook_endpoint app/);
    expect(prune.stdout).not.toContain('by-hand');
    expect((await cli(['apply', '--yes', '--prune'], opts)).code).toBe(0);
    expect(await managedEndpoints()).toEqual([]);
    expect((await emu.stripe.webhookEndpoints.retrieve(manual.id)).url).toBe('https://example.com/by-hand');

    // The secret was never printed, logged or written to pricing.yaml, before or after creation.
    const outputs = [plan, refused, applied, update, updated, prune].map((r) => r.stdout + r.stderr).join('\n');
    expect(outputs).not.toContain(secret);
    expect(outputs).not.toContain(secret.slice('whsec_'.length));
    expect(work.read()).not.toContain('whsec_');
    const json = await cli(['plan', '--json'], opts);
    expect(json.stdout).not.toContain(secret);
  });

  test('an endpoint made by hand for the same URL is adopted only with --adopt', async () => {
    const url = `${app.url}?adopt`;
    const manual = await emu.stripe.webhookEndpoints.create({ url, enabled_events: ['invoice.paid'] });
    const work = workdir(`version: 1\nwebhooks:\n  hooks:\n    url: ${url}\n    events: [invoice.paid]\n`);
    const opts = { env: emu.env, cwd: work.dir };
    const plain = await cli(['plan'], opts);
    expect(plain.stdout).toMatch(/! webhook_endpoint hooks .*left alone \(pass --adopt/);
    const adopt = await cli(['apply', '--yes', '--adopt'], opts);
    expect(adopt.code).toBe(0);
    expect((await emu.stripe.webhookEndpoints.retrieve(manual.id)).metadata).toEqual({ managed_by: 'alpaca-billing', alpaca_billing_key: 'hooks' });
    expect((await cli(['plan', '--detailed-exitcode'], opts)).code).toBe(0);
    await emu.stripe.webhookEndpoints.del(manual.id);
  });
});

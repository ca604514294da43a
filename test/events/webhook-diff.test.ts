import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import type { PricingConfig } from '../../src/config/model.js';
import { diffWebhooks, keyFromUrl, pullWebhooks } from '../../src/reconcile/resources/webhooks.js';
import type { AccountState, PlanOptions } from '../../src/reconcile/types.js';
import { MemorySink, Output } from '../../src/output/output.js';
import { checkSecretsFile, mergeSecretLines, prepareSecretHandler, secretEnvName, writeSecret } from '../../src/webhooks/secrets.js';

const config = (webhooks: PricingConfig['webhooks']): PricingConfig => ({ version: 1, meters: {}, products: {}, webhooks });

function endpoint(id: string, over: Partial<Stripe.WebhookEndpoint> = {}): Stripe.WebhookEndpoint {
  return { id, object: 'webhook_endpoint', api_version: null, application: null, created: 1, description: null, enabled_events: ['invoice.paid'], livemode: false, metadata: {}, status: 'enabled', url: 'https://example.com/a', ...over };
}

const managed = (key: string) => ({ managed_by: 'alpaca-billing', alpaca_billing_key: key });

function state(endpoints: Stripe.WebhookEndpoint[]): AccountState {
  return { account: { id: 'acct_1', mode: 'test', apiBase: 'http://x' }, objects: { meter: [], product: [], price: [], webhook_endpoint: endpoints }, activeSubscriptions: {} };
}

const diff = (webhooks: PricingConfig['webhooks'], endpoints: Stripe.WebhookEndpoint[], options: PlanOptions = {}) => diffWebhooks({ desired: config(webhooks), state: state(endpoints), options });

describe('webhook endpoint plan', () => {
  const app = { url: 'https://example.com/a', enabled_events: ['invoice.paid', 'customer.subscription.updated'], description: 'billing app' };

  test('a declared endpoint that does not exist is created, tagged as ours, with no secret in the plan', () => {
    const [change] = diff({ app }, []);
    expect(change).toMatchObject({ action: 'create', type: 'webhook_endpoint', key: 'app' });
    expect(change.payload).toEqual({ ...app, metadata: managed('app') });
    expect(JSON.stringify(change)).not.toContain('whsec_');
  });

  test('an endpoint that matches is a noop, whatever the order of its events', () => {
    const existing = endpoint('we_1', { enabled_events: ['customer.subscription.updated', 'invoice.paid'], description: 'billing app', metadata: managed('app') });
    expect(diff({ app }, [existing])).toEqual([expect.objectContaining({ action: 'noop', id: 'we_1', fields: [] })]);
  });

  test('changed events, description, URL and a disabled status are updated in place, only what differs is sent', () => {
    const existing = endpoint('we_1', { url: 'https://old.example.com/a', enabled_events: ['invoice.paid'], description: 'old', status: 'disabled', metadata: managed('app') });
    const [change] = diff({ app }, [existing]);
    expect(change.action).toBe('update');
    expect(change.fields.map((f) => f.field)).toEqual(['url', 'enabled_events', 'description', 'status']);
    expect(change.payload).toEqual({ url: app.url, enabled_events: app.enabled_events, description: 'billing app', disabled: false });
  });

  test('a removed description is unset with an empty string', () => {
    const existing = endpoint('we_1', { enabled_events: app.enabled_events, description: 'billing app', metadata: managed('app') });
    const [change] = diff({ app: { url: app.url, enabled_events: app.enabled_events } }, [existing]);
    expect(change.payload).toEqual({ description: '' });
  });

  test('an endpoint made by hand for the same URL is left alone unless --adopt', () => {
    const manual = endpoint('we_9', { enabled_events: app.enabled_events, description: 'billing app' });
    expect(diff({ app }, [manual])).toEqual([expect.objectContaining({ action: 'noop', unmanaged: true, id: 'we_9' })]);
    const [adopted] = diff({ app }, [manual], { adopt: true });
    expect(adopted).toMatchObject({ action: 'update', adopt: true, payload: { metadata: managed('app') } });
  });

  test('--prune deletes only endpoints alpaca-billing created', () => {
    const ours = endpoint('we_1', { url: 'https://example.com/gone', metadata: managed('gone') });
    const theirs = endpoint('we_2', { url: 'https://example.com/manual' });
    expect(diff({}, [ours, theirs])).toEqual([]);
    const changes = diff({}, [ours, theirs], { prune: true });
    expect(changes).toEqual([expect.objectContaining({ action: 'archive', key: 'gone', id: 'we_1' })]);
    expect(changes[0].notes?.[0]).toContain('deleted');
  });

  test("one key never takes over another key's endpoint through a shared URL", () => {
    const a = endpoint('we_a', { url: 'https://example.com/same', enabled_events: ['invoice.paid'], metadata: managed('a') });
    const changes = diff({ b: { url: 'https://example.com/same', enabled_events: ['invoice.paid'] }, a: { url: 'https://example.com/same', enabled_events: ['invoice.paid'] } }, [a]);
    expect(changes.find((c) => c.key === 'a')).toMatchObject({ action: 'noop', id: 'we_a' });
    expect(changes.find((c) => c.key === 'b')).toMatchObject({ action: 'create' });
  });

  test('the planner never mutates what it was given', () => {
    const existing = endpoint('we_1', { metadata: managed('app') });
    const frozen = JSON.stringify(existing);
    const spec = { app: { ...app } };
    diff(spec, [existing], { prune: true });
    expect(JSON.stringify(existing)).toBe(frozen);
    expect(spec.app).toEqual(app);
  });
});

describe('webhook endpoints in pull', () => {
  test('ours keep their key, others get one from the URL, disabled ones are left out with a note', () => {
    const pulled = pullWebhooks([
      endpoint('we_1', { url: 'https://example.com/a', enabled_events: ['invoice.paid'], description: 'x', metadata: managed('app') }),
      endpoint('we_2', { url: 'https://hooks.example.com:8443/stripe/events' }),
      endpoint('we_3', { url: 'https://example.com/off', status: 'disabled', metadata: managed('off') }),
    ]);
    expect(pulled.webhooks).toEqual({
      app: { url: 'https://example.com/a', events: ['invoice.paid'], description: 'x' },
      hooks_example_com_8443_stripe_events: { url: 'https://hooks.example.com:8443/stripe/events', events: ['invoice.paid'] },
    });
    expect(pulled.unmanaged).toBe(1);
    expect(pulled.skipped).toEqual([expect.stringContaining('we_3')]);
  });

  test('keys from URLs never collide', () => {
    const pulled = pullWebhooks([endpoint('we_1', { url: 'https://a.io/x' }), endpoint('we_2', { url: 'https://a.io/x' })]);
    expect(Object.keys(pulled.webhooks)).toEqual(['a_io_x', 'a_io_x_2']);
    expect(keyFromUrl('not a url')).toBe('not_a_url');
  });
});

describe('secrets file', () => {
  test('variable names come from the pricing.yaml key', () => {
    expect(secretEnvName('app')).toBe('STRIPE_WEBHOOK_SECRET_APP');
    expect(secretEnvName('billing-app.v2')).toBe('STRIPE_WEBHOOK_SECRET_BILLING_APP_V2');
  });

  test('a new secret replaces the old line of the same key and keeps the others', () => {
    const first = mergeSecretLines('', { key: 'app', id: 'we_1', url: 'https://example.com/a', secret: 'whsec_one' });
    const second = mergeSecretLines(first, { key: 'other', id: 'we_2', secret: 'whsec_two' });
    const third = mergeSecretLines(second, { key: 'app', id: 'we_3', url: 'https://example.com/a', secret: 'whsec_three' });
    expect(third.split('\n').filter((l) => l.startsWith('STRIPE_'))).toEqual(['STRIPE_WEBHOOK_SECRET_OTHER=whsec_two', 'STRIPE_WEBHOOK_SECRET_APP=whsec_three']);
    expect(third).not.toContain('whsec_one');
    expect(third).not.toContain('we_1');
  });

  test('is written with mode 0600, even over a file that was world-readable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alpaca-secrets-'));
    const path = join(dir, 'webhooks.env');
    await writeFile(path, '# mine\n', { mode: 0o644 });
    await writeSecret(path, { key: 'app', id: 'we_1', secret: 'whsec_abc' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('# mine\n# app: (we_1)\nSTRIPE_WEBHOOK_SECRET_APP=whsec_abc\n');
  });

  test('a folder that does not exist is refused before anything is created', async () => {
    await expect(checkSecretsFile('/nonexistent-dir-alpaca/secrets.env')).rejects.toThrow(/--secrets-file .*does not exist or is not writable/);
  });
});

describe('where a new secret goes', () => {
  const sinks = (tty: boolean) => {
    const stdout = Object.assign(new MemorySink(), { isTTY: tty });
    const stderr = Object.assign(new MemorySink(), { isTTY: tty });
    return { stdout, stderr };
  };
  const info = { key: 'app', id: 'we_1', url: 'https://example.com/a', secret: 'whsec_shown_once_123' };

  test('on a terminal, without --secrets-file, it is shown once on stdout', async () => {
    const { stdout, stderr } = sinks(true);
    const handle = await prepareSecretHandler(1, { cwd: tmpdir(), out: new Output({ stdout, stderr, env: {} }) });
    await handle(info);
    expect(stdout.text).toBe('webhook endpoint app (we_1) signing secret, shown once: whsec_shown_once_123\n');
    expect(stderr.text).toBe('');
  });

  test('without a terminal, or with --json, it needs --secrets-file before anything is created', async () => {
    const piped = sinks(false);
    await expect(prepareSecretHandler(1, { cwd: tmpdir(), out: new Output({ ...piped, env: {} }) })).rejects.toThrow(/pass --secrets-file <path>/);
    const json = sinks(true);
    await expect(prepareSecretHandler(2, { cwd: tmpdir(), out: new Output({ ...json, env: {}, json: true }) })).rejects.toThrow(/creates 2 webhook endpoints/);
    // Nothing to create: nothing to refuse.
    await expect(prepareSecretHandler(0, { cwd: tmpdir(), out: new Output({ ...piped, env: {} }) })).resolves.toBeInstanceOf(Function);
  });

  test('with --secrets-file it goes only to the file, relative to the working folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alpaca-secrets-'));
    const { stdout, stderr } = sinks(true);
    const handle = await prepareSecretHandler(1, { secretsFile: 'hooks.env', cwd: dir, out: new Output({ stdout, stderr, env: {} }) });
    await handle(info);
    expect(await readFile(join(dir, 'hooks.env'), 'utf8')).toContain('STRIPE_WEBHOOK_SECRET_APP=whsec_shown_once_123');
    expect(stdout.text + stderr.text).not.toContain('whsec_shown_once_123');
    expect(stderr.text).toContain(`written to ${join(dir, 'hooks.env')} as STRIPE_WEBHOOK_SECRET_APP`);
  });
});

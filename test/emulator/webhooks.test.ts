// Webhook endpoints (CRUD) and signed deliveries with retries, checked with the SDK's own
// constructEvent against a real local receiver.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { configureWebhooks } from '../../src/emulator/events/delivery.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

interface Received {
  body: string;
  signature: string;
  at: number;
}

let emu: TestEmulator;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** How many of the next deliveries the receiver answers with a 500. */
let failNext = 0;
const log: string[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function waitFor<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function poll<T>(get: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await get();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out polling');
}

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push({ body, signature: String(req.headers['stripe-signature']), at: Date.now() });
    if (failNext > 0) {
      failNext--;
      res.writeHead(500).end('nope');
    } else res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks?token=abc`;
  emu = await startTestEmulator({ quiet: false, log: (l) => log.push(l) });
  configureWebhooks(emu.core, { retryBaseMs: 20, retryFactor: 2, maxAttempts: 3 });
});
afterAll(async () => {
  await emu.close();
  await new Promise((r) => receiver.close(r));
});
beforeEach(() => {
  received.length = 0;
  failNext = 0;
});

describe('webhook endpoints', () => {
  it('shows the whsec_ secret only on create, and supports retrieve, update, list and delete', async () => {
    const we = await emu.stripe.webhookEndpoints.create({ url: 'https://example.com/a', enabled_events: ['customer.created'], description: 'A' });
    expect(we).toMatchObject({ object: 'webhook_endpoint', url: 'https://example.com/a', enabled_events: ['customer.created'], status: 'enabled', description: 'A', livemode: false });
    expect(we.id).toMatch(/^we_/);
    expect(we.secret).toMatch(/^whsec_/);
    const got = await emu.stripe.webhookEndpoints.retrieve(we.id);
    expect(got).not.toHaveProperty('secret');
    const updated = await emu.stripe.webhookEndpoints.update(we.id, { disabled: true, enabled_events: ['*'], metadata: { team: 'billing' } });
    expect(updated).toMatchObject({ status: 'disabled', enabled_events: ['*'], metadata: { team: 'billing' } });
    expect(updated).not.toHaveProperty('secret');
    const list = await emu.stripe.webhookEndpoints.list();
    expect(list.data.map((e) => e.id)).toContain(we.id);
    expect(list.data.every((e) => e.secret === undefined)).toBe(true);
    expect(await emu.stripe.webhookEndpoints.del(we.id)).toMatchObject({ id: we.id, deleted: true });
    const gone = (await emu.stripe.webhookEndpoints.retrieve(we.id).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(gone).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('refuses a bad url or event type, naming the parameter', async () => {
    const badUrl = (await emu.stripe.webhookEndpoints.create({ url: 'not a url', enabled_events: ['*'] }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(badUrl).toMatchObject({ statusCode: 400, param: 'url' });
    const badType = (await emu.stripe.webhookEndpoints.create({ url: 'https://x.test/', enabled_events: ['Not A Type'] as never }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(badType).toMatchObject({ statusCode: 400, param: 'enabled_events[0]' });
    // Stripe's enum error lists the allowed values, sorted, ending in "or <last>".
    expect(badType.message).toMatch(/^Invalid enabled_events\[0\]: must be one of \*, account\.application\.authorized, .*customer\.subscription\.created, .*, or [a-z_.]+$/);
    const missing = (await emu.stripe.webhookEndpoints.create({ url: 'https://x.test/' } as never).catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(missing).toMatchObject({ code: 'parameter_missing', param: 'enabled_events' });
  });
});

describe('deliveries', () => {
  it('delivers matching events signed so that constructEvent verifies them', async () => {
    const we = await emu.stripe.webhookEndpoints.create({ url: receiverUrl, enabled_events: ['product.*' as Stripe.WebhookEndpointCreateParams.EnabledEvent] });
    try {
      await emu.stripe.billing.meters.create({ display_name: 'not delivered', event_name: 'nd', default_aggregation: { formula: 'sum' } });
      const product = await emu.stripe.products.create({ name: 'Signed' });
      const got = await waitFor(() => received[0], 'a delivery');
      const event = emu.stripe.webhooks.constructEvent(got.body, got.signature, we.secret!);
      expect(event).toMatchObject({ type: 'product.created', data: { object: { id: product.id, name: 'Signed' } } });
      expect(() => emu.stripe.webhooks.constructEvent(got.body, got.signature, 'whsec_wrong')).toThrow(/No signatures found/);
      await new Promise((r) => setTimeout(r, 50));
      expect(received).toHaveLength(1);
      const listed = await poll(() => emu.stripe.events.list({ type: 'product.created', delivery_success: true }), (l) => l.data.length > 0);
      expect(listed.data.map((e) => e.id)).toEqual([event.id]);
    } finally {
      await emu.stripe.webhookEndpoints.del(we.id);
    }
  });

  it('retries failed deliveries with backoff, logging each attempt without the secret or query', async () => {
    const we = await emu.stripe.webhookEndpoints.create({ url: receiverUrl, enabled_events: ['product.created'] });
    try {
      failNext = 2;
      log.length = 0;
      await emu.stripe.products.create({ name: 'Retried' });
      await waitFor(() => (received.length === 3 ? true : undefined), 'three attempts');
      const ids = received.map((r) => (JSON.parse(r.body) as Stripe.Event).id);
      expect(new Set(ids).size).toBe(1);
      const attempts = await waitFor(() => {
        const lines = log.filter((l) => l.startsWith('webhook product.created'));
        return lines.length === 3 ? lines : undefined;
      }, 'three log lines');
      expect(attempts[0]).toMatch(/attempt 1\/3: 500 .*retrying in 20ms/);
      expect(attempts[1]).toMatch(/attempt 2\/3: 500 .*retrying in 40ms/);
      expect(attempts[2]).toMatch(/attempt 3\/3: 200/);
      expect(log.join('\n')).not.toMatch(/whsec_|token=abc/);
      const event = emu.stripe.webhooks.constructEvent(received[2].body, received[2].signature, we.secret!);
      expect(event.type).toBe('product.created');
    } finally {
      await emu.stripe.webhookEndpoints.del(we.id);
    }
  });

  it('gives up after the last attempt and lists the event as not delivered', async () => {
    const we = await emu.stripe.webhookEndpoints.create({ url: receiverUrl, enabled_events: ['product.updated'] });
    try {
      failNext = 3;
      log.length = 0;
      const p = await emu.stripe.products.create({ name: 'Failing' });
      await emu.stripe.products.update(p.id, { name: 'Failing 2' });
      await waitFor(() => (log.some((l) => /giving up/.test(l)) ? true : undefined), 'giving up');
      expect(received).toHaveLength(3);
      const failed = await poll(() => emu.stripe.events.list({ type: 'product.updated', delivery_success: false }), (l) => l.data.length > 0);
      expect(failed.data).toHaveLength(1);
      expect(failed.data[0].pending_webhooks).toBe(0);
    } finally {
      await emu.stripe.webhookEndpoints.del(we.id);
    }
  });

  it('sends nothing to a disabled endpoint', async () => {
    const we = await emu.stripe.webhookEndpoints.create({ url: receiverUrl, enabled_events: ['*'] });
    await emu.stripe.webhookEndpoints.update(we.id, { disabled: true });
    await emu.stripe.products.create({ name: 'Quiet' });
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(0);
    await emu.stripe.webhookEndpoints.del(we.id);
  });
});

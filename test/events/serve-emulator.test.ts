import Stripe from 'stripe';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { startApp, startServe } from './harness.js';

// Real deliveries: the emulator signs and POSTs its events to `webhooks serve`, as Stripe would.
let emu: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
});

afterAll(async () => {
  await emu?.close();
});

/** Endpoints need their receiver's URL and the receiver needs the endpoint's secret: create first, point later. */
async function endpointFor(client: Stripe, events: string[]) {
  const endpoint = await client.webhookEndpoints.create({ url: 'http://127.0.0.1:9/not-yet', enabled_events: events as Stripe.WebhookEndpointCreateParams.EnabledEvent[] });
  return { id: endpoint.id, secret: endpoint.secret! };
}

describe('webhooks serve with emulator deliveries', () => {
  test('verifies and prints signed deliveries, forwards them, and never shows the secret', async () => {
    const { id, secret } = await endpointFor(emu.stripe, ['customer.created', 'customer.updated']);
    const app = await startApp(200);
    const serve = await startServe(['--forward-to', app.url], { STRIPE_WEBHOOK_SECRET: secret });
    try {
      await emu.stripe.webhookEndpoints.update(id, { url: `${serve.url}/stripe` });
      const customer = await emu.stripe.customers.create({ name: 'Delivered' });
      await emu.stripe.customers.update(customer.id, { name: 'Delivered again' });
      await serve.waitFor(({ stdout }) => stdout.includes('customer.updated'), 'both deliveries');
      expect(serve.stdout()).toMatch(new RegExp(`customer\\.created\\s+${customer.id}  ${customer.id}`));
      expect(serve.stdout()).toMatch(new RegExp(`customer\\.updated\\s+${customer.id}  ${customer.id}`));
      expect(serve.stderr()).not.toContain('rejected');

      await serve.waitFor(() => app.received.length === 2, 'both forwards');
      const forwarded = app.received.map((r) => Stripe.webhooks.constructEvent(r.body, String(r.headers['stripe-signature']), secret));
      expect(forwarded.map((e) => e.type).sort()).toEqual(['customer.created', 'customer.updated']);
    } finally {
      await serve.stop();
      await app.close();
      await emu.stripe.webhookEndpoints.del(id);
    }
    const everything = serve.stdout() + serve.stderr();
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice('whsec_'.length));
  });

  test("rejects deliveries signed with another endpoint's secret", async () => {
    const mine = await endpointFor(emu.stripe, ['product.created']);
    const other = await endpointFor(emu.stripe, ['product.created']);
    const serve = await startServe([], { STRIPE_WEBHOOK_SECRET: mine.secret });
    try {
      await emu.stripe.webhookEndpoints.update(mine.id, { url: serve.url });
      await emu.stripe.webhookEndpoints.update(other.id, { url: serve.url });
      const product = await emu.stripe.products.create({ name: 'Signed twice' });
      await serve.waitFor(({ stdout, stderr }) => stdout.includes(product.id) && stderr.includes('rejected'), 'one accepted, one rejected');
      expect(serve.stderr()).toMatch(/rejected POST \/ from \S+: signature does not match/);
      expect(serve.stdout().match(new RegExp(product.id, 'g'))).toHaveLength(1);
    } finally {
      await serve.stop();
      await emu.stripe.webhookEndpoints.del(mine.id);
      await emu.stripe.webhookEndpoints.del(other.id);
    }
  });

  test('rejects deliveries whose signature is older than the tolerance', async () => {
    // An emulator whose clock is ten minutes behind signs every delivery ten minutes in the past.
    const late = await startTestEmulator({ clock: () => Date.now() - 10 * 60_000 });
    const { id, secret } = await endpointFor(late.stripe, ['customer.created']);
    const serve = await startServe(['--tolerance', '300'], { STRIPE_WEBHOOK_SECRET: secret });
    try {
      await late.stripe.webhookEndpoints.update(id, { url: serve.url });
      await late.stripe.customers.create({ name: 'Late' });
      await serve.waitFor(({ stderr }) => stderr.includes('rejected'), 'the rejection');
      expect(serve.stderr()).toMatch(/timestamp older than the 300 s tolerance \(signed 6\d\d s ago\)/);
      expect(serve.stdout()).toBe('');
    } finally {
      await serve.stop();
      await late.close();
    }
  });

  test('a thin metering notification is verified, then fetched in full with the API key', async () => {
    const session = await emu.stripe.v2.billing.meterEventSession.create();
    const stream = new Stripe(session.authentication_token, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 0 });
    await stream.v2.billing.meterEventStream.create({ events: [{ event_name: 'never_declared', identifier: 'thin-1', payload: { stripe_customer_id: 'cus_x', value: '1' } }] });
    const [report] = (await emu.stripe.v2.core.events.list({ types: ['v1.billing.meter.no_meter_found'] })).data;
    expect(report).toBeDefined();

    // What an event destination with `event_payload: thin` would POST.
    const secret = 'whsec_thin_destination_secret';
    const thin = JSON.stringify({ id: report.id, object: 'v2.core.event', type: report.type, created: report.created, livemode: false });
    const serve = await startServe([], { STRIPE_WEBHOOK_SECRET: secret, ...emu.env });
    try {
      const res = await fetch(serve.url, { method: 'POST', body: thin, headers: { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: thin, secret }) } });
      expect(res.status).toBe(200);
      await serve.waitFor(({ stdout }) => stdout.includes('[identifier thin-1]'), 'the fetched report');
      expect(serve.stdout()).toMatch(/v1\.billing\.meter\.no_meter_found\s+- {2}1 dropped meter event\b/);
      expect(serve.stdout()).toContain('    no_meter ×1');
    } finally {
      await serve.stop();
    }
  });
});

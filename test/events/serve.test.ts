import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import Stripe from 'stripe';
import { run } from '../helpers/cli.js';
import { startApp, startServe } from './harness.js';

// Deliveries here are signed with the SDK's own test-header helper: what is under test is our
// receiver's verification, exactly as a Stripe delivery would reach it.
const SECRET = 'whsec_test_serve_0123456789abcdef';
const env = { STRIPE_WEBHOOK_SECRET: SECRET };
const sign = (payload: string, secret = SECRET, timestamp?: number) => Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });

function snapshotEvent(id: string) {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: 1795000000,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.subscription.updated',
    data: { object: { id: 'sub_1', object: 'subscription', customer: 'cus_1', status: 'active' }, previous_attributes: { status: 'incomplete' } },
  });
}

async function post(url: string, body: string, signature?: string) {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('webhooks serve', () => {
  test('accepts a signed delivery and prints it like events tail', async () => {
    const serve = await startServe([], env);
    try {
      const body = snapshotEvent('evt_ok');
      const res = await post(serve.url, body, sign(body));
      expect(res).toEqual({ status: 200, body: { received: true, id: 'evt_ok' } });
      await serve.waitFor(({ stdout }) => stdout.includes('evt_ok'), 'the event line');
      expect(serve.stdout()).toContain('customer.subscription.updated');
      expect(serve.stdout()).toContain('sub_1  cus_1  sub_1  incomplete → active');
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  test('rejects a correctly signed body that is not UTF-8 as such, not as a signature mismatch', async () => {
    const serve = await startServe([], env);
    try {
      const bytes = Buffer.from(snapshotEvent('evt_latin1').replace('cus_1', 'caf\u00e9'), 'latin1');
      const timestamp = Math.floor(Date.now() / 1000);
      // Signed over the raw bytes, as a sender that does not decode them would.
      const v1 = createHmac('sha256', SECRET).update(Buffer.concat([Buffer.from(`${timestamp}.`), bytes])).digest('hex');
      const response = await fetch(serve.url, { method: 'POST', body: bytes, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${timestamp},v1=${v1}` } });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/^body is not valid UTF-8/) });
      expect(serve.stderr()).not.toMatch(/signature does not match/);
    } finally {
      await serve.stop();
    }
  });

  test('rejects tampered bodies, wrong secrets, stale and missing signatures with 400 and a reason, and keeps serving', async () => {
    const serve = await startServe(['--tolerance', '300'], env);
    try {
      const body = snapshotEvent('evt_1');
      const tampered = body.replace('"active"', '"canceled"');
      expect((await post(serve.url, tampered, sign(body))).status).toBe(400);
      expect(serve.stderr()).toMatch(/rejected POST \/ from \S+: signature does not match/);

      expect((await post(serve.url, body, sign(body, 'whsec_someone_elses_secret'))).status).toBe(400);

      const old = await post(serve.url, body, sign(body, SECRET, Math.floor(Date.now() / 1000) - 600));
      expect(old).toEqual({ status: 400, body: { error: expect.stringMatching(/^timestamp older than the 300 s tolerance \(signed 6\d\d s ago\)$/) } });

      expect((await post(serve.url, body)).body).toEqual({ error: 'missing Stripe-Signature header' });
      expect((await post(serve.url, body, 'garbage')).status).toBe(400);
      expect((await fetch(serve.url)).status).toBe(405);

      // Still alive, and nothing rejected was printed as an event.
      const good = snapshotEvent('evt_after');
      expect((await post(serve.url, good, sign(good))).status).toBe(200);
      await serve.waitFor(({ stdout }) => stdout.includes('evt_after'), 'the valid event');
      expect(serve.stdout()).not.toContain('evt_1');
      expect(serve.stdout()).not.toContain('canceled');
    } finally {
      await serve.stop();
    }
    expect(serve.stdout() + serve.stderr()).not.toContain(SECRET);
    expect(serve.stdout() + serve.stderr()).not.toContain(SECRET.slice(6));
  });

  test('clients that hang up mid-body, send garbage or send too much never take it down', async () => {
    const serve = await startServe([], env);
    try {
      const { port } = new URL(serve.url);
      // Announces 1000 bytes, sends 10, hangs up.
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\nstripe-signature: t=1,v1=00\r\n\r\n0123456789');
          setTimeout(() => { socket.destroy(); resolve(); }, 20);
        });
      });
      // Not HTTP at all.
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end('hello there\r\n\r\n'));
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
        socket.resume();
      });
      const big = 'x'.repeat(2 * 1024 * 1024);
      const tooBig = await fetch(serve.url, { method: 'POST', body: big, headers: { 'stripe-signature': sign(big) } }).then((r) => r.status, () => 'reset');
      expect([413, 'reset']).toContain(tooBig);

      const body = snapshotEvent('evt_still_up');
      expect((await post(serve.url, body, sign(body))).status).toBe(200);
      await serve.waitFor(({ stdout }) => stdout.includes('evt_still_up'), 'the event after the abuse');
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  test('--tolerance 0 accepts old signatures, as the SDK does', async () => {
    const serve = await startServe(['--tolerance', '0'], env);
    try {
      const body = snapshotEvent('evt_old');
      expect((await post(serve.url, body, sign(body, SECRET, 1_000_000_000))).status).toBe(200);
    } finally {
      await serve.stop();
    }
  });

  test('forwards the raw body and Stripe headers, reports the status, and answers with it', async () => {
    const app = await startApp(200);
    const failing = await startApp(500);
    const serve = await startServe(['--forward-to', app.url], env);
    const serveFailing = await startServe(['--forward-to', failing.url], env);
    try {
      const body = snapshotEvent('evt_fwd').replace('{', '{ ');
      const signature = sign(body);
      expect((await post(serve.url, body, signature)).status).toBe(200);
      expect(app.received).toHaveLength(1);
      expect(app.received[0].body.toString('utf8')).toBe(body);
      expect(app.received[0].headers['stripe-signature']).toBe(signature);
      expect(app.received[0].headers['content-type']).toBe('application/json');
      // The application can verify the forwarded delivery with the same secret.
      expect(Stripe.webhooks.constructEvent(app.received[0].body, String(app.received[0].headers['stripe-signature']), SECRET).id).toBe('evt_fwd');
      expect(serve.stderr()).toMatch(new RegExp(`forwarded to ${app.url.replace(/[/.]/g, '\\$&')}: 200 \\(\\d+ ms\\)`));

      const res = await post(serveFailing.url, body, signature);
      expect(res.status).toBe(500);
      expect(serveFailing.stderr()).toMatch(/warning: forwarded to \S+: 500/);

      // Rejected deliveries are never forwarded.
      await post(serve.url, body, sign(body, 'whsec_wrong'));
      expect(app.received).toHaveLength(1);
    } finally {
      await serve.stop();
      await serveFailing.stop();
      await app.close();
      await failing.close();
    }
  });

  test('an unreachable application gives Stripe a 502 and a warning', async () => {
    const app = await startApp();
    const url = app.url;
    await app.close();
    const serve = await startServe(['--forward-to', url], env);
    try {
      const body = snapshotEvent('evt_down');
      expect((await post(serve.url, body, sign(body))).status).toBe(502);
      expect(serve.stderr()).toMatch(/warning: forwarding to \S+ failed: ECONNREFUSED/);
    } finally {
      await serve.stop();
    }
  });

  test('verifies thin (v2) notifications too', async () => {
    const serve = await startServe(['--json'], env);
    try {
      const body = JSON.stringify({ id: 'evt_thin_1', object: 'v2.core.event', type: 'v1.billing.meter.no_meter_found', created: '2026-11-18T11:06:40.000Z', livemode: false });
      expect((await post(serve.url, body, sign(body))).status).toBe(200);
      expect((await post(serve.url, body, sign(body, 'whsec_wrong'))).status).toBe(400);
      await serve.waitFor(({ stdout }) => stdout.includes('evt_thin_1'), 'the notification');
      expect(JSON.parse(serve.stdout().trim())).toMatchObject({ id: 'evt_thin_1', type: 'v1.billing.meter.no_meter_found' });
    } finally {
      await serve.stop();
    }
  });

  test('--json prints one verified event per line and nothing else on stdout', async () => {
    const serve = await startServe(['--json'], env);
    try {
      for (const id of ['evt_j1', 'evt_j2']) {
        const body = snapshotEvent(id);
        await post(serve.url, body, sign(body));
      }
      await post(serve.url, 'not json', sign('other'));
      await serve.waitFor(({ stdout }) => stdout.includes('evt_j2'), 'both events');
      expect(serve.stdout().trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['evt_j1', 'evt_j2']);
    } finally {
      await serve.stop();
    }
  });

  test('without a secret it refuses to start (exit 3) and says where the secret comes from', async () => {
    const res = await run(['webhooks', 'serve', '--port', '0'], { env: {} });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('No webhook signing secret: set STRIPE_WEBHOOK_SECRET');
  });

  test('a bad --forward-to is refused before listening', async () => {
    const res = await run(['webhooks', 'serve', '--port', '0', '--forward-to', 'localhost:3000'], { env });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('--forward-to');
  });
});

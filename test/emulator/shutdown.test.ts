/**
 * SIGTERM ends the built `alpaca-billing emulator` cleanly whatever it is in the middle of: idle
 * keep-alive connections, requests whose body never finishes, meter event stream sessions, webhook
 * deliveries hanging on a receiver that never answers and retries waiting for a dead one. It exits
 * by itself (code 0, not the CLI's forced exit after its SIGTERM grace period) with --state saved.
 */
import { createServer, request, Agent, type Server } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { sdkFor, startBin } from '../helpers/emulator-bin.js';

let dir: string;
let silent: Server;
let silentUrl: string;
let fast: Server;
let fastUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-shutdown-'));
  // A webhook receiver that takes the request and never answers.
  silent = createServer(() => undefined);
  await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
  // One that answers at once and asks to keep the connection for ten minutes.
  fast = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Keep-Alive': 'timeout=600' }).end('ok');
  });
  fast.keepAliveTimeout = 600_000;
  await new Promise<void>((res) => fast.listen(0, '127.0.0.1', res));
  fastUrl = `http://127.0.0.1:${(fast.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  for (const server of [silent, fast]) {
    server.closeAllConnections();
    await new Promise((res) => server.close(res));
  }
  await rm(dir, { recursive: true, force: true });
});

/** A GET on a keep-alive agent; the socket stays open (idle) after the answer. */
function keepAliveGet(url: string, agent: Agent): Promise<number> {
  return new Promise((res, rej) => {
    const req = request(`${url}/v1/customers?limit=1`, { agent, headers: { Authorization: 'Bearer sk_test_shutdown' } }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', rej);
    req.end();
  });
}

/** A POST that announces a body and sends only part of it: a request the emulator is still reading. */
function stalledPost(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((res, rej) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST /v1/customers HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer sk_test_shutdown\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=half`);
      res();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => socket.destroy());
    void rej;
  });
}

/** A connection that never sends a byte. */
function silentSocket(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((res) => {
    const socket = connect(Number(port), hostname, () => res());
    socket.on('error', () => undefined);
  });
}

describe('SIGTERM after a busy history', () => {
  it('exits by itself with code 0 and saves --state', async () => {
    const state = join(dir, 'state.json');
    const emu = await startBin(['--state', state], dir);
    const stripe = sdkFor(emu.url, 'sk_test_shutdown');
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    try {
      await stripe.webhookEndpoints.create({ url: silentUrl, enabled_events: ['*'] });
      await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/dead', enabled_events: ['customer.created'] });
      await stripe.webhookEndpoints.create({ url: fastUrl, enabled_events: ['*'] });
      const customers = await Promise.all(Array.from({ length: 20 }, (_, i) => stripe.customers.create({ name: `Busy ${i}` })));

      await Promise.all(Array.from({ length: 40 }, () => keepAliveGet(emu.url, agent)));
      await Promise.all(Array.from({ length: 5 }, () => stalledPost(emu.url)));
      await Promise.all(Array.from({ length: 5 }, () => silentSocket(emu.url)));

      const session = await stripe.v2.billing.meterEventSession.create();
      const streamer = sdkFor(emu.url, session.authentication_token);
      await stripe.billing.meters.create({ display_name: 'Calls', event_name: 'calls', default_aggregation: { formula: 'sum' } });
      const events = customers.map((c, i) => ({ event_name: 'calls', payload: { stripe_customer_id: c.id, value: '1' }, identifier: `busy-${i}` }));
      await streamer.v2.billing.meterEventStream.create({ events });

      // A test clock still advancing when the signal comes (close finishes it first).
      const T0 = Date.UTC(2026, 0, 15, 12) / 1000;
      const clock = await stripe.testHelpers.testClocks.create({ frozen_time: T0 });
      const product = await stripe.products.create({ name: 'Daily' });
      const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100, recurring: { interval: 'day' } });
      const onClock = await stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
      await stripe.subscriptions.create({ customer: onClock.id, items: [{ price: price.id }] });
      await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 2 * 86_400 });

      emu.child.kill('SIGTERM');
      expect(await emu.exit).toBe(0);
      expect(emu.stderr()).not.toMatch(/ended by SIGTERM/);
      // Requests cut off by the shutdown are the clients' loss, not an internal error of ours.
      expect(emu.stderr()).not.toMatch(/internal error/i);
      expect(emu.stderr()).toMatch(/POST \/v1\/customers closed by the client before its body arrived/);
      expect(emu.stderr()).toMatch(/emulator stopped; state saved/);
      const saved = await readFile(state, 'utf8');
      for (const c of customers) expect(saved).toContain(c.id);
    } finally {
      agent.destroy();
      if (emu.child.exitCode === null) emu.child.kill('SIGKILL');
    }
  }, 60_000);
});

import { connect } from 'node:net';
import Stripe from 'stripe';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: Stripe.errors.StripeError) => `${e.type}:${e.statusCode ?? '-'}`);

describe('--rate-limit', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ rateLimit: 3 });
  });
  afterAll(() => emu.close());

  it('answers requests beyond the limit with 429 rate_limit (StripeRateLimitError)', async () => {
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => emu.stripe.products.list()));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Stripe.errors.StripeError);
    // A bucket of 3 tokens refilled at 3/s: the burst gets 3 through, and a few more only if it takes over 300 ms.
    expect(refused.length).toBeGreaterThanOrEqual(24);
    expect(refused[0]).toBeInstanceOf(emu.stripe.errors.StripeRateLimitError);
    expect(refused[0]).toMatchObject({ statusCode: 429, code: 'rate_limit' });
  });
});

describe('--fault-rate', () => {
  it('answers with 500, 503 and dropped connections, repeatably for a seed', async () => {
    // Plain fetch: no SDK retry hides a dropped connection.
    const run = async () => {
      const emu = await startTestEmulator({ faultRate: 1, seed: 7 });
      try {
        const seen: string[] = [];
        for (let i = 0; i < 16; i++) {
          const res = await fetch(`${emu.url}/v1/products?limit=1`, { headers: { Authorization: `Bearer ${emu.env.STRIPE_API_KEY}` } }).catch(() => undefined);
          seen.push(res ? `${res.status} ${((await res.json()) as { error?: { type: string } }).error?.type}` : 'dropped');
        }
        return seen;
      } finally {
        await emu.close();
      }
    };
    const first = await run();
    expect(new Set(first)).toEqual(new Set(['500 api_error', '503 api_error', 'dropped']));
    expect(await run()).toEqual(first);
  });

  it('drops a connection with a reset, which a client sees at once (not after its timeout)', async () => {
    const emu = await startTestEmulator({ faultRate: 1, seed: 7 });
    try {
      // A raw HTTP/1.1 client on a fresh connection per request: a reset fails the request at once;
      // a graceful close leaves the client to guess whether an answer is still coming.
      const send = () =>
        new Promise<string>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port: emu.port, allowHalfOpen: true }, () => {
            socket.write(`GET /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${emu.env.STRIPE_API_KEY}\r\n\r\n`);
          });
          let data = '';
          socket.on('data', (c: Buffer) => {
            data += c.toString();
            if (data.includes('\r\n\r\n')) {
              socket.destroy();
              resolve(data.split(' ')[1]);
            }
          });
          socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
          socket.on('end', () => resolve(data ? data.split(' ')[1] : 'closed without an answer'));
        });
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) seen.add(await send());
      expect(seen).toEqual(new Set(['500', '503', 'ECONNRESET']));

      // The SDK with a long timeout: each dropped call is a connection error, never a timeout.
      const sdk = new Stripe(emu.env.STRIPE_API_KEY, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 0, timeout: 120_000, telemetry: false });
      const errors: Stripe.errors.StripeError[] = [];
      for (let i = 0; i < 12; i++) await sdk.products.list().catch((e: Stripe.errors.StripeError) => errors.push(e));
      const dropped = errors.filter((e) => e.type === 'StripeConnectionError');
      expect(dropped.length).toBeGreaterThan(0);
      expect(errors.map((e) => e.type)).toEqual(expect.arrayContaining(['StripeAPIError', 'StripeConnectionError']));
      for (const e of dropped) expect(`${e.message} ${e.detail instanceof Error ? e.detail.message : String(e.detail ?? '')}`).not.toMatch(/timeout|timed out/i);
    } finally {
      await emu.close();
    }
  });

  it('raises StripeAPIError for an injected 500 or 503', async () => {
    const emu = await startTestEmulator({ faultRate: 1, seed: 7 });
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 6 && seen.size < 2; i++) {
        const o = await outcome(emu.stripe.products.list());
        if (o !== 'StripeConnectionError:-') seen.add(o);
      }
      expect(seen).toEqual(new Set(['StripeAPIError:500', 'StripeAPIError:503']));
    } finally {
      await emu.close();
    }
  });

  it('sometimes commits the write before dropping the connection', async () => {
    const emu = await startTestEmulator({ faultRate: 1, seed: 11 });
    try {
      for (let i = 0; i < 8; i++) await outcome(emu.stripe.products.create({ name: `Lost ${i}` }));
      // Every call failed for the client, yet some products exist: the answer was lost after the write.
      expect(emu.core.collection('products').size).toBeGreaterThan(0);
    } finally {
      await emu.close();
    }
  });

  it('converges with SDK retries, and idempotency prevents duplicates', async () => {
    const emu = await startTestEmulator({ faultRate: 0.3, seed: 3 });
    try {
      const client = emu.client({ maxNetworkRetries: 10 });
      const created: string[] = [];
      for (let i = 0; i < 30; i++) created.push((await client.products.create({ name: `Retry ${i}` })).id);
      const stored = emu.core.collection<{ id: string; name: string }>('products').all();
      expect(stored).toHaveLength(30);
      expect(stored.map((p) => p.id).sort()).toEqual([...created].sort());
    } finally {
      await emu.close();
    }
  }, 60_000);
});

describe('--latency', () => {
  it('holds an idempotency key in flight while the request runs: a concurrent retry gets a 409', async () => {
    const emu = await startTestEmulator({ latencyMs: 300 });
    try {
      const [a, b] = await Promise.allSettled([
        emu.stripe.products.create({ name: 'Slow' }, { idempotencyKey: 'slow-key' }),
        emu.stripe.products.create({ name: 'Slow' }, { idempotencyKey: 'slow-key' }),
      ]);
      const rejected = [a, b].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use' });
      expect(emu.core.collection('products').size).toBe(1);
      // Once the first finished, the same key replays its answer.
      const replay = await emu.stripe.products.create({ name: 'Slow' }, { idempotencyKey: 'slow-key' });
      expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    } finally {
      await emu.close();
    }
  });
});

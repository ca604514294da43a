// The stream sender's own request path (a pre-built JSON body over a keep-alive pool, not the SDK's
// request path): the body must say exactly what the SDK would have sent, and Stripe's refusals must
// come back as the SDK's own error classes, which retries and session renewal depend on.
import Stripe from 'stripe';
import type { UsageEvent } from '../../../src/usage/event.js';
import { RateLimiter } from '../../../src/stripe/rate-limiter.js';
import { classifyError, StreamSender } from '../../../src/usage/stream-sender.js';
import { meterEventStreamPoster } from '../../../src/stripe/meter-event-stream.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator.js';

const clock = { ms: Date.UTC(2026, 10, 20, 12, 0, 0) };
let emu: TestEmulator;
let customer: string;
beforeAll(async () => {
  emu = await startTestEmulator({ clock: () => clock.ms, sessionTtlSeconds: 60 });
  customer = (await emu.stripe.customers.create({ email: 'sender@example.com' })).id;
  await emu.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
});
afterAll(() => emu.close());

const event = (over: Partial<UsageEvent>): UsageEvent => ({
  line: 1, eventName: 'tokens', customer: 'cus_1', value: '5', timestamp: 1_764_000_000, identifier: 'id-1', derived: false, keyHi: 0, keyLo: 0, check: 0, ...over,
});

describe('StreamSender.bodyOf', () => {
  it('is the JSON of the events the SDK would send, whatever the strings hold', () => {
    const sender = new StreamSender({
      stripe: emu.stripe,
      limiter: new RateLimiter(0),
      meterFor: (name) => (name === 'custom' ? { customerKey: 'who "quoted"', valueKey: 'n\\v' } as never : undefined),
    });
    const events = [
      event({}),
      event({ eventName: 'custom', customer: 'a "tricky"\n\u2028 one', identifier: 'x\ty', value: '-12', timestamp: 0 }),
      event({ identifier: 'alp2_00000000000000000000000000', timestamp: 1_764_000_001 }),
    ];
    expect(JSON.parse(sender.bodyOf(events))).toEqual({ events: events.map((e) => sender.payloadOf(e)) });
    sender.close();
  });
});

describe('meterEventStreamPoster', () => {
  const body = (value: string) => JSON.stringify({ events: [{ event_name: 'tokens', payload: { stripe_customer_id: customer, value } }] });

  it('posts with a session token, and turns refusals into the SDK errors that retries rely on', async () => {
    const poster = meterEventStreamPoster(emu.stripe, 2);
    try {
      const session = await emu.stripe.v2.billing.meterEventSession.create();
      await expect(poster.post(body('1'), session.authentication_token)).resolves.toBeUndefined();
      const badRequest = await poster.post('{"events":[{"payload":{}}]}', session.authentication_token).catch((e: unknown) => e);
      expect(badRequest).toBeInstanceOf(Stripe.errors.StripeError);
      expect(badRequest).toMatchObject({ statusCode: 400 });
      expect(classifyError(badRequest)).toBe('fatal');
      const secretKey = await poster.post(body('1'), 'sk_test_123').catch((e: unknown) => e);
      expect(secretKey).toMatchObject({ type: 'StripeAuthenticationError' });
      clock.ms += 61_000;
      const expired = await poster.post(body('1'), session.authentication_token).catch((e: unknown) => e);
      expect(expired).toBeInstanceOf(Stripe.errors.TemporarySessionExpiredError);
      expect(classifyError(expired)).toBe('expired');
    } finally {
      poster.close();
    }
  });

  it('reports a server that is gone as a connection error, to be retried', async () => {
    const gone = await startTestEmulator({});
    const client = gone.client({ maxNetworkRetries: 0 });
    await gone.close();
    const poster = meterEventStreamPoster(client, 1);
    const err = await poster.post(body('1'), 'ek_test_x').catch((e: unknown) => e);
    poster.close();
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(classifyError(err)).toBe('retry');
  });
});

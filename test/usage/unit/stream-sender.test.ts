// The stream sender's own request path (a pre-built JSON body over a keep-alive pool, not the SDK's
// request path): the body must say exactly what the SDK would have sent, and Stripe's refusals must
// come back as the SDK's own error classes, which retries and session renewal depend on.
import Stripe from 'stripe';
import type { UsageEvent } from '../../../src/usage/event.js';
import { RateLimiter } from '../../../src/stripe/rate-limiter.js';
import { classifyError, StreamSender } from '../../../src/usage/stream-sender.js';
import fc from 'fast-check';
import { asciiJson, meterEventStreamPoster } from '../../../src/stripe/meter-event-stream.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { totalFor } from '../helpers/fixtures.js';

const clock = { ms: Date.UTC(2026, 10, 20, 12, 0, 0) };
let emu: TestEmulator;
let customer: string;
let meterId: string;
beforeAll(async () => {
  emu = await startTestEmulator({ clock: () => clock.ms, sessionTtlSeconds: 60 });
  customer = (await emu.stripe.customers.create({ email: 'sender@example.com' })).id;
  meterId = (await emu.stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } })).id;
});
afterAll(() => emu.close());

const event = (over: Partial<UsageEvent>): UsageEvent => ({
  line: 1, eventName: 'tokens', customer: 'cus_1', value: '5', timestamp: 1_764_000_000, identifier: 'id-1', derived: false, keyHi: 0, keyLo: 0, check: 0, ...over,
});

describe('StreamSender.bodyOf', () => {
  /** Two meters: Stripe's default payload keys, and 'custom' with keys that need escaping. */
  const senderWithMeters = () => new StreamSender({
    stripe: emu.stripe,
    limiter: new RateLimiter(0),
    meterFor: (name) => (name === 'custom' ? { customerKey: 'who "quoted" ü', valueKey: 'n\\v' } as never : undefined),
  });

  it('is the JSON of the events the SDK would send, whatever the strings hold', () => {
    const sender = senderWithMeters();
    const events = [
      event({}),
      event({ eventName: 'custom', customer: 'a "tricky"\n\u2028 one', identifier: 'x\ty', value: '-12', timestamp: 0 }),
      event({ identifier: 'alp2_00000000000000000000000000', timestamp: 1_764_000_001 }),
      // Non-ASCII, written as \u escapes: the body is sent one byte a character.
      event({ eventName: 'tökens', customer: 'cüstomer 🦙', identifier: 'ïd \ud800 🦙', derived: false }),
      // The same timestamp and customer again, on another meter: their cached parts are the meter's own.
      event({ eventName: 'custom', timestamp: 1_764_000_001, identifier: 'alp2_11111111111111111111111111', derived: true }),
      event({ timestamp: 1_764_000_001, customer: 'cüstomer 🦙', identifier: 'id-2' }),
    ];
    const body = sender.bodyOf(events);
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(body)).toEqual({ events: events.map((e) => sender.payloadOf(e)) });
    expect(JSON.parse(sender.bodyOf([]))).toEqual({ events: [] });
    sender.close();
  });

  it('is that JSON for any batch (property: strings of any code point, meters mixed, parts reused across batches)', () => {
    const sender = senderWithMeters();
    const text = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\ud800', '"', '\\', '\u2028')), { maxLength: 3 }).map((a) => a.join(''));
    const anEvent = fc.record({
      eventName: fc.oneof(fc.constantFrom('tokens', 'custom'), text),
      customer: fc.oneof(fc.constantFrom('cus_1', 'cus_2'), text),
      value: fc.oneof(fc.constant('0'), fc.integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 }).map(String)),
      timestamp: fc.constantFrom(0, 1_764_000_000, 4_000_000_000),
      derived: fc.boolean(),
      hex: fc.stringMatching(/^[0-9a-f]{24}$/),
      identifier: text,
    }).map(({ hex, identifier, derived, ...rest }) => event({ ...rest, derived, identifier: derived ? `alp2_${hex}` : identifier }));
    fc.assert(fc.property(fc.array(anEvent, { maxLength: 100 }), (events) => {
      const body = sender.bodyOf(events);
      expect(body).toMatch(/^[\x20-\x7f]*$/);
      expect(JSON.parse(body)).toEqual({ events: events.map((e) => sender.payloadOf(e)) });
    }));
    sender.close();
  });
});

describe('asciiJson', () => {
  it('is JSON.stringify in ASCII: the same value read back, whatever the string holds', () => {
    // Any code point, and lone surrogates (which JSON.stringify escapes itself).
    const text = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\ud800', '\udfff', '\u0080', '\uffff'))).map((a) => a.join(''));
    fc.assert(fc.property(text, (s) => {
      const json = asciiJson(s);
      expect(json).toMatch(/^[\x20-\x7f]*$/); // JSON escapes control characters; DEL is ASCII
      expect(JSON.parse(json)).toBe(s);
    }));
    expect(asciiJson({ a: 'é' })).toBe('{"a":"\\u00e9"}');
  });
});

describe('meterEventStreamPoster', () => {
  const body = (value: string, identifier?: string) => asciiJson({ events: [{ event_name: 'tokens', identifier, payload: { stripe_customer_id: customer, value } }] });

  it('posts with a session token, and turns refusals into the SDK errors that retries rely on', async () => {
    const poster = meterEventStreamPoster(emu.stripe, 2);
    try {
      const session = await emu.stripe.v2.billing.meterEventSession.create();
      await expect(poster.post(body('1'), session.authentication_token)).resolves.toBeUndefined();
      const badRequest = await poster.post(asciiJson({ events: [{ payload: {} }] }), session.authentication_token).catch((e: unknown) => e);
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

  it('sends non-ASCII identifiers as Stripe reads them: the same identifier given through the SDK is a duplicate', async () => {
    const identifier = `ünïcødé 🦙 ${clock.ms}`;
    const timestamp = Math.floor(clock.ms / 1000) - 60;
    const before = await totalFor(emu.stripe, meterId, customer, timestamp);
    await emu.stripe.billing.meterEvents.create({ event_name: 'tokens', identifier, timestamp, payload: { stripe_customer_id: customer, value: '3' } });
    const poster = meterEventStreamPoster(emu.stripe, 1);
    try {
      const session = await emu.stripe.v2.billing.meterEventSession.create();
      await poster.post(body('5', identifier), session.authentication_token);
      await poster.post(body('7', `${identifier}!`), session.authentication_token);
    } finally {
      poster.close();
    }
    // 3 from the SDK, 7 from the other identifier; the 5 repeats the SDK's identifier and is dropped.
    expect(await totalFor(emu.stripe, meterId, customer, timestamp) - before).toBe(10);
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

// Conformance of the emulator's errors with Stripe's: the shape the SDK exposes (type, code, param,
// message, doc_url, request_log_url) and Stripe's messages for the common mistakes.
import type Stripe from 'stripe';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());

describe("errors in Stripe's shape", () => {
  const cases: Array<{ name: string; call: () => Promise<unknown>; status: number; code: string; param: string; message: string }> = [
    { name: 'missing required param', call: () => emu.stripe.products.create({} as Stripe.ProductCreateParams), status: 400, code: 'parameter_missing', param: 'name', message: 'Missing required param: name.' },
    { name: 'unknown param', call: () => emu.stripe.customers.create({ colour: 'red' } as Stripe.CustomerCreateParams), status: 400, code: 'parameter_unknown', param: 'colour', message: 'Received unknown parameter: colour' },
    { name: 'no such object', call: () => emu.stripe.customers.retrieve('cus_missing'), status: 404, code: 'resource_missing', param: 'id', message: "No such customer: 'cus_missing'" },
    { name: 'invalid integer', call: () => emu.stripe.customers.list({ limit: 'abc' as unknown as number }), status: 400, code: 'parameter_invalid_integer', param: 'limit', message: 'Invalid integer: abc' },
  ];

  it.each(cases)('$name: status, code, param, message, doc_url and request_log_url', async ({ call, status, code, param, message }) => {
    const err = await fail(call());
    expect(err).toMatchObject({ statusCode: status, rawType: 'invalid_request_error', code, param, message });
    expect(err.doc_url).toBe(`https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`);
    expect((err.raw as { request_log_url?: string }).request_log_url).toMatch(new RegExp(`^https://dashboard\\.stripe\\.com/test/logs/${err.requestId}\\?t=\\d+$`));
  });

  it('has no doc_url on an error without a code, but still a request_log_url', async () => {
    const err = await fail(emu.stripe.products.create({ name: 'x', active: 'maybe' as unknown as boolean }));
    expect(err).toMatchObject({ statusCode: 400, param: 'active', message: 'Invalid boolean: maybe' });
    expect(err.doc_url).toBeUndefined();
    expect((err.raw as { request_log_url?: string }).request_log_url).toContain(err.requestId);
  });

  it("words an invalid enum value as Stripe does: 'must be one of a, b, or c', sorted", async () => {
    const product = await emu.stripe.products.create({ name: 'Enum' });
    const err = await fail(emu.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1, recurring: { interval: 'fortnight' as 'day' } }));
    expect(err).toMatchObject({ param: 'recurring[interval]', message: 'Invalid recurring[interval]: must be one of day, month, week, or year' });
  });

  it('names a missing object a parameter points at (400 on that parameter)', async () => {
    const err = await fail(emu.stripe.subscriptions.create({ customer: 'cus_nobody', items: [{ price: 'price_x' }] }));
    expect(err).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_nobody'" });
    expect(err.doc_url).toBe('https://stripe.com/docs/error-codes/resource-missing');
  });
});

describe('idempotency misuse', () => {
  it('the same key with other parameters: StripeIdempotencyError with Stripe’s message', async () => {
    await emu.stripe.customers.create({ name: 'A' }, { idempotencyKey: 'errors-params' });
    const err = await fail(emu.stripe.customers.create({ name: 'B' }, { idempotencyKey: 'errors-params' }));
    expect(err).toBeInstanceOf(emu.stripe.errors.StripeIdempotencyError);
    expect(err.message).toBe("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'errors-params' if you meant to execute a different request.");
  });

  it('the same key on another endpoint: Stripe’s endpoint message naming both paths', async () => {
    await emu.stripe.customers.create({ name: 'A' }, { idempotencyKey: 'errors-endpoint' });
    const err = await fail(emu.stripe.products.create({ name: 'A' }, { idempotencyKey: 'errors-endpoint' }));
    expect(err).toBeInstanceOf(emu.stripe.errors.StripeIdempotencyError);
    expect(err).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
    expect(err.message).toBe("Keys for idempotent requests can only be used for the same endpoint they were first used for ('/v1/products' vs '/v1/customers'). Try using a key other than 'errors-endpoint' if you meant to execute a different request.");
  });
});

describe('v2 errors', () => {
  it('keep their own shape, without the v1 links', async () => {
    const res = await fetch(`${emu.url}/v2/billing/meter_events`, { method: 'POST', headers: { Authorization: 'Bearer sk_test_errors', 'Content-Type': 'application/json' }, body: JSON.stringify({ payload: {} }) });
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(res.status).toBe(400);
    expect(body.error.code).toBeDefined();
    expect(body.error).not.toHaveProperty('doc_url');
    expect(body.error).not.toHaveProperty('request_log_url');
  });
});

describe('errors outside a request’s account', () => {
  it('a 401 carries no request_log_url (no account to log it under)', async () => {
    const res = await fetch(`${emu.url}/v1/customers`);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(res.status).toBe(401);
    expect(body.error.request_log_url).toBeUndefined();
  });
});

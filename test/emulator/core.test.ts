import type Stripe from 'stripe';
import { EMULATOR_ACCOUNT_ID } from '../../src/emulator/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());

describe('emulator core with the real SDK', () => {
  it('serves the fixed test account', async () => {
    const account = await emu.stripe.accounts.retrieveCurrent();
    expect(account.id).toBe(EMULATOR_ACCOUNT_ID);
    expect(account.object).toBe('account');
    expect(account.lastResponse.requestId).toMatch(/^req_/);
  });

  it('answers an unknown URL with a 404 invalid_request_error', async () => {
    const err = await emu.stripe.rawRequest('GET', '/v1/nothing_here').catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404 });
    expect((err as Error).message).toContain('/v1/nothing_here');
  });

  it('refuses a live key with a clear 401', async () => {
    const live = emu.client({ apiKey: 'sk_live_' + 'abcdefghijklmnop' });
    const err = (await live.accounts.retrieveCurrent().catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err.type).toBe('StripeAuthenticationError');
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/live-mode keys/);
    expect(err.message).not.toContain('sk_live_' + 'abcdefghijklmnop');
  });

  it('refuses a key that is not a Stripe test key', async () => {
    const err = (await emu.client({ apiKey: 'not_a_key' }).accounts.retrieveCurrent().catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err.type).toBe('StripeAuthenticationError');
  });

  it('accepts only the --api-key key when one is set', async () => {
    const pinned = await startTestEmulator({ apiKey: 'sk_test_only_this_one' });
    try {
      await expect(pinned.stripe.accounts.retrieveCurrent()).resolves.toMatchObject({ id: EMULATOR_ACCOUNT_ID });
      const other = pinned.client({ apiKey: 'sk_test_another_key' });
      await expect(other.accounts.retrieveCurrent()).rejects.toMatchObject({ type: 'StripeAuthenticationError' });
    } finally {
      await pinned.close();
    }
  });
});

describe('list paging (property)', () => {
  it('visits every object exactly once, newest first, for any page size', async () => {
    const fc = (await import('fast-check')).default;
    const { listResponse } = await import('../../src/emulator/http/list.js');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 250 }), fc.integer({ min: 1, max: 100 }), (count, limit) => {
        const items = Array.from({ length: count }, (_, i) => ({ id: `obj_${i}` }));
        const seen: string[] = [];
        let page = listResponse(items, { limit: String(limit) }, '/v1/x');
        seen.push(...page.data.map((x) => x.id));
        while (page.has_more) {
          page = listResponse(items, { limit: String(limit), starting_after: page.data[page.data.length - 1].id }, '/v1/x');
          seen.push(...page.data.map((x) => x.id));
        }
        expect(seen).toEqual(items.map((x) => x.id).reverse());
      }),
      { numRuns: 60 },
    );
  });
});

describe('router', () => {
  it('prefers literal segments over parameters, whatever the registration order', async () => {
    const { Router } = await import('../../src/emulator/http/router.js');
    const handler = () => null;
    const router = new Router([
      { method: 'GET', path: '/v1/prices/:id', handler },
      { method: 'GET', path: '/v1/prices/search', handler },
      { method: 'POST', path: '/v1/billing/meters/:id/deactivate', handler },
    ]);
    expect(router.match('GET', '/v1/prices/search')?.route.path).toBe('/v1/prices/search');
    expect(router.match('GET', '/v1/prices/price_1')).toMatchObject({ route: { path: '/v1/prices/:id' }, params: { id: 'price_1' } });
    expect(router.match('POST', '/v1/billing/meters/mtr_1/deactivate')?.params).toEqual({ id: 'mtr_1' });
    expect(router.match('GET', '/v1/prices/')).toBeUndefined();
    expect(router.match('DELETE', '/v1/prices/price_1')).toBeUndefined();
  });
});

describe('odd requests', () => {
  it('answers a malformed path escape with a JSON 404, not a crash', async () => {
    const res = await fetch(`${emu.url}/v1/products/%zz`, { headers: { Authorization: `Bearer ${emu.env.STRIPE_API_KEY}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('resource_missing');
  });
});

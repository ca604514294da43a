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
    const live = emu.client({ apiKey: 'sk_live_abcdefghijklmnop' });
    const err = (await live.accounts.retrieveCurrent().catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(err.type).toBe('StripeAuthenticationError');
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/live-mode keys/);
    expect(err.message).not.toContain('sk_live_abcdefghijklmnop');
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

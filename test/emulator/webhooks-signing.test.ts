// Our signatures must verify with the SDK's own check, exactly as Stripe's do.
import Stripe from 'stripe';
import { newWebhookSecret, signPayload } from '../../src/emulator/events/signing.js';

const stripe = new Stripe('sk_test_signing', { telemetry: false });

describe('webhook signing', () => {
  const secret = newWebhookSecret();
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1' } } });

  it('verifies with constructEvent and matches generateTestHeaderString', () => {
    const t = Math.floor(Date.now() / 1000);
    const header = signPayload(payload, secret, t);
    expect(stripe.webhooks.constructEvent(payload, header, secret).id).toBe('evt_1');
    expect(header).toBe(stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t }));
  });

  it('fails with a different secret, a changed body or an old timestamp', () => {
    const t = Math.floor(Date.now() / 1000);
    expect(() => stripe.webhooks.constructEvent(payload, signPayload(payload, secret, t), newWebhookSecret())).toThrow(/No signatures found/);
    expect(() => stripe.webhooks.constructEvent(payload + ' ', signPayload(payload, secret, t), secret)).toThrow(/No signatures found/);
    expect(() => stripe.webhooks.constructEvent(payload, signPayload(payload, secret, t - 301), secret)).toThrow(/tolerance/);
  });

  it('makes distinct whsec_ secrets', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    expect(newWebhookSecret()).not.toBe(secret);
  });
});

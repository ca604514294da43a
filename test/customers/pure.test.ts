import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { customerIdempotencyKey, parseMetadataPairs } from '../../src/customers/create.js';
import { describePaymentCollection } from '../../src/customers/payment.js';
import { customerRefKind, externalIdQuery } from '../../src/customers/resolve.js';
import { checkCheckoutFlags, refuseDuplicateSubscriptions } from '../../src/customers/subscribe.js';
import { columns } from '../../src/customers/render.js';

describe('customerRefKind', () => {
  it.each([
    ['cus_NffrFeUfNV2Hib', 'id'],
    ['ada@example.com', 'email'],
    ['user_42', 'external_id'],
    ['cus_with space', 'external_id'],
    ['12345', 'external_id'],
  ])('%s is looked up as %s', (ref, kind) => {
    expect(customerRefKind(ref)).toBe(kind);
  });

  it('quotes external ids safely in the search query', () => {
    expect(externalIdQuery("o'brien")).toBe("metadata['external_id']:'o\\'brien'");
    expect(externalIdQuery('a\\b')).toBe("metadata['external_id']:'a\\\\b'");
  });
});

describe('customerIdempotencyKey', () => {
  it('is stable, distinct per external id, and within Stripe\'s 255 characters', () => {
    expect(customerIdempotencyKey('user_42')).toBe(customerIdempotencyKey('user_42'));
    expect(customerIdempotencyKey('user_42')).not.toBe(customerIdempotencyKey('user_43'));
    expect(customerIdempotencyKey('x'.repeat(10_000)).length).toBeLessThanOrEqual(255);
  });
});

describe('parseMetadataPairs', () => {
  it('splits on the first = only', () => {
    expect(parseMetadataPairs(['plan=pro', 'note=a=b', 'empty='])).toEqual({ plan: 'pro', note: 'a=b', empty: '' });
    expect(parseMetadataPairs(undefined)).toEqual({});
  });
  it.each([
    [['novalue'], "--metadata takes key=value, got 'novalue'"],
    [['=v'], "--metadata takes key=value, got '=v'"],
    [['a[b]=v'], "--metadata key 'a[b]' is not allowed"],
    [[`${'k'.repeat(41)}=v`], 'keys are at most 40 characters'],
    [[`k=${'v'.repeat(501)}`], 'Stripe allows 500'],
    [['external_id=x'], 'set by --external-id'],
  ])('rejects %j', (pairs, message) => {
    expect(() => parseMetadataPairs(pairs)).toThrow(message);
  });
});

describe('checkCheckoutFlags', () => {
  it('returns the URLs with --checkout and nothing without', () => {
    expect(checkCheckoutFlags({ checkout: true, successUrl: 'https://a.example/ok', cancelUrl: 'http://localhost:3000/no' })).toEqual({ successUrl: 'https://a.example/ok', cancelUrl: 'http://localhost:3000/no' });
    expect(checkCheckoutFlags({})).toBeUndefined();
  });
  it.each([
    [{ checkout: true }, '--checkout needs --success-url and --cancel-url'],
    [{ checkout: true, successUrl: 'ftp://x/ok', cancelUrl: 'https://x/no' }, '--success-url must be an absolute http(s) URL'],
    [{ cancelUrl: 'https://x/no' }, '--cancel-url only applies with --checkout'],
  ])('rejects %j', (flags, message) => {
    expect(() => checkCheckoutFlags(flags)).toThrow(message);
  });
});

const sub = (over: Record<string, unknown>) => ({ id: 'sub_1', status: 'incomplete', latest_invoice: null, pending_setup_intent: null, ...over }) as unknown as Stripe.Subscription;

describe('describePaymentCollection', () => {
  it('prefers the pending SetupIntent (metered-only: billed in arrears)', () => {
    const p = describePaymentCollection(sub({
      status: 'active',
      pending_setup_intent: { id: 'seti_1', client_secret: 'seti_1_secret_x' },
      latest_invoice: { id: 'in_1', amount_due: 0, currency: 'usd', confirmation_secret: null },
    }));
    expect(p).toMatchObject({ kind: 'setup_intent', id: 'seti_1', client_secret: 'seti_1_secret_x' });
    expect(p.next_step).toContain('confirmSetup');
  });

  it('otherwise gives the first invoice\'s confirmation secret', () => {
    const p = describePaymentCollection(sub({ latest_invoice: { id: 'in_1', amount_due: 1000, currency: 'usd', confirmation_secret: { client_secret: 'pi_1_secret_y', type: 'payment_intent' } } }));
    expect(p).toMatchObject({ kind: 'payment_intent', id: 'in_1', client_secret: 'pi_1_secret_y', amount_due: 1000, currency: 'usd' });
    expect(p.next_step).toContain('confirmPayment');
  });

  it('says so when nothing needs collecting', () => {
    const p = describePaymentCollection(sub({ status: 'active', latest_invoice: 'in_1' }));
    expect(p).toMatchObject({ kind: 'none', client_secret: null });
    expect(p.next_step).toContain('No payment details are needed now');
  });
});

describe('refuseDuplicateSubscriptions', () => {
  const price = { id: 'price_1', lookup_key: 'tokens' } as Stripe.Price;
  const customer = { id: 'cus_1' } as Stripe.Customer;
  const withStatus = (status: string) => ({ id: `sub_${status}`, status, items: { data: [{ price: { id: 'price_1' } }] } }) as unknown as Stripe.Subscription;

  it.each(['active', 'trialing', 'past_due', 'unpaid', 'paused', 'incomplete'])('refuses next to a %s subscription', (status) => {
    expect(() => refuseDuplicateSubscriptions(customer, [price], [withStatus(status)])).toThrow(`sub_${status} (${status}) already bills tokens`);
  });

  it.each(['canceled', 'incomplete_expired'])('allows it next to a %s one', (status) => {
    expect(() => refuseDuplicateSubscriptions(customer, [price], [withStatus(status)])).not.toThrow();
  });
});

describe('columns', () => {
  it('pads every column but the last', () => {
    expect(columns([['ID', 'EMAIL', 'NAME'], ['cus_1', 'a@example.com', '-']])).toEqual(['ID     EMAIL          NAME', 'cus_1  a@example.com  -']);
  });
});

import fc from 'fast-check';
import { UserError } from '../../src/errors.js';
import { matchesAny, parseTypePatterns, serverTypeFilter, wantsMeterErrors } from '../../src/events/filters.js';
import { followFeed } from '../../src/events/follow.js';
import { backoffMs, retryReason } from '../../src/stripe/retry.js';
import type { FeedItem } from '../../src/events/feed.js';

describe('type patterns', () => {
  test.each([
    ['invoice.*', 'invoice.paid', true],
    ['invoice.*', 'invoice_payment.paid', false],
    ['customer.subscription.*', 'customer.subscription.updated', true],
    ['customer.subscription.*', 'customer.updated', false],
    ['*.created', 'setup_intent.created', true],
    ['invoice.paid', 'invoice.paid', true],
    ['invoice.paid', 'invoice.paidx', false],
  ])('%s matches %s: %s', (pattern, type, expected) => {
    expect(matchesAny(type, [pattern])).toBe(expected);
  });

  test('repeated and comma-separated --type values are merged without duplicates', () => {
    expect(parseTypePatterns(['invoice.*,setup_intent.*', 'invoice.*'])).toEqual(['invoice.*', 'setup_intent.*']);
  });

  test('a pattern that cannot be an event type is refused, naming the flag', () => {
    expect(() => parseTypePatterns(['invoice paid'])).toThrow(UserError);
    expect(() => parseTypePatterns(['invoice paid'])).toThrow(/--type 'invoice paid'/);
  });

  test('the server filter never hides an event a pattern would match', () => {
    expect(serverTypeFilter(['invoice.*'])).toEqual({ type: 'invoice.*' });
    expect(serverTypeFilter(['invoice.paid', 'invoice.created'])).toEqual({ types: ['invoice.paid', 'invoice.created'] });
    expect(serverTypeFilter(['invoice.*', 'setup_intent.*'])).toEqual({});
    expect(serverTypeFilter(['*', 'invoice.paid'])).toEqual({});
    expect(serverTypeFilter(Array.from({ length: 21 }, (_, i) => `t${i}.x`))).toEqual({});
  });

  test('a dot in a pattern is literal', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z_]{1,8}$/), fc.stringMatching(/^[a-z_]{1,8}$/), (a, b) => {
      expect(matchesAny(`${a}x${b}`, [`${a}.${b}`])).toBe(false);
    }));
  });

  test('metering error reports show by default and when a pattern names them', () => {
    expect(wantsMeterErrors(['invoice.*'], false)).toHaveLength(2);
    expect(wantsMeterErrors(['invoice.*'], true)).toEqual([]);
    expect(wantsMeterErrors(['v1.billing.meter.no_meter_found'], true)).toEqual(['v1.billing.meter.no_meter_found']);
  });
});

describe('follow loop', () => {
  const item = (id: string): FeedItem => ({ kind: 'v1', event: { id, type: 'invoice.paid', created: 1 } as never });

  test('rate limits and outages are waited out; the next successful poll still delivers', async () => {
    const controller = new AbortController();
    const results: Array<FeedItem[] | Error> = [
      Object.assign(new Error('Too many requests'), { type: 'StripeRateLimitError', statusCode: 429 }),
      Object.assign(new Error('bad gateway'), { type: 'StripeAPIError', statusCode: 502 }),
      [item('evt_a'), item('evt_b')],
    ];
    const seen: string[] = [];
    const retries: string[] = [];
    await followFeed(
      {
        poll: async () => {
          const next = results.shift();
          if (!next) {
            controller.abort();
            return [];
          }
          if (next instanceof Error) throw next;
          return next;
        },
      },
      { intervalMs: 1, retryBaseMs: 1, signal: controller.signal, onItems: (items) => seen.push(...items.map((i) => i.event.id)), onRetry: (reason) => retries.push(reason) },
    );
    expect(retries).toEqual(['rate limited (429)', 'Stripe answered 502']);
    expect(seen).toEqual(['evt_a', 'evt_b']);
  });

  test('an error that waiting cannot fix ends the loop', async () => {
    const controller = new AbortController();
    const denied = Object.assign(new Error('Invalid API Key'), { type: 'StripeAuthenticationError', statusCode: 401 });
    await expect(followFeed({ poll: async () => { throw denied; } }, { intervalMs: 1, signal: controller.signal, onItems: () => {} })).rejects.toBe(denied);
    expect(retryReason(denied)).toBeUndefined();
  });

  test('backoff doubles up to the cap, with jitter between half and all of it', () => {
    const most = { baseMs: 1000, maxMs: 5000 };
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, most, () => 1))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, most, () => 0))).toEqual([500, 1000, 2000, 2500, 2500]);
  });
});

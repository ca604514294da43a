import { createThrottle } from '../../src/stripe/throttle.js';
import { isRetryable as isRetryableError, withRetry } from '../../src/stripe/retry.js';

const noSleep = { sleep: async () => {} };
const failing = (errors: unknown[]) => {
  let calls = 0;
  const fn = async () => {
    const err = errors[calls++];
    if (err) throw err;
    return 'ok';
  };
  return { fn, calls: () => calls };
};

describe('withRetry', () => {
  it('retries rate limits, server errors, conflicts and dropped connections, then succeeds', async () => {
    const f = failing([{ statusCode: 429 }, { statusCode: 503 }, { statusCode: 409 }, { type: 'StripeConnectionError' }]);
    const delays: number[] = [];
    await expect(withRetry(f.fn, { ...noSleep, onRetry: (_e, _a, d) => delays.push(d) })).resolves.toBe('ok');
    expect(f.calls()).toBe(5);
    // Exponential backoff with jitter: each delay within [half, full] of 500 ms × 2^n.
    delays.forEach((d, i) => { expect(d).toBeGreaterThanOrEqual(250 * 2 ** i); expect(d).toBeLessThanOrEqual(500 * 2 ** i); });
  });

  it('does not retry a request that would fail the same way again', async () => {
    const f = failing([{ statusCode: 400, type: 'StripeInvalidRequestError', code: 'parameter_missing' }]);
    await expect(withRetry(f.fn, noSleep)).rejects.toMatchObject({ code: 'parameter_missing' });
    expect(f.calls()).toBe(1);
  });

  it('gives up after the configured retries with the last error', async () => {
    const f = failing(Array.from({ length: 10 }, (_, i) => ({ statusCode: 500, n: i })));
    await expect(withRetry(f.fn, { ...noSleep, retries: 2 })).rejects.toMatchObject({ n: 2 });
    expect(f.calls()).toBe(3);
  });

  it('honours stripe-should-retry: false', () => {
    expect(isRetryableError({ statusCode: 500, headers: { 'stripe-should-retry': 'false' } })).toBe(false);
    expect(isRetryableError({ statusCode: 400, code: 'rate_limit' })).toBe(true);
    expect(isRetryableError(new Error('plain'))).toBe(false);
  });
});

describe('createThrottle', () => {
  it('never runs more than `concurrency` calls at once, and counts attempts and retries', async () => {
    const throttle = createThrottle({ rps: 10_000, concurrency: 3, retry: { sleep: async () => {} } });
    let running = 0;
    let peak = 0;
    let failOnce = true;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (failOnce) { failOnce = false; throw Object.assign(new Error('busy'), { statusCode: 429 }); }
      return 1;
    };
    const results = await Promise.all(Array.from({ length: 12 }, () => throttle.run(task)));
    expect(results).toHaveLength(12);
    expect(peak).toBeLessThanOrEqual(3);
    expect(throttle.stats).toEqual({ requests: 13, failures: 1, retries: 1 });
  });

  it('refuses a rate that is not positive', () => {
    expect(() => createThrottle({ rps: 0 })).toThrow(/rps must be > 0/);
  });
});

describe('one retry rule for every caller of Stripe', () => {
  it('usage ingest, events tail --follow and apply agree on what is worth retrying', async () => {
    const { classifyError } = await import('../../src/usage/stream-sender.js');
    const { retryReason } = await import('../../src/stripe/retry.js');
    const cases: Array<[unknown, boolean]> = [
      [{ statusCode: 500, headers: { 'stripe-should-retry': 'false' } }, false],
      [{ statusCode: 400, code: 'lock_timeout' }, true],
      [{ statusCode: 400, code: 'rate_limit' }, true],
      [{ statusCode: 409 }, true],
      [{ type: 'StripeConnectionError', message: 'socket hang up' }, true],
      [{ code: 'EAI_AGAIN' }, true],
      [{ statusCode: 401, type: 'StripeAuthenticationError' }, false],
      [{ statusCode: 400, code: 'parameter_missing' }, false],
    ];
    for (const [err, retry] of cases) {
      expect({ err, apply: isRetryableError(err), ingest: classifyError(err) === 'retry', follow: retryReason(err) !== undefined }).toEqual({ err, apply: retry, ingest: retry, follow: retry });
    }
  });
});

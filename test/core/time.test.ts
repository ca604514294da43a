// One parser for every time flag: the same zone rule for --since, --from, --to, --frozen-time, --expires.
import { describe, expect, it } from '@jest/globals';
import { iso, timeFlag } from '../../src/core/time.js';
import { run } from '../helpers/cli.js';

const at = (text: string) => Date.parse(text) / 1000;

describe('timeFlag', () => {
  it.each([
    ['2026-02-01', at('2026-02-01T00:00:00Z')],
    ['2026-02-01T12:30:00Z', at('2026-02-01T12:30:00Z')],
    ['2026-02-01T12:30:00+02:00', at('2026-02-01T10:30:00Z')],
    ['2026-11-18T11:06:40Z', 1795000000],
    ['1769904000', 1769904000],
  ])('%s', (text, seconds) => expect(timeFlag('--to', text)).toBe(seconds));

  it('refuses a time without a zone for every flag, naming the flag and the fix', () => {
    for (const flag of ['--since', '--from', '--to', '--frozen-time']) {
      expect(() => timeFlag(flag, '2026-11-01T12:00', { ago: 1_800_000_000 })).toThrow(`${flag} '2026-11-01T12:00' has no time zone (add Z or an offset such as +02:00).`);
    }
  });

  it('refuses milliseconds and words', () => {
    expect(() => timeFlag('--to', '1769904000000')).toThrow(/looks like milliseconds/);
    expect(() => timeFlag('--since', 'yesterday', { ago: 0 })).toThrow(/--since 'yesterday' is neither Unix seconds nor ISO 8601/);
  });

  describe('durations back from now, where the flag takes them', () => {
    const now = 1_800_000_000;
    it.each([
      ['30m', now - 1800],
      ['2h', now - 7200],
      ['7d', now - 7 * 86400],
    ])('%s', (value, expected) => expect(timeFlag('--since', value, { ago: now })).toBe(expected));

    it('not where it does not', () => {
      expect(() => timeFlag('--to', '2h')).toThrow(/--to '2h' is neither/);
    });
  });
});

describe('iso', () => {
  it('whole seconds in UTC', () => expect(iso(1795000000)).toBe('2026-11-18T11:06:40Z'));
});

describe('the CLI uses it for every time flag', () => {
  it.each([
    [['events', 'tail', '--since', '2026-11-01T12:00'], '--since'],
    [['usage', 'summary', '--customer', 'cus_1', '--meter', 'm', '--from', '2026-11-01T12:00'], '--from'],
    [['clock', 'create', '--frozen-time', '2026-11-01T12:00'], '--frozen-time'],
  ])('%j: a zoneless time is refused (exit 3) before anything is asked of Stripe', async (argv, flag) => {
    // Nothing listens on port 1: reaching Stripe would be a connection error (exit 1), not this.
    const result = await run([...argv, '--api-key', 'sk_test_x', '--api-base', 'http://127.0.0.1:1']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${flag} '2026-11-01T12:00' has no time zone`);
  });
});

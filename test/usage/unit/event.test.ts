import fc from 'fast-check';
import { deriveIdentifier, parseUsageRecord, parseWholeNumber, type ParseContext } from '../../../src/usage/event.js';

const ctx = (line = 1, extra: Partial<ParseContext> = {}): ParseContext => ({
  line,
  sourceKey: 'usage.ndjson',
  resolveMeter: (m) => (m === 'tokens' || m === 'alpaca_tokens' ? { eventName: 'alpaca_tokens' } : { reason: `unknown meter '${m}'` }),
  ...extra,
});
const good = { customer: 'cus_A1', value: 42, timestamp: 1_700_000_000, meter: 'tokens' };

describe('parseUsageRecord', () => {
  it('maps a meter key to its event name and derives a stable identifier', () => {
    const a = parseUsageRecord(good, ctx(7));
    const b = parseUsageRecord({ ...good }, ctx(7));
    expect(a).toEqual(b);
    expect(a.ok && a.event).toMatchObject({ line: 7, eventName: 'alpaca_tokens', customer: 'cus_A1', value: '42', timestamp: 1_700_000_000, derived: true });
    expect(a.ok && a.event.identifier).toMatch(/^alp_[A-Za-z0-9_-]{12}_7_[0-9a-z]+$/);
  });

  it('keeps the record’s own identifier', () => {
    const r = parseUsageRecord({ ...good, identifier: 'evt-1' }, ctx());
    expect(r.ok && r.event).toMatchObject({ identifier: 'evt-1', derived: false });
  });

  it('gives a different identifier for another line, value or source', () => {
    const id = (rec: object, c: ParseContext) => { const r = parseUsageRecord(rec as Record<string, unknown>, c); return r.ok ? r.event.identifier : ''; };
    const base = id(good, ctx(1));
    expect(id(good, ctx(2))).not.toBe(base);
    expect(id({ ...good, value: 43 }, ctx(1))).not.toBe(base);
    expect(id(good, { ...ctx(1), sourceKey: 'other.ndjson' })).not.toBe(base);
  });

  it('lets a record for a count meter leave out its value', () => {
    const counting: ParseContext = { ...ctx(), resolveMeter: () => ({ eventName: 'api_requests', countsEvents: true }) };
    const r = parseUsageRecord({ customer: 'cus_A1', timestamp: 1_700_000_000, meter: 'requests' }, counting);
    expect(r.ok && r.event).toMatchObject({ eventName: 'api_requests', value: '1' });
    expect(parseUsageRecord({ customer: 'cus_A1', timestamp: 1_700_000_000, meter: 'tokens' }, ctx())).toEqual({ ok: false, reason: 'missing value' });
  });

  it('uses --meter when the record has none', () => {
    const r = parseUsageRecord({ customer: 'cus_A1', value: '5', timestamp: '1700000000' }, ctx(1, { defaultMeter: 'alpaca_tokens' }));
    expect(r.ok && r.event.eventName).toBe('alpaca_tokens');
  });

  it.each([
    [{}, /missing customer, value, timestamp, meter/],
    [{ ...good, customer: 'alice@example.com' }, /not a Stripe customer id/],
    [{ ...good, value: 1.5 }, /not a whole number/],
    [{ ...good, value: '12abc' }, /not a whole number/],
    [{ ...good, timestamp: 'soon' }, /neither Unix seconds nor ISO/],
    [{ ...good, meter: 'gpu_seconds' }, /unknown meter 'gpu_seconds'/],
    [{ ...good, identifier: 'x'.repeat(101) }, /longer than 100/],
  ])('rejects %p', (rec, reason) => {
    const r = parseUsageRecord(rec as Record<string, unknown>, ctx());
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });
});

describe('parseWholeNumber', () => {
  it('canonicalises any safe integer, from number or string alike', () => {
    fc.assert(fc.property(fc.integer({ min: -1e14, max: 1e14 }), (n) => {
      const a = parseWholeNumber(n);
      const b = parseWholeNumber(` ${n} `);
      return a.ok && b.ok && a.value === String(n) && b.value === String(n);
    }));
    expect(parseWholeNumber('-0')).toEqual({ ok: true, value: '0' });
    expect(parseWholeNumber('007')).toEqual({ ok: true, value: '7' });
  });
});

describe('deriveIdentifier', () => {
  it('fits Stripe’s 100-character limit and is deterministic', () => {
    const id = deriveIdentifier('s', 1, 'e', 'cus_1', '1', 1);
    expect(id).toBe(deriveIdentifier('s', 1, 'e', 'cus_1', '1', 1));
    expect(id.length).toBeLessThanOrEqual(100);
  });
});

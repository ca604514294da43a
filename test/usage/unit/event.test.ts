import fc from 'fast-check';
import { parseUsageRecord, parseWholeNumber, type ParseContext } from '../../../src/usage/event.js';

const ctx = (line = 1, extra: Partial<ParseContext> = {}): ParseContext => ({
  line,
  resolveMeter: (m) => (m === 'tokens' || m === 'alpaca_tokens' ? { eventName: 'alpaca_tokens' } : { reason: `unknown meter '${m}'` }),
  ...extra,
});
const good = { customer: 'cus_A1', value: 42, timestamp: 1_700_000_000, meter: 'tokens' };

describe('parseUsageRecord', () => {
  it('maps a meter key to its event name', () => {
    const a = parseUsageRecord(good, ctx(7));
    expect(a.ok && a.event).toMatchObject({ line: 7, eventName: 'alpaca_tokens', customer: 'cus_A1', value: '42', timestamp: 1_700_000_000, derived: true });
  });

  it('keeps the record’s own identifier', () => {
    const r = parseUsageRecord({ ...good, identifier: 'evt-1' }, ctx());
    expect(r.ok && r.event).toMatchObject({ identifier: 'evt-1', derived: false });
  });

  it('keeps a customer reference that is not a cus_ id as written, to be resolved later', () => {
    const r = parseUsageRecord({ ...good, customer: ' alice@example.com ' }, ctx());
    expect(r.ok && r.event.customer).toBe('alice@example.com');
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
    [{ ...good, customer: '  ' }, /missing customer/],
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

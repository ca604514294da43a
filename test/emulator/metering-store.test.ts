// Pure parts of the metering engine: aggregates, identifiers, delay, validation, error reports.
import fc from 'fast-check';
import { AggregateStore } from '../../src/emulator/metering/aggregate-store.js';
import { MeteringEngine } from '../../src/emulator/metering/metering-engine.js';
import type { MeterLike } from '../../src/emulator/metering/validate-event.js';
import { checkAlignment, buildSummaries, summaryId } from '../../src/emulator/metering/summaries.js';
import { HashTable, hashIdentifier, hashState } from '../../src/emulator/metering/hash-table.js';

const T0 = 1_800_000_000 - (1_800_000_000 % 86400); // a UTC midnight
const meters: Record<string, MeterLike> = {
  api_call: { id: 'mtr_sum', event_name: 'api_call', status: 'active', default_aggregation: { formula: 'sum' } },
  login: { id: 'mtr_count', event_name: 'login', status: 'active', default_aggregation: { formula: 'count' } },
  seats: { id: 'mtr_last', event_name: 'seats', status: 'active', default_aggregation: { formula: 'last' }, customer_mapping: { event_payload_key: 'cust' }, value_settings: { event_payload_key: 'n' } },
  old: { id: 'mtr_old', event_name: 'old', status: 'inactive', default_aggregation: { formula: 'sum' } },
};

function engine(opts: { delayMs?: number } = {}) {
  const clock = { ms: (T0 + 3600) * 1000 };
  let n = 0;
  const e = new MeteringEngine({
    nowMs: () => clock.ms,
    delayMs: opts.delayMs ?? 0,
    findMeter: (name) => meters[name],
    customerExists: (id) => id.startsWith('cus_'),
    newIdentifier: () => `gen_${n++}`,
  });
  return { e, clock };
}

describe('aggregates', () => {
  it('sums, counts and takes the last value by timestamp', () => {
    const { e } = engine();
    for (const [v, ts] of [[5, T0 + 10], [7, T0 + 70], [-2, T0 + 130]]) {
      e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: String(v) }, timestamp: ts }, 'sync');
      e.accept({ event_name: 'login', payload: { stripe_customer_id: 'cus_a' }, timestamp: ts }, 'sync');
    }
    e.accept({ event_name: 'seats', payload: { cust: 'cus_a', n: '9' }, timestamp: T0 + 300 }, 'sync');
    e.accept({ event_name: 'seats', payload: { cust: 'cus_a', n: '4' }, timestamp: T0 + 100 }, 'sync');
    expect(e.aggregate('mtr_sum', 'sum', 'cus_a', T0, T0 + 3600)).toBe(10);
    expect(e.aggregate('mtr_sum', 'sum', 'cus_a', T0 + 60, T0 + 120)).toBe(7);
    expect(e.aggregate('mtr_count', 'count', 'cus_a', T0, T0 + 3600)).toBe(3);
    expect(e.aggregate('mtr_last', 'last', 'cus_a', T0, T0 + 3600)).toBe(9);
    expect(e.aggregate('mtr_last', 'last', 'cus_a', T0, T0 + 120)).toBe(4);
    expect(e.aggregate('mtr_sum', 'sum', 'cus_other', T0, T0 + 3600)).toBe(0);
  });

  it('matches a naive sum over random events and ranges', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 7200 }), fc.integer({ min: -50, max: 50 })), { maxLength: 60 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        (events, a, len) => {
          const store = new AggregateStore();
          events.forEach(([ts, v], seq) => store.add({ meterId: 'm', customerId: 'c', minute: Math.floor(ts / 60), value: v, timestamp: ts, seq }));
          const [start, end] = [a * 60, (a + len) * 60];
          const inRange = events.filter(([ts]) => ts >= start && ts < end);
          expect(store.aggregate('m', 'sum', 'c', start, end)).toBe(inRange.reduce((s, [, v]) => s + v, 0));
          expect(store.aggregate('m', 'count', 'c', start, end)).toBe(inRange.length);
          const hours = store.windows('m', 'sum', 'c', start, end, 3600);
          expect(hours.reduce((s, w) => s + w.value, 0)).toBe(inRange.reduce((s, [, v]) => s + v, 0));
        },
      ),
    );
  });

  it('survives a JSON round trip', () => {
    const { e } = engine();
    e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '3' }, timestamp: T0 + 5 }, 'sync');
    const copy = AggregateStore.fromJSON(JSON.parse(JSON.stringify(e.store)));
    expect(copy.aggregate('mtr_sum', 'sum', 'cus_a', T0, T0 + 60)).toBe(3);
  });
});

describe('identifiers and cancellation', () => {
  it('refuses a repeated identifier within 24 h and accepts it after', () => {
    const { e, clock } = engine();
    const ev = { event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '5' }, identifier: 'dup-1' };
    expect(e.accept(ev, 'sync').ok).toBe(true);
    const again = e.accept(ev, 'sync');
    expect(again.ok).toBe(false);
    expect('duplicate' in again).toBe(true);
    clock.ms += 24 * 3600 * 1000;
    expect(e.accept(ev, 'sync').ok).toBe(true);
    expect(e.aggregate('mtr_sum', 'sum', 'cus_a', T0, T0 + 3 * 86400)).toBe(10);
  });

  it('cancels by identifier within 24 h, once', () => {
    const { e, clock } = engine();
    e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '5' }, identifier: 'a' }, 'sync');
    e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '7' }, identifier: 'b' }, 'sync');
    expect(e.cancel('login', 'a')).toEqual({ ok: false, reason: 'wrong_event_name' });
    expect(e.cancel('api_call', 'a').ok).toBe(true);
    expect(e.cancel('api_call', 'a')).toEqual({ ok: false, reason: 'already_cancelled' });
    expect(e.aggregate('mtr_sum', 'sum', 'cus_a', T0, T0 + 86400)).toBe(7);
    clock.ms += 24 * 3600 * 1000 + 1000;
    expect(e.cancel('api_call', 'b')).toEqual({ ok: false, reason: 'not_found' });
    expect(e.aggregate('mtr_sum', 'sum', 'cus_a', T0, T0 + 86400)).toBe(7);
  });

  it('forgets identifiers older than a day', () => {
    const { e, clock } = engine();
    for (let i = 0; i < 50; i++) e.accept({ event_name: 'login', payload: { stripe_customer_id: 'cus_a' }, identifier: `x${i}` }, 'sync');
    expect(e.identifiers.size).toBe(50);
    clock.ms += 26 * 3600 * 1000;
    e.identifiers.prune(clock.ms / 1000);
    expect(e.identifiers.size).toBe(0);
  });
});

describe('aggregation delay', () => {
  it('hides events until the delay has passed, and a cancel inside the delay removes them', () => {
    const { e, clock } = engine({ delayMs: 1000 });
    e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '5' }, identifier: 'p1' }, 'sync');
    e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '6' }, identifier: 'p2' }, 'sync');
    expect(e.aggregate('mtr_sum', 'sum', 'cus_a', T0, T0 + 86400)).toBe(0);
    expect(e.cancel('api_call', 'p2')).toMatchObject({ ok: true, pending: true });
    clock.ms += 1000;
    expect(e.aggregate('mtr_sum', 'sum', 'cus_a', T0, T0 + 86400)).toBe(5);
  });
});

describe('validation', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['unknown event name', { event_name: 'nope', payload: { stripe_customer_id: 'cus_a', value: '1' } }, 'no_meter'],
    ['inactive meter', { event_name: 'old', payload: { stripe_customer_id: 'cus_a', value: '1' } }, 'archived_meter'],
    ['missing customer key', { event_name: 'api_call', payload: { value: '1' } }, 'meter_event_no_customer_defined'],
    ['unknown customer', { event_name: 'api_call', payload: { stripe_customer_id: 'nobody', value: '1' } }, 'meter_event_customer_not_found'],
    ['decimal value', { event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '1.5' } }, 'meter_event_invalid_value'],
    ['missing value', { event_name: 'api_call', payload: { stripe_customer_id: 'cus_a' } }, 'meter_event_invalid_value'],
    ['custom value key ignored', { event_name: 'seats', payload: { cust: 'cus_a', value: '3' } }, 'meter_event_invalid_value'],
    ['sixteen digits', { event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '1234567890123456' } }, 'meter_event_value_too_many_digits'],
    ['more than 5 minutes ahead', { event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '1' }, timestamp: T0 + 3600 + 301 }, 'timestamp_in_future'],
    ['older than 35 days', { event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '1' }, timestamp: T0 + 3600 - 35 * 86400 - 1 }, 'timestamp_too_far_in_past'],
  ];
  it.each(cases)('%s', (_name, ev, code) => {
    const { e } = engine();
    const r = e.accept(ev as never, 'sync');
    expect(r).toMatchObject({ ok: false, problem: { code } });
  });

  it('accepts the window edges', () => {
    const { e } = engine();
    const now = T0 + 3600;
    expect(e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '1' }, timestamp: now + 300 }, 'sync').ok).toBe(true);
    expect(e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: '-1' }, timestamp: now - 35 * 86400 }, 'sync').ok).toBe(true);
  });

  it('collects asynchronous problems into one report per meter with samples', () => {
    const { e } = engine();
    for (let i = 0; i < 7; i++) e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'ghost', value: '1' }, identifier: `g${i}` }, 'async');
    e.accept({ event_name: 'api_call', payload: { stripe_customer_id: 'cus_a', value: 'x' }, identifier: 'bad' }, 'async');
    e.accept({ event_name: 'unknown', payload: {}, identifier: 'u' }, 'async');
    const reports = e.tick();
    expect(reports).toHaveLength(2);
    const sum = reports.find((r) => r.meterId === 'mtr_sum')!;
    expect(sum.errorCount).toBe(8);
    const notFound = sum.errorTypes.find((t) => t.code === 'meter_event_customer_not_found')!;
    expect(notFound.error_count).toBe(7);
    expect(notFound.sample_errors).toHaveLength(5);
    expect(notFound.sample_errors[0].request.identifier).toBe('g0');
    expect(reports.find((r) => r.meterId === null)!.errorTypes[0].code).toBe('no_meter');
    expect(e.tick()).toHaveLength(0);
  });
});

describe('summaries', () => {
  it('checks minute, hour and UTC-day alignment', () => {
    expect(checkAlignment({ start: T0, end: T0 + 60 })).toEqual([]);
    expect(checkAlignment({ start: T0 + 1, end: T0 + 60 }).map((p) => p.param)).toEqual(['start_time']);
    expect(checkAlignment({ start: T0 + 60, end: T0 + 3600, window: 'hour' }).map((p) => p.param)).toEqual(['start_time']);
    expect(checkAlignment({ start: T0, end: T0 + 3600, window: 'day' }).map((p) => p.param)).toEqual(['end_time']);
    expect(checkAlignment({ start: T0, end: T0, window: 'day' }).map((p) => p.param)).toEqual(['end_time']);
    expect(checkAlignment({ start: T0, end: T0 + 60, window: 'week' }).map((p) => p.param)).toEqual(['value_grouping_window']);
  });

  it('gives stable ids and one zero summary for an empty ungrouped range', () => {
    const q = { meterId: 'mtr_1', customerId: 'cus_a', start: T0, end: T0 + 3600 };
    expect(buildSummaries(q, [])).toEqual([expect.objectContaining({ aggregated_value: 0, start_time: T0, end_time: T0 + 3600, id: summaryId('mtr_1', 'cus_a', T0, T0 + 3600) })]);
    expect(summaryId('mtr_1', 'cus_a', T0, T0 + 60)).not.toBe(summaryId('mtr_1', 'cus_b', T0, T0 + 60));
    expect(buildSummaries({ ...q, window: 'hour' }, [])).toEqual([]);
  });
});

describe('identifier hash table', () => {
  it('behaves like a Map under random inserts, overwrites and deletes (through rehashes)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { maxLength: 4000 }), (ops) => {
        const table = new HashTable();
        const model = new Map<string, number>();
        ops.forEach(([insert, k], slot) => {
          const key = `id-${k}`;
          hashIdentifier(key);
          const { hi, lo } = hashState;
          if (insert) {
            table.set(hi, lo, slot);
            model.set(key, slot);
          } else if (model.has(key)) {
            table.delete(hi, lo, model.get(key)!);
            model.delete(key);
          }
        });
        expect(table.size).toBe(model.size);
        for (let k = 0; k <= 3000; k += 7) {
          hashIdentifier(`id-${k}`);
          expect(table.get(hashState.hi, hashState.lo)).toBe(model.get(`id-${k}`) ?? -1);
        }
      }),
      { numRuns: 30 },
    );
  });
});

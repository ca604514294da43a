import fc from 'fast-check';
import type { UsageEvent } from '../../../src/usage/event.js';
import { derivedIdentifier, EventIdentities } from '../../../src/usage/identity.js';
import { hex32 } from '../../../src/usage/hash.js';
import { KeyTable } from '../../../src/usage/key-table.js';

const ev = (customer: string, value: string, timestamp: number, identifier?: string, line = 1): UsageEvent => ({
  line, eventName: 'tokens', customer, value, timestamp, identifier: identifier ?? '', derived: identifier === undefined, keyHi: 0, keyLo: 0, check: 0,
});

/** Identifiers of a source's events, in source order. */
function identify(events: UsageEvent[]): string[] {
  const ids = new EventIdentities();
  return events.map((e) => { const copy = { ...e }; ids.assign(copy); return copy.identifier; });
}

const arbEvent = fc.record({ customer: fc.constantFrom('cus_A', 'cus_B', 'cus_C'), value: fc.integer({ min: -5, max: 50 }).map(String), timestamp: fc.integer({ min: 1_700_000_000, max: 1_700_000_020 }) })
  .map((r) => ev(r.customer, r.value, r.timestamp));

describe('EventIdentities', () => {
  it('gives an event the same identifier whatever is inserted elsewhere (at other places)', () => {
    fc.assert(fc.property(fc.array(arbEvent, { maxLength: 40 }), fc.array(arbEvent, { maxLength: 10 }), fc.nat(), (events, extra, at) => {
      const places = new Set(events.map((e) => `${e.customer}@${e.timestamp}`));
      const inserted = extra.filter((e) => !places.has(`${e.customer}@${e.timestamp}`));
      const pos = events.length ? at % (events.length + 1) : 0;
      const before = identify(events);
      const after = identify([...events.slice(0, pos), ...inserted, ...events.slice(pos)]);
      const kept = [...after.slice(0, pos), ...after.slice(pos + inserted.length)];
      expect(kept).toEqual(before);
    }));
  });

  it('tells identical events apart by their rank, and is deterministic', () => {
    const twice = [ev('cus_A', '5', 1), ev('cus_A', '5', 1)];
    const ids = identify(twice);
    expect(ids[0]).not.toBe(ids[1]);
    expect(identify(twice)).toEqual(ids);
    expect(ids[0]).toMatch(/^alp2_[0-9a-f]{24}$/);
  });

  it('keeps the key of an edited event and changes its check', () => {
    const ids = new EventIdentities();
    const a = ev('cus_A', '5', 1);
    ids.assign(a);
    const again = new EventIdentities();
    const b = ev('cus_A', '6', 1);
    again.assign(b);
    expect([b.keyHi, b.keyLo]).toEqual([a.keyHi, a.keyLo]);
    expect(b.check).not.toBe(a.check);
    expect(b.identifier).not.toBe(a.identifier);
  });

  it('reports a repeated explicit identifier with the line it was first used on', () => {
    const ids = new EventIdentities();
    expect(ids.assign(ev('cus_A', '1', 1, 'x', 3))).toBeUndefined();
    expect(ids.assign(ev('cus_B', '2', 2, 'y', 4))).toBeUndefined();
    expect(ids.assign(ev('cus_C', '3', 3, 'x', 9))).toBe(3);
  });
});

describe('KeyTable', () => {
  it('behaves as a Map of 64-bit keys, through growth (set, setIfAbsent, increment)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.nat()), { maxLength: 3000 }), (ops) => {
      const table = new KeyTable();
      const map = new Map<string, number>();
      for (const [hi, lo, v] of ops) {
        const k = `${hi}:${lo === 0 && hi === 0 ? 1 : lo}`;
        // set, setIfAbsent and increment, in turn, against the Map's answers.
        if (v % 3 === 0) {
          expect(table.set(hi, lo, v >>> 0)).toBe(map.get(k));
          map.set(k, v >>> 0);
        } else if (v % 3 === 1) {
          expect(table.setIfAbsent(hi, lo, v >>> 0)).toBe(map.get(k));
          if (!map.has(k)) map.set(k, v >>> 0);
        } else {
          expect(table.increment(hi, lo)).toBe(map.get(k) ?? 0);
          map.set(k, ((map.get(k) ?? 0) + 1) >>> 0);
        }
      }
      expect(table.size).toBe(map.size);
      for (const [hi, lo] of ops) expect(table.get(hi, lo)).toBe(map.get(`${hi}:${lo === 0 && hi === 0 ? 1 : lo}`));
      expect(table.get(12345, 67890)).toBe(map.get('12345:67890'));
    }), { numRuns: 30 });
  });
});

describe('identifiers and journal keys', () => {
  it('stay exactly those of journals already written (a faster derivation must not change them)', () => {
    const ids = new EventIdentities();
    const of = (o: Partial<UsageEvent>) => {
      const e = { ...ev('cus_A1', '5', 1_764_000_000), eventName: 'api_calls', ...o };
      ids.assign(e);
      return [e.identifier, e.keyHi, e.keyLo, e.check];
    };
    // Values written by the first release of the content-keyed journal (format alpaca-usage-j2).
    expect([of({}), of({}), of({ value: '-7' }), of({ customer: 'cüs ☃', timestamp: 0 }), of({ identifier: 'order-1', derived: false })]).toEqual([
      ['alp2_d0da80d4dd984ad06b64393d', 3503980756, 3717745360, 1801730365],
      ['alp2_96d57bba0aafb7496b64393d', 2530573242, 179287881, 1801730365],
      ['alp2_abebafaa0524f8c0b6502b89', 2884349866, 86309056, 3058707337],
      ['alp2_28e39b5c47b5ea85570d8da3', 686005084, 1203104389, 1460506019],
      ['order-1', 3622359878, 4189289937, 3019309229],
    ]);
  });
});

describe('hex digits of identifiers', () => {
  it('are each number’s eight hex digits, leading zeros kept', () => {
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    const edges = [0, 1, 15, 16, 0x0fffffff, 0x10000000, 0x7fffffff, 0x80000000, 0xffffffff];
    for (const n of edges) expect(hex32(n)).toBe(hex(n));
    fc.assert(fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(0xffffffff), (a, b, c) => derivedIdentifier(a, b, c) === `alp2_${hex(a)}${hex(b)}${hex(c)}`));
    expect(derivedIdentifier(0, 0xffffffff, 0x0000abcd)).toBe('alp2_00000000ffffffff0000abcd');
  });
});

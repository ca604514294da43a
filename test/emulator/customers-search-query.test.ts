import { matchesQuery, parseSearchQuery, SearchQueryError } from '../../src/emulator/http/search-query.js';

const fields = { text: ['email', 'name', 'phone'], numeric: ['created'], metadata: true };

const customer = { email: 'Ada@Example.com', name: 'Ada Lovelace', phone: null, created: 1_700_000_000, metadata: { uid: '42', plan: 'pro' } as Record<string, string> };
const read = (field: string, key?: string): string | number | null | undefined =>
  field === 'metadata' ? customer.metadata[key ?? ''] : (customer as Record<string, any>)[field];

const matches = (query: string): boolean => matchesQuery(parseSearchQuery(query, fields), read);

describe('customer search query language', () => {
  test('exact match on email ignores case; partial email does not match with ":"', () => {
    expect(matches("email:'ada@example.com'")).toBe(true);
    expect(matches("email:'ada@example'")).toBe(false);
  });

  test('substring match with ~ and double quotes', () => {
    expect(matches('name~"love"')).toBe(true);
    expect(matches('name~"babbage"')).toBe(false);
  });

  test("metadata['key'] clauses, joined with AND (explicit or by a space)", () => {
    expect(matches("email:'ada@example.com' AND metadata['uid']:'42'")).toBe(true);
    expect(matches("metadata['uid']:'42' metadata['plan']:'free'")).toBe(false);
    expect(matches("metadata['missing']:'x'")).toBe(false);
  });

  test('OR matches when any clause does', () => {
    expect(matches("metadata['uid']:'7' OR name:'ada lovelace'")).toBe(true);
    expect(matches("metadata['uid']:'7' OR name:'charles'")).toBe(false);
  });

  test('negation and numeric comparisons', () => {
    expect(matches("-metadata['plan']:'free'")).toBe(true);
    expect(matches('created>1699999999')).toBe(true);
    expect(matches('created<1699999999')).toBe(false);
    expect(matches("created>=1700000000 AND email~'example'")).toBe(true);
  });

  test.each([
    ["email:'a@b.com' AND name:'x' OR name:'y'", /cannot be combined/],
    ["colour:'red'", /not supported/],
    ["name~'ab'", /at least 3/],
    ['created~100', /numeric/],
    ["email:'unterminated", /Could not parse/],
    ['', /empty/],
  ])('rejects %p with a message saying why', (query, message) => {
    expect(() => parseSearchQuery(query, fields)).toThrow(SearchQueryError);
    expect(() => parseSearchQuery(query, fields)).toThrow(message);
  });
});

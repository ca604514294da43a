import { Readable } from 'node:stream';
import { readCsv, readNdjson, type SourceRecord } from '../../../src/usage/readers.js';

async function collect(gen: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

describe('readNdjson', () => {
  it('keeps line numbers across blank and broken lines', async () => {
    const text = '{"customer":"cus_1","value":1}\n\n{not json\n[1,2]\r\n{"customer":"cus_2","value":2}';
    const recs = await collect(readNdjson(Readable.from([text.slice(0, 10), text.slice(10)])));
    expect(recs.map((r) => [r.line, r.record?.customer ?? r.error?.split(':')[0]])).toEqual([
      [1, 'cus_1'],
      [3, 'unparseable JSON'],
      [4, 'not a JSON object'],
      [5, 'cus_2'],
    ]);
    expect(recs[1].raw).toBe('{not json');
  });
});

describe('readCsv', () => {
  it('reads rows by header name with their line numbers', async () => {
    const text = 'Customer,value,timestamp,identifier\ncus_1,5,1700000000,\n\ncus_2,7,2026-11-26T00:00:00Z,id-2\n';
    const recs = await collect(readCsv(Readable.from([text])));
    expect(recs.map((r) => [r.line, r.record])).toEqual([
      [2, { customer: 'cus_1', value: '5', timestamp: '1700000000' }],
      [4, { customer: 'cus_2', value: '7', timestamp: '2026-11-26T00:00:00Z', identifier: 'id-2' }],
    ]);
    expect(recs[1].raw).toBe('cus_2,7,2026-11-26T00:00:00Z,id-2');
  });

  it('reports a malformed row and carries on', async () => {
    const text = 'customer,value,timestamp\ncus_1,5,1700000000\ncus_2,"7,1700000000\n';
    const recs = await collect(readCsv(Readable.from([text])));
    expect(recs[0].record?.customer).toBe('cus_1');
    expect(recs.some((r) => r.error?.startsWith('unparseable CSV'))).toBe(true);
  });

  it('refuses a header without the required columns, naming them', async () => {
    await expect(collect(readCsv(Readable.from(['cust,val\ncus_1,1\n']), 'usage.csv'))).rejects.toThrow(/usage\.csv:1: the CSV header lacks customer, value, timestamp/);
  });
});

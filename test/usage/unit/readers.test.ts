import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileChunks, readCsv, readNdjson, type SourceRecord } from '../../../src/usage/readers.js';

async function collect(gen: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

describe('readNdjson', () => {
  it('keeps line numbers across blank and broken lines', async () => {
    const text = '{"customer":"cus_1","value":1}\n\n{not json\n[1,2]\r\n{"customer":"cus_2","value":2}';
    const recs = await collect(readNdjson(Readable.from([text.slice(0, 10), text.slice(10)])));
    expect(recs.map((r) => [r.line, r.record?.customer ?? r.error?.split(':')[0] ?? (r.incomplete && 'incomplete')])).toEqual([
      [1, 'cus_1'],
      [3, 'unparseable JSON'],
      [4, 'not a JSON object'],
      [5, 'incomplete'],
    ]);
    expect(recs[1].raw).toBe('{not json');
    expect(recs[3].raw).toBe('{"customer":"cus_2","value":2}');
  });

  it('drops a byte-order mark and reads a line split across chunks, even mid-character', async () => {
    const bytes = Buffer.from('\uFEFF{"customer":"cüs_1"}\r\n', 'utf8');
    const recs = await collect(readNdjson(Readable.from([bytes.subarray(0, 5), bytes.subarray(5, 17), bytes.subarray(17)])));
    expect(recs).toEqual([{ line: 1, raw: '{"customer":"cüs_1"}', record: { customer: 'cüs_1' } }]);
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

  it('reports a row with an open quote on its own line and reads the rows after it', async () => {
    const text = 'customer,value,timestamp\ncus_1,5,1700000000\ncus_2,"7,1700000000\ncus_3,"8",1700000000\n';
    const recs = await collect(readCsv(Readable.from([text])));
    expect(recs.map((r) => [r.line, r.record?.customer ?? r.error?.slice(0, 15)])).toEqual([[2, 'cus_1'], [3, 'unparseable CSV'], [4, 'cus_3']]);
    expect(recs[2].record?.value).toBe('8');
  });

  it('refuses a header naming a column twice (which of the two would a row mean?)', async () => {
    await expect(collect(readCsv(Readable.from(['customer,value,timestamp,Value\ncus_1,1,1700000000,2\n']), 'usage.csv'))).rejects.toThrow(/usage\.csv:1: the CSV header names value twice \(columns 2 and 4\)/);
  });

  it('trims fields as String.prototype.trim does, and reads columns it does not use as nothing', async () => {
    const text = 'note,customer,value,timestamp\nhello, cus_1 ,\u00a05\t,\u20281700000000 \n';
    const recs = await collect(readCsv(Readable.from([text])));
    expect(recs.map((r) => r.record)).toEqual([{ customer: 'cus_1', value: '5', timestamp: '1700000000' }]);
  });

  it('refuses a header without the required columns, naming them', async () => {
    await expect(collect(readCsv(Readable.from(['cust,val\ncus_1,1\n']), 'usage.csv'))).rejects.toThrow(/usage\.csv:1: the CSV header lacks customer, value, timestamp/);
  });
});

describe('fileChunks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chunks-'));
  const openFiles = () => readdirSync('/proc/self/fd').length;

  it('reads the whole file, or up to a limit, telling the bytes read', async () => {
    const path = join(dir, 'big.ndjson');
    const text = Array.from({ length: 5000 }, (_, i) => `{"customer":"cus_${i}","value":${i},"timestamp":1700000000}`).join('\n') + '\n';
    writeFileSync(path, text);
    for (const limit of [undefined, 65_536, 100_000, 0]) {
      let told = 0;
      const chunks: Buffer[] = [];
      for await (const c of fileChunks(path, { limit, onBytes: (n) => { told += n; } })) chunks.push(Buffer.from(c));
      const want = text.slice(0, limit ?? text.length);
      expect(Buffer.concat(chunks).toString()).toBe(want);
      expect(told).toBe(want.length);
    }
    expect((await collect(readNdjson(fileChunks(path)))).length).toBe(5000);
  });

  it('closes the file when the reading is abandoned, or fails on a file it cannot open', async () => {
    const path = join(dir, 'abandoned.ndjson');
    writeFileSync(path, 'x'.repeat(200_000));
    const before = openFiles();
    const chunks = fileChunks(path);
    await chunks.next();
    expect(openFiles()).toBe(before + 1);
    await chunks.return(undefined);
    expect(openFiles()).toBe(before);
    await expect(fileChunks(join(dir, 'missing')).next()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

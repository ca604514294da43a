import { mkdtemp, readFile, appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UsageEvent } from '../../../src/usage/event.js';
import { Journal, journalPath, parseJournal } from '../../../src/usage/journal.js';
import { ResumeFilter, normaliseRanges, rangesOf } from '../../../src/usage/ranges.js';

const ev = (line: number, value = '1'): UsageEvent => ({ line, eventName: 'e', customer: 'cus_1', value, timestamp: 1, identifier: `id-${line}-${value}`, derived: true });
const lines = (...ls: number[]) => ls.map((l) => ev(l));

describe('rangesOf', () => {
  it('splits a batch at gaps in the line numbers', () => {
    expect(rangesOf(lines(1, 2, 3, 5, 6, 9)).map((r) => [r.start, r.end, r.count])).toEqual([[1, 3, 3], [5, 6, 2], [9, 9, 1]]);
  });
});

describe('ResumeFilter', () => {
  const feed = (filter: ResumeFilter, events: UsageEvent[]) => [...events.flatMap((e) => filter.push(e)), ...filter.end()].map((e) => e.line);

  it('skips exactly the delivered lines and passes on the rest', () => {
    const delivered = [...rangesOf(lines(1, 2, 3)), ...rangesOf(lines(7, 8))];
    const filter = new ResumeFilter(normaliseRanges(delivered));
    expect(feed(filter, lines(1, 2, 3, 4, 5, 6, 7, 8, 9))).toEqual([4, 5, 6, 9]);
    expect(filter.skipped).toBe(5);
    expect(filter.changed).toBe(0);
  });

  it('sends a range again when its lines changed since delivery', () => {
    const filter = new ResumeFilter(rangesOf(lines(1, 2, 3)));
    expect(feed(filter, [ev(1), ev(2, '99'), ev(3), ev(4)])).toEqual([1, 2, 3, 4]);
    expect(filter.changed).toBe(3);
  });

  it('sends a range again when one of its lines is now missing', () => {
    const filter = new ResumeFilter(rangesOf(lines(1, 2, 3)));
    expect(feed(filter, lines(1, 3))).toEqual([1, 3]);
  });
});

describe('normaliseRanges', () => {
  it('keeps the later of two overlapping ranges', () => {
    const [a] = rangesOf(lines(1, 2, 3));
    const [b] = rangesOf([ev(2, '5'), ev(3, '5')]);
    expect(normaliseRanges([a, b])).toEqual([b]);
  });
});

describe('Journal', () => {
  it('persists ranges and reloads them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'usg-journal-'));
    const j = await Journal.open(dir, 'usage.ndjson');
    expect(j.previous).toEqual([]);
    const ranges = [...rangesOf(lines(1, 2)), ...rangesOf(lines(4))];
    j.record(ranges);
    await j.close();
    const again = await Journal.open(dir, 'usage.ndjson');
    expect(again.previous).toEqual(ranges);
    await again.close();
    const other = await Journal.open(dir, 'other.ndjson');
    expect(other.previous).toEqual([]);
    await other.close();
  });

  it('cuts off a line torn by a crash and appends cleanly after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'usg-journal-'));
    const j = await Journal.open(dir, 's');
    j.record(rangesOf(lines(1, 2)));
    await j.close();
    const path = journalPath(dir, 's');
    await appendFile(path, '3 4 2 00ab');
    const j2 = await Journal.open(dir, 's');
    expect(j2.previous.map((r) => [r.start, r.end])).toEqual([[1, 2]]);
    j2.record(rangesOf(lines(5)));
    await j2.close();
    const { ranges, intactLength } = parseJournal(await readFile(path, 'utf8'));
    expect(ranges.map((r) => [r.start, r.end])).toEqual([[1, 2], [5, 5]]);
    expect(intactLength).toBe((await readFile(path)).length);
  });

  it('treats a foreign file as empty rather than trusting it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'usg-journal-'));
    const j = await Journal.open(dir, 's');
    await j.close();
    await writeFile(journalPath(dir, 's'), 'garbage\n1 2 2 0123456789abcdef\n');
    const j2 = await Journal.open(dir, 's');
    expect(j2.previous).toEqual([]);
    await j2.close();
  });
});

import { describe, expect, it } from '@jest/globals';
import { link, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaimTable, expandInputs, sourceNames } from '../../../src/usage/files.js';

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'files-unit-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe('expandInputs', () => {
  it('takes files as named, a directory’s usage files in name order, and a pattern the shell left quoted', async () => {
    const dir = await folder({ 'b.ndjson': 'x\n', 'logs/2.csv': 'a', 'logs/1.jsonl': 'ab', 'logs/notes.txt': '', 'logs/deep/3.ndjson': '', 'day-1.ndjson': '', 'day-2.ndjson': '', 'day-10.csv': '' });
    const files = await expandInputs(dir, ['b.ndjson', 'logs', 'day-?.ndjson']);
    expect(files.map((f) => [f.shown, f.size])).toEqual([['b.ndjson', 2], ['logs/1.jsonl', 2], ['logs/2.csv', 1], ['day-1.ndjson', 0], ['day-2.ndjson', 0]]);
    expect((await expandInputs(dir, ['day-*'])).map((f) => f.shown)).toEqual(['day-1.ndjson', 'day-10.csv', 'day-2.ndjson']);
  });

  it('refuses stdin among files, a file named twice (also through a hard link), a missing file, an empty directory and an unmatched pattern', async () => {
    const dir = await folder({ 'a.ndjson': '', 'empty/readme.md': '' });
    await link(join(dir, 'a.ndjson'), join(dir, 'alias.ndjson'));
    await expect(expandInputs(dir, ['a.ndjson', '-'])).rejects.toThrow(/standard input\) cannot be combined/);
    await expect(expandInputs(dir, ['a.ndjson', 'alias.ndjson'])).rejects.toThrow(/alias\.ndjson is the same file as a\.ndjson/);
    await expect(expandInputs(dir, ['nope.ndjson'])).rejects.toThrow(/Cannot read nope\.ndjson: no such file/);
    await expect(expandInputs(dir, ['empty'])).rejects.toThrow(/empty holds no usage files/);
    await expect(expandInputs(dir, ['z*.ndjson'])).rejects.toThrow(/No file matches z\*\.ndjson/);
  });
});

describe('sourceNames', () => {
  it('names each rejects file after its file, by path when two files share a name', () => {
    const f = (shown: string) => ({ path: `/x/${shown}`, shown, size: 0 });
    expect(sourceNames([f('a.ndjson'), f('east/b.ndjson'), f('west/b.ndjson')])).toEqual(['a.ndjson', 'east_b.ndjson', 'west_b.ndjson']);
  });
});

describe('ClaimTable', () => {
  it('gives each identifier to the first file that claims it, and names that file to the others', () => {
    const claims = new ClaimTable();
    expect(Array.from(claims.claim(0, Uint32Array.from([1, 2, 3, 4])))).toEqual([-1, -1]);
    expect(Array.from(claims.claim(1, Uint32Array.from([3, 4, 5, 6])))).toEqual([0, -1]);
    expect(Array.from(claims.claim(0, Uint32Array.from([5, 6, 1, 2])))).toEqual([1, -1]);
  });
});

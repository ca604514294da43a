import { mkdtemp, readFile, appendFile, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UsageEvent } from '../../../src/usage/event.js';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseUsageRecord } from '../../../src/usage/event.js';
import { ingest } from '../../../src/usage/ingest.js';
import { Journal, JOURNAL_FILE } from '../../../src/usage/journal.js';
import { ExitCode, UserError } from '../../../src/errors.js';
import { readNdjson } from '../../../src/usage/readers.js';

const NOW = 1_800_000_000;
const ev = (n: number, check = 1, timestamp = NOW - 60): UsageEvent => ({ line: n, eventName: 'e', customer: 'cus_1', value: '1', timestamp, identifier: `id-${n}`, derived: true, keyHi: n, keyLo: n * 7, check });
const quiet = { nowSeconds: NOW, onNotice: () => {} };
const tmp = () => mkdtemp(join(tmpdir(), 'usg-journal-'));

describe('Journal', () => {
  it('stops an ingest run with its error when it can no longer be written, instead of sending on unrecorded', async () => {
    const dir = await tmp();
    const journal = await Journal.open(dir, quiet);
    const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ customer: 'cus_1', value: i, timestamp: NOW - 60, meter: 'm' })).join('\n') + '\n';
    let batches = 0;
    const result = await ingest({
      records: readNdjson(Readable.from([lines])),
      parse: (record, line) => parseUsageRecord(record, { line, resolveMeter: () => ({ eventName: 'm' }) }),
      nowSeconds: () => NOW,
      send: async () => {
        // The journal's file fails under it after the third batch (as a full or lost disk would).
        if (++batches === 3) await (journal as unknown as { handle: FileHandle }).handle.close();
      },
      journal,
      onProblem: () => {},
      concurrency: 1,
      batchSize: 10,
    });
    expect(String(result.error)).toMatch(/Cannot write the usage journal /);
    // Said as what it is, with what to do, and exit 1: not as a bug of ours.
    expect(result.error).toBeInstanceOf(UserError);
    expect(result.error).toMatchObject({ exitCode: ExitCode.error, hint: expect.stringMatching(/Free space there .* run the same command again/) });
    expect(result.stopped).toBe(true);
    expect(batches).toBeLessThan(10);
    await expect(journal.close()).rejects.toThrow(/Cannot write the usage journal/);
  });


  it('persists delivered events with their checks and reloads them', async () => {
    const dir = await tmp();
    const j = await Journal.open(dir, quiet);
    expect(j.delivered(1, 7)).toBeUndefined();
    j.record([ev(1, 11), ev(2, 22)]);
    await j.close();
    const again = await Journal.open(dir, quiet);
    expect([again.delivered(1, 7), again.delivered(2, 14), again.delivered(3, 21)]).toEqual([11, 22, undefined]);
    await again.close();
  });

  it('writes acknowledged events out on its own, not only when flushed: a killed run keeps them', async () => {
    const dir = await tmp();
    const j = await Journal.open(dir, quiet);
    for (let batch = 0; batch < 50; batch++) j.record([ev(batch * 2 + 1), ev(batch * 2 + 2)]);
    // No flush: what a run killed now leaves on disk, once the group commit has run.
    const onDisk = async () => ((await stat(join(dir, JOURNAL_FILE))).size - 16) / 16;
    const deadline = Date.now() + 5_000;
    while ((await onDisk()) < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await onDisk()).toBe(100);
    j.record([ev(101)]);
    await j.flush(); // a flush does not wait for the next group commit's turn
    expect(await onDisk()).toBe(101);
    const reread = await Journal.open(dir, { ...quiet, readOnly: true });
    expect([reread.delivered(1, 7), reread.delivered(101, 707)]).toEqual([1, 1]);
    await j.close();
  });

  it('cuts off a record torn by a crash and appends cleanly after it', async () => {
    const dir = await tmp();
    const j = await Journal.open(dir, quiet);
    j.record([ev(1)]);
    await j.close();
    const path = join(dir, JOURNAL_FILE);
    const whole = (await stat(path)).size;
    await appendFile(path, Buffer.from([1, 2, 3, 4, 5]));
    const j2 = await Journal.open(dir, quiet);
    expect(j2.delivered(1, 7)).toBe(1);
    j2.record([ev(5)]);
    await j2.close();
    expect((await stat(path)).size).toBe(whole + 16);
    const j3 = await Journal.open(dir, quiet);
    expect(j3.delivered(5, 35)).toBe(1);
    await j3.close();
  });

  it('refuses a file that is not a journal rather than trusting or overwriting it', async () => {
    const dir = await tmp();
    await writeFile(join(dir, JOURNAL_FILE), 'garbage\n');
    await expect(Journal.open(dir, quiet)).rejects.toThrow(/is not a usage journal/);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe('garbage\n');
  });

  it('forgets events older than Stripe’s 35-day window and compacts the file when they are most of it', async () => {
    const dir = await tmp();
    const j = await Journal.open(dir, quiet);
    const old: UsageEvent[] = [];
    for (let i = 1; i <= 10_001; i++) old.push(ev(i, 1, NOW - 40 * 86_400));
    j.record(old);
    j.record([ev(20_000)]);
    await j.close();
    const j2 = await Journal.open(dir, quiet);
    expect(j2.delivered(1, 7)).toBeUndefined();
    expect(j2.delivered(20_000, 140_000)).toBe(1);
    await j2.close();
    expect((await stat(join(dir, JOURNAL_FILE))).size).toBe(16 + 16);
  });

  it('lets one run at a time hold it, and reads it without the lock in a dry run', async () => {
    const dir = await tmp();
    const j = await Journal.open(dir, quiet);
    j.record([ev(1)]);
    await j.flush();
    await expect(Journal.open(dir, quiet)).rejects.toThrow(/another usage ingest \(pid \d+\)/);
    const dry = await Journal.open(dir, { ...quiet, readOnly: true });
    expect(dry.delivered(1, 7)).toBe(1);
    await dry.close();
    await j.close();
    const after = await Journal.open(dir, quiet);
    await after.close();
  });

  it('explains a directory it cannot write to, naming --journal-dir', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'file'), '');
    await expect(Journal.open(join(dir, 'file', 'state'), quiet)).rejects.toThrow(/Cannot keep the usage journal in .*file\/state/);
  });
});

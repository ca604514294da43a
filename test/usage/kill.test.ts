import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { useBuiltIngest } from './helpers/built-cli.js';
import { createCustomers, createMeter, generateUsage, tempDir, totalsFor, writeUsage } from './helpers/fixtures.js';

const { emu, spawnIngest: spawnWith } = useBuiltIngest();
const spawnIngest = (dir: string) => spawnWith(dir, ['usage.ndjson', '--meter', 'killed_metric', '--max-rps', '10', '--json']);

/** Events in the journal: 16-byte records after a 16-byte header (see src/usage/journal.ts). */
async function journalEntries(dir: string): Promise<number> {
  const size = await stat(join(dir, '.alpaca-billing/usage-journal')).then((s) => s.size, () => 0);
  return Math.max(0, Math.floor((size - 16) / 16));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('usage ingest of the built CLI killed with SIGKILL', () => {
  it('resumes after three kills at random points with totals exactly the file’s', async () => {
    const meter = await createMeter(emu.stripe, 'killed_metric');
    const customers = await createCustomers(emu.stripe, 3);
    const dir = await tempDir();
    const usage = generateUsage(customers, 6000);
    await writeUsage(dir, 'usage.ndjson', usage.text);
    const delays: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      const before = await journalEntries(dir);
      const { child, done } = spawnIngest(dir);
      // Wait for this run to journal something, then kill it at a random moment after.
      while ((await journalEntries(dir)) <= before && child.exitCode === null) await sleep(20);
      const delay = Math.floor(Math.random() * 700);
      delays.push(delay);
      await sleep(delay);
      child.kill('SIGKILL');
      const exit = await done;
      expect({ kill, delays, signal: exit.signal }).toEqual({ kill, delays, signal: 'SIGKILL' });
    }
    const { done } = spawnIngest(dir);
    const last = await done;
    expect(last.code).toBe(0);
    const report = JSON.parse(last.stdout);
    expect(report.already_sent).toBeGreaterThan(0);
    expect(report.already_sent + report.sent).toBe(6000);
    expect(await totalsFor(emu.stripe, meter.id, customers)).toEqual(usage.totals);
  }, 60_000);
});

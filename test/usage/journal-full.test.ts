// A disk that fills up during `usage ingest`: the journal cannot record what Stripe acknowledged.
// The built CLI runs under util-linux's prlimit, so its writes past a size fail with EFBIG, as on a
// full disk. The run must stop at once, say why and what to do, and a re-run must converge to
// exact totals: what was sent but not journaled is resent under the same identifiers, and counted once.
import { useBuiltIngest } from './helpers/built-cli.js';
import { createCustomers, createMeter, generateUsage, tempDir, totalsFor, writeUsage } from './helpers/fixtures.js';

const { emu, spawnIngest } = useBuiltIngest();

/** A journal is a 16-byte header and 16 bytes per acknowledged event: room for about `events`. */
const roomFor = (events: number) => 16 + 16 * events;

describe('usage ingest when the journal cannot be written', () => {
  it('one file: stops within a few batches with the error and what to do; the same command then converges', async () => {
    const meter = await createMeter(emu.stripe, 'full_disk_tokens');
    const customers = await createCustomers(emu.stripe, 3);
    const dir = await tempDir();
    const usage = generateUsage(customers, 20_000, { meter: 'full_disk_tokens' });
    await writeUsage(dir, 'usage.ndjson', usage.text);
    const args = ['usage.ndjson', '--max-rps', '0', '--concurrency', '2'];

    const full = await spawnIngest(dir, args, { fileSizeLimit: roomFor(1_000) }).done;
    expect(full.code).toBe(1);
    expect(full.stdout + full.stderr).toMatch(/Cannot write the usage journal .*usage-journal/);
    const sent = Number(/sent\s+([\d,]+)/.exec(full.stdout)?.[1].replace(/,/g, ''));
    // Stopped at the batch that found the disk full, not at the end of the file.
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(2_000);

    const again = await spawnIngest(dir, [...args, '--json']).done;
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ read: 20_000, failed: 0 });
    expect(await totalsFor(emu.stripe, meter.id, customers)).toEqual(usage.totals);
  }, 120_000);

  it('several files: the run stops its workers, says why and what to do; the same command then converges', async () => {
    const meter = await createMeter(emu.stripe, 'full_disk_files');
    const customers = await createCustomers(emu.stripe, 4);
    const dir = await tempDir();
    const a = generateUsage(customers.slice(0, 2), 10_000, { meter: 'full_disk_files' });
    const b = generateUsage(customers.slice(2), 10_000, { meter: 'full_disk_files' });
    await writeUsage(dir, 'a.ndjson', a.text);
    await writeUsage(dir, 'b.ndjson', b.text);
    const args = ['a.ndjson', 'b.ndjson', '--workers', '2', '--max-rps', '0', '--concurrency', '2', '--json'];

    const full = await spawnIngest(dir, args, { fileSizeLimit: roomFor(1_000) }).done;
    expect(full.code).toBe(1);
    const error = JSON.parse(full.stdout).error;
    expect(error.message).toMatch(/Cannot write the usage journal .*usage-journal/);
    expect(error.hint).toMatch(/run the same command again/);
    // The workers were stopped soon after, not left to send both files unrecorded.
    const total = (t: Record<string, number>) => Object.values(t).reduce((n, v) => n + v, 0);
    expect(total(await totalsFor(emu.stripe, meter.id, customers))).toBeLessThan(total({ ...a.totals, ...b.totals }) / 2);

    const again = await spawnIngest(dir, args).done;
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).totals).toMatchObject({ read: 20_000, failed: 0 });
    expect(await totalsFor(emu.stripe, meter.id, customers)).toEqual({ ...a.totals, ...b.totals });
  }, 120_000);
});

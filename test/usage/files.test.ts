// `usage ingest` of several files: the built CLI, its worker processes and the emulator, as users run it.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rename, appendFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBuiltIngest } from './helpers/built-cli.js';
import { createCustomers, createMeter, generateUsage, tempDir, totalsFor, writeUsage } from './helpers/fixtures.js';

const { emu, spawnIngest: start } = useBuiltIngest();

const ingest = (dir: string, ...args: string[]) => start(dir, args).done;

/** Usage of some customers, in a file of its own. */
function split(customers: string[], n: number, meter: string) {
  return generateUsage(customers, n, { meter });
}

function sum(...totals: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of totals) for (const [k, v] of Object.entries(t)) out[k] = (out[k] ?? 0) + v;
  return out;
}

describe('usage ingest of several files', () => {
  it('sends a directory’s files in parallel workers, adds them up, and a re-run after a rename and an append sends only the new lines', async () => {
    const meter = await createMeter(emu.stripe, 'files_tokens');
    const customers = await createCustomers(emu.stripe, 6);
    const dir = await tempDir();
    await mkdir(join(dir, 'logs'));
    const a = split(customers.slice(0, 2), 3000, 'files_tokens');
    const b = split(customers.slice(2, 4), 2000, 'files_tokens');
    const c = generateUsage(customers.slice(4), 1000, { format: 'csv' });
    await writeUsage(join(dir, 'logs'), 'a.ndjson', a.text);
    await writeUsage(join(dir, 'logs'), 'b.jsonl', b.text);
    await writeUsage(join(dir, 'logs'), 'c.csv', c.text);
    await writeUsage(join(dir, 'logs'), 'notes.txt', 'not usage\n');

    const first = await ingest(dir, 'logs', '--meter', 'files_tokens', '--max-rps', '0', '--workers', '2', '--json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.workers).toBe(2);
    expect(report.files.map((f: { source: string; sent: number }) => [f.source, f.sent])).toEqual([['logs/a.ndjson', 3000], ['logs/b.jsonl', 2000], ['logs/c.csv', 1000]]);
    expect(report.totals).toMatchObject({ read: 6000, sent: 6000, already_sent: 0, duplicates: 0, rejected: 0, failed: 0 });
    expect(new Set(report.files.map((f: { journal: string }) => f.journal))).toEqual(new Set(['logs/.alpaca-billing/usage-journal']));
    expect(await totalsFor(emu.stripe, meter.id, customers)).toEqual(sum(a.totals, b.totals, c.totals));

    // A renamed file, and lines appended to another: only the new lines go.
    await rename(join(dir, 'logs/b.jsonl'), join(dir, 'logs/b-renamed.ndjson'));
    const more = generateUsage(customers.slice(0, 2), 50, { meter: 'files_tokens', nowSec: Math.floor(Date.now() / 1000) - 7200 });
    await appendFile(join(dir, 'logs/a.ndjson'), more.text);
    const again = await ingest(dir, 'logs', '--meter', 'files_tokens', '--max-rps', '0', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).totals).toMatchObject({ read: 6050, sent: 50, already_sent: 6000, changed: 0, duplicates: 0 });
    expect(await totalsFor(emu.stripe, meter.id, customers)).toEqual(sum(a.totals, b.totals, c.totals, more.totals));
  }, 120_000);

  it('reports, never double-sends, an event another file of the run holds the identifier of; a copy in the run is sent once', async () => {
    const meter = await createMeter(emu.stripe, 'clash_tokens');
    const [x, y] = await createCustomers(emu.stripe, 2);
    const dir = await tempDir();
    const t = Math.floor(Date.now() / 1000) - 600;
    const line = (customer: string, value: number, ts = t) => `${JSON.stringify({ customer, value, timestamp: ts, meter: 'clash_tokens' })}\n`;
    await writeFile(join(dir, 'a.ndjson'), line(x, 5) + line(y, 1, t + 1));
    await writeFile(join(dir, 'b.ndjson'), line(x, 7) + line(y, 2, t + 2));
    await copyFile(join(dir, 'a.ndjson'), join(dir, 'a-copy.ndjson'));

    const run = await ingest(dir, 'a.ndjson', 'b.ndjson', 'a-copy.ndjson', '--max-rps', '0', '--json');
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 0, stdout: expect.any(String), stderr: '' });
    const report = JSON.parse(run.stdout);
    // x's events in a and b share customer, meter and second: whichever file claimed it first is sent.
    // The others are duplicates; or, when a worker read the journal after the winner's batch was
    // written, already sent (the copy) or changed (b's other value): reported, never sent.
    expect(report.totals).toMatchObject({ read: 6, sent: 3, failed: 0 });
    expect(report.totals.duplicates + report.totals.already_sent + report.totals.changed).toBe(3);
    const totals = await totalsFor(emu.stripe, meter.id, [x, y]);
    expect([5, 7]).toContain(totals[x]);
    expect(totals[y]).toBe(3);
    // The reason is in the rejects file of the file that lost, naming the one that holds the identifier.
    const losers = report.files.filter((f: { duplicates: number }) => f.duplicates > 0);
    const rejects = await Promise.all(losers.map((f: { rejects_file: string }) => readFile(join(dir, f.rejects_file), 'utf8')));
    expect(rejects.join('')).toMatch(/another file of this run, has an event with the same identifier/);

    // The same run again: nothing sent twice, nothing lost that was sent.
    const again = await ingest(dir, 'a.ndjson', 'b.ndjson', 'a-copy.ndjson', '--max-rps', '0', '--json');
    expect(JSON.parse(again.stdout).totals.sent).toBe(0);
    expect(await totalsFor(emu.stripe, meter.id, [x, y])).toEqual(totals);
  }, 60_000);

  it('refuses what it cannot do with several inputs, before sending anything (exit 3)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.ndjson'), '');
    await mkdir(join(dir, 'empty'));
    const cases: [string[], RegExp][] = [
      [['a.ndjson', '-'], /standard input\) cannot be combined/],
      [['a.ndjson', 'a.ndjson'], /a\.ndjson is the same file as a\.ndjson/],
      [['a.ndjson', 'missing.ndjson'], /Cannot read missing\.ndjson: no such file/],
      [['empty'], /empty holds no usage files/],
      [['a.ndjson', 'empty', '--rejects', 'r.ndjson'], /--rejects names one file/],
    ];
    for (const [args, message] of cases) {
      const run = await ingest(dir, ...args, '--max-rps', '0');
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 3, stderr: expect.stringMatching(message) });
    }
  }, 60_000);

  it('a worker killed mid-file fails only its file (exit 1, the others complete); a dry run then lists what is left, and the re-run sends exactly that', async () => {
    const meter = await createMeter(emu.stripe, 'files_worker_killed');
    const customers = await createCustomers(emu.stripe, 4);
    const dir = await tempDir();
    const parts = [0, 1].map((i) => split(customers.slice(2 * i, 2 * i + 2), 3000, 'files_worker_killed'));
    for (const [i, p] of parts.entries()) await writeUsage(dir, `part-${i}.ndjson`, p.text);
    const { child, done } = start(dir, ['part-0.ndjson', 'part-1.ndjson', '--max-rps', '30', '--workers', '2', '--json']);
    // Kill one worker once it has sent something.
    let victim: number | undefined;
    while (victim === undefined && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
      const journal = await stat(join(dir, '.alpaca-billing/usage-journal')).then((s) => s.size, () => 0);
      if (journal > 16 + 16 * 300) victim = Number(workersOf(child.pid!)[0]?.trim().split(/\s+/)[0]) || undefined;
    }
    process.kill(victim!, 'SIGKILL');
    const run = await done;
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const failed = report.files.filter((f: { ok: boolean }) => !f.ok);
    expect(failed).toEqual([expect.objectContaining({ error: expect.stringMatching(/worker process ended \(SIGKILL\); run the same command again/) })]);
    expect(report.files.filter((f: { ok: boolean; sent: number }) => f.ok && f.sent === 3000)).toHaveLength(1);

    const dry = await ingest(dir, 'part-0.ndjson', 'part-1.ndjson', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout);
    const left = 6000 - planned.totals.already_sent;
    expect(left).toBeGreaterThan(0);

    const last = await ingest(dir, 'part-0.ndjson', 'part-1.ndjson', '--max-rps', '0', '--json');
    expect(last.code).toBe(0);
    expect(JSON.parse(last.stdout).totals).toMatchObject({ sent: left, already_sent: 6000 - left });
    expect(await totalsFor(emu.stripe, meter.id, customers)).toEqual(sum(...parts.map((p) => p.totals)));
  }, 120_000);

  it('a run killed with SIGKILL leaves no worker behind, and the re-run converges to exact totals', async () => {
    const meter = await createMeter(emu.stripe, 'files_killed');
    const customers = await createCustomers(emu.stripe, 6);
    const dir = await tempDir();
    const parts = [0, 1, 2].map((i) => split(customers.slice(2 * i, 2 * i + 2), 4000, 'files_killed'));
    for (const [i, p] of parts.entries()) await writeUsage(dir, `part-${i}.ndjson`, p.text);
    const journal = join(dir, '.alpaca-billing/usage-journal');
    const journaled = () => stat(journal).then((s) => Math.max(0, (s.size - 16) / 16), () => 0);
    const delays: number[] = [];
    for (let kill = 0; kill < 2; kill++) {
      const before = await journaled();
      const { child, done } = start(dir, ['.', '--max-rps', '40', '--workers', '3', '--json']);
      while ((await journaled()) <= before && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      const delay = Math.floor(Math.random() * 500);
      delays.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      expect({ delays, signal: (await done).signal }).toEqual({ delays, signal: 'SIGKILL' });
      // Its workers see the channel close and end: none is left sending.
      for (let i = 0; i < 100 && workersOf(child.pid!).length; i++) await new Promise((r) => setTimeout(r, 50));
      expect(workersOf(child.pid!)).toEqual([]);
    }
    const last = await ingest(dir, '.', '--max-rps', '0', '--json');
    expect(last.code).toBe(0);
    const report = JSON.parse(last.stdout);
    expect(report.totals.already_sent).toBeGreaterThan(0);
    expect(report.totals.sent + report.totals.already_sent).toBe(12_000);
    expect(await totalsFor(emu.stripe, meter.id, customers)).toEqual(sum(...parts.map((p) => p.totals)));
  }, 120_000);
});

/** The worker processes of a run: the same command line as the run's, but another pid. */
function workersOf(parentPid: number): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  const lines = ps.split('\n').filter((l) => l.includes('usage ingest'));
  const run = lines.find((l) => l.trim().startsWith(`${parentPid} `));
  const args = (l: string) => l.trim().replace(/^\d+\s+/, '');
  return run ? lines.filter((l) => l !== run && args(l) === args(run)) : lines.filter((l) => l.includes('--workers 3'));
}

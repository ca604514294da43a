/**
 * Inputs that change between runs (issue 19, items 6-13): every scenario checks the totals Stripe
 * (the emulator) ends up with, so an event billed twice or lost fails the test.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createCustomers, createMeter, tempDir, totalsFor, writeUsage } from './helpers/fixtures.js';

let emu: TestEmulator;
let meterId: string;
const log: string[] = [];

beforeAll(async () => {
  emu = await startTestEmulator({ quiet: false, log: (line) => log.push(line) });
  meterId = (await createMeter(emu.stripe, 'once_tokens')).id;
});
afterAll(() => emu.close());

const now = Math.floor(Date.now() / 1000);
const event = (customer: string, value: number, ago: number, extra: Record<string, unknown> = {}) => JSON.stringify({ customer, value, timestamp: now - ago, ...extra });
const ingest = (cwd: string, file: string, ...extra: string[]) =>
  run(['usage', 'ingest', file, '--meter', 'once_tokens', '--max-rps', '0', '--json', ...extra], { env: emu.env, cwd });

describe('usage ingest identifies an event by its content, not its position or file', () => {
  it('inserting lines (blank or not) above delivered ones sends only the new event', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    await writeUsage(dir, 'u.ndjson', [event(c, 1, 900), event(c, 2, 800), event(c, 3, 700)].join('\n') + '\n');
    expect((await ingest(dir, 'u.ndjson')).json()).toMatchObject({ sent: 3 });
    await writeUsage(dir, 'u.ndjson', ['', event(c, 40, 950), '', event(c, 1, 900), '', event(c, 2, 800), event(c, 3, 700)].join('\r\n') + '\r\n');
    const again = await ingest(dir, 'u.ndjson');
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ sent: 1, already_sent: 3, changed: 0 });
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 46 });
  });

  it('two identical lines are two events, and stay two after a re-run', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    await writeUsage(dir, 'u.ndjson', [event(c, 5, 600), event(c, 5, 600)].join('\n') + '\n');
    expect((await ingest(dir, 'u.ndjson')).json()).toMatchObject({ sent: 2 });
    expect((await ingest(dir, 'u.ndjson')).json()).toMatchObject({ sent: 0, already_sent: 2 });
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 10 });
  });

  it('the same events renamed, copied, via stdin or from another working directory are not sent again', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    const elsewhere = await tempDir();
    const text = '\uFEFF' + [event(c, 7, 500), event(c, 8, 400)].join('\n') + '\n';
    await writeUsage(dir, 'a.ndjson', text);
    const first = await ingest(dir, 'a.ndjson');
    expect(first.json()).toMatchObject({ sent: 2, rejected: 0 });
    expect(first.json().journal).toBe(join('.alpaca-billing', 'usage-journal'));
    await rename(join(dir, 'a.ndjson'), join(dir, 'b.ndjson'));
    await copyFile(join(dir, 'b.ndjson'), join(dir, 'c.ndjson'));
    expect((await ingest(dir, 'b.ndjson')).json()).toMatchObject({ sent: 0, already_sent: 2 });
    expect((await ingest(dir, 'c.ndjson')).json()).toMatchObject({ sent: 0, already_sent: 2 });
    expect((await ingest(elsewhere, join(dir, 'c.ndjson'))).json()).toMatchObject({ sent: 0, already_sent: 2 });
    const piped = await run(['usage', 'ingest', '-', '--meter', 'once_tokens', '--max-rps', '0', '--json', '--journal-dir', join(dir, '.alpaca-billing')], { env: emu.env, cwd: elsewhere, stdin: text });
    expect(piped.json()).toMatchObject({ sent: 0, already_sent: 2 });
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 15 });
  });

  it('an edited line is reported as changed, with how to correct it, and not sent', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    await writeUsage(dir, 'u.ndjson', [event(c, 10, 900), event(c, 20, 800)].join('\n') + '\n');
    expect((await ingest(dir, 'u.ndjson')).json()).toMatchObject({ sent: 2 });
    await writeUsage(dir, 'u.ndjson', [event(c, 10, 900), event(c, 25, 800), event(c, 1, 700)].join('\n') + '\n');
    const edited = await ingest(dir, 'u.ndjson');
    expect(edited.code).toBe(0);
    const report = edited.json();
    expect(report).toMatchObject({ sent: 1, already_sent: 1, changed: 1 });
    const lines = (await readFile(join(dir, report.rejects_file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.kind);
    expect(lines).toEqual([expect.objectContaining({ line: 2, kind: 'changed', reason: expect.stringMatching(/usage cancel --meter once_tokens --identifier alp2_\w+.*negative/s) })]);
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 31 });
    const human = await run(['usage', 'ingest', 'u.ndjson', '--meter', 'once_tokens', '--max-rps', '0'], { env: emu.env, cwd: dir });
    expect(human.stdout).toMatch(/changed\s+1/);
    expect(human.stderr).toMatch(/u\.ndjson:2: changed since an earlier run delivered it.*usage cancel --meter once_tokens --identifier alp2_/);
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 31 });
    // The command the report gives does correct the usage: cancel the delivered 20, send the new 25.
    const cancel = /usage cancel --meter once_tokens --identifier (alp2_\w+)/.exec(lines[0].reason)![1];
    expect((await run(['usage', 'cancel', '--meter', 'once_tokens', '--identifier', cancel], { env: emu.env, cwd: dir })).code).toBe(0);
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 11 });
  });

  it('holds back an incomplete last line of a growing file, and sends it once complete', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    const last = event(c, 100, 300);
    await writeUsage(dir, 'g.ndjson', event(c, 1, 400) + '\n' + last.slice(0, last.length - 6));
    const partial = await ingest(dir, 'g.ndjson');
    expect(partial.code).toBe(0);
    expect(partial.json()).toMatchObject({ sent: 1, rejected: 0, incomplete_line: 2 });
    await writeUsage(dir, 'g.ndjson', event(c, 1, 400) + '\n' + last + '\n');
    expect((await ingest(dir, 'g.ndjson')).json()).toMatchObject({ sent: 1, already_sent: 1 });
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 101 });
  });

  it('reports a repeated identifier as a duplicate with its lines', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    await writeUsage(dir, 'd.ndjson', [event(c, 1, 500, { identifier: 'ev-1' }), event(c, 2, 400, { identifier: 'ev-2' }), event(c, 9, 300, { identifier: 'ev-1' })].join('\n') + '\n');
    const res = await ingest(dir, 'd.ndjson');
    expect(res.json()).toMatchObject({ sent: 2, duplicates: 1 });
    const lines = (await readFile(join(dir, res.json().rejects_file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.kind);
    expect(lines).toEqual([expect.objectContaining({ line: 3, kind: 'duplicate', reason: expect.stringMatching(/identifier 'ev-1'.*line 1/) })]);
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 3 });
  });
});

describe('usage ingest: one run at a time per journal', () => {
  it('a second ingest of the same journal while one runs is refused; the totals are the file’s', async () => {
    const customers = await createCustomers(emu.stripe, 2);
    const dir = await tempDir();
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) lines.push(event(customers[i % 2], 1, 2000 - i));
    await writeUsage(dir, 'u.ndjson', lines.join('\n') + '\n');
    await copyFile(join(dir, 'u.ndjson'), join(dir, 'copy.ndjson'));
    const [a, b] = await Promise.all([ingest(dir, 'u.ndjson', '--max-rps', '10'), ingest(dir, 'copy.ndjson', '--max-rps', '10')]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 3]);
    const refused = a.code === 3 ? a : b;
    expect(refused.stdout + refused.stderr).toMatch(/another usage ingest \(pid \d+\) is using the journal .*usage-journal/);
    expect(await totalsFor(emu.stripe, meterId, customers)).toEqual({ [customers[0]]: 500, [customers[1]]: 500 });
  });

  it('takes over a stale lock (its process has exited) with a notice', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = await new Promise<number>((r) => dead.on('exit', () => r(dead.pid!)));
    await mkdir(join(dir, '.alpaca-billing'), { recursive: true });
    await writeFile(join(dir, '.alpaca-billing', 'usage-journal.lock'), `${pid}\n`);
    await writeUsage(dir, 'u.ndjson', event(c, 4, 100) + '\n');
    const res = await run(['usage', 'ingest', 'u.ndjson', '--meter', 'once_tokens', '--max-rps', '0'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(new RegExp(`stale lock .*pid ${pid}`));
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 4 });
  });
});

describe('usage ingest beside journals of the previous version', () => {
  it('refuses to run rather than resend what they cover under new identifiers', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    await mkdir(join(dir, '.alpaca-billing', 'journal'), { recursive: true });
    await writeFile(join(dir, '.alpaca-billing', 'journal', 'u.ndjson-0123456789ab.log'), 'alpaca-billing usage journal v1 "u.ndjson"\n1 1 1 0123456789abcdef\n');
    await writeUsage(dir, 'u.ndjson', event(c, 3, 100) + '\n');
    const res = await run(['usage', 'ingest', 'u.ndjson', '--meter', 'once_tokens', '--max-rps', '0'], { env: emu.env, cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/journal holds journals of an earlier alpaca-billing/);
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 0 });
  });
});

describe('usage ingest reads broken input line by line', () => {
  it('an unterminated CSV quote rejects its own line only', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    await writeUsage(dir, 'u.csv', `customer,value,timestamp\n${c},1,${now - 60}\n${c},"2,${now - 50}\n${c},3,${now - 40}\n${c},4,${now - 30}\n`);
    const res = await ingest(dir, 'u.csv');
    expect(res.json()).toMatchObject({ sent: 3, rejected: 1 });
    const rejects = (await readFile(join(dir, res.json().rejects_file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.line);
    expect(rejects.map((r) => r.line)).toEqual([3]);
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 8 });
  });

  it('a pipe cut mid-line reports the partial line and exits 1', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    const cut = event(c, 5, 200) + '\n' + event(c, 6, 100).slice(0, 20);
    const res = await run(['usage', 'ingest', '-', '--meter', 'once_tokens', '--max-rps', '0', '--json'], { env: emu.env, cwd: dir, stdin: cut });
    expect(res.code).toBe(1);
    expect(res.json()).toMatchObject({ ok: false, sent: 1, incomplete_line: 2 });
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 5 });
  });
});

describe('usage ingest --rejects never harms another file', () => {
  it('refuses the input file itself and a file it did not write; a dry run writes nothing', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    const text = event(c, 1, 100) + '\n' + '{broken\n';
    await writeUsage(dir, 'in.ndjson', text);
    await writeUsage(dir, 'pricing.yaml', 'version: 1\nmeters: {}\nproducts: {}\n');
    const self = await ingest(dir, 'in.ndjson', '--rejects', 'in.ndjson');
    expect(self.code).toBe(3);
    expect(self.stdout + self.stderr).toMatch(/--rejects: in\.ndjson is the input file/);
    expect(await readFile(join(dir, 'in.ndjson'), 'utf8')).toBe(text);
    const foreign = await ingest(dir, 'in.ndjson', '--rejects', 'pricing.yaml');
    expect(foreign.code).toBe(3);
    expect(foreign.stdout + foreign.stderr).toMatch(/--rejects: pricing\.yaml exists and is not a rejects file/);
    expect(await readFile(join(dir, 'pricing.yaml'), 'utf8')).toBe('version: 1\nmeters: {}\nproducts: {}\n');
    const dry = await ingest(dir, 'in.ndjson', '--rejects', 'r.ndjson', '--dry-run');
    expect(dry.json()).toMatchObject({ rejected: 1 });
    await expect(readFile(join(dir, 'r.ndjson'))).rejects.toThrow(/ENOENT/);
    expect(await totalsFor(emu.stripe, meterId, [c])).toEqual({ [c]: 0 });
  });

  it('leaves PATH alone when nothing is rejected, and replaces its own earlier rejects file', async () => {
    const [c] = await createCustomers(emu.stripe, 1);
    const dir = await tempDir();
    await writeUsage(dir, 'in.ndjson', event(c, 1, 100) + '\n{broken\n');
    const first = await ingest(dir, 'in.ndjson', '--rejects', 'r.ndjson');
    expect(first.json()).toMatchObject({ rejected: 1, rejects_file: 'r.ndjson' });
    await writeUsage(dir, 'in.ndjson', event(c, 1, 100) + '\n{broken\n{again\n');
    expect((await ingest(dir, 'in.ndjson', '--rejects', 'r.ndjson')).json()).toMatchObject({ rejected: 2 });
    const ours = await readFile(join(dir, 'r.ndjson'), 'utf8');
    expect(ours.trim().split('\n').map((l) => JSON.parse(l).line).filter(Boolean)).toEqual([2, 3]);
    await writeUsage(dir, 'clean.ndjson', event(c, 2, 90) + '\n');
    expect((await ingest(dir, 'clean.ndjson', '--rejects', 'r.ndjson')).json()).toMatchObject({ rejected: 0 });
    expect(await readFile(join(dir, 'r.ndjson'), 'utf8')).toBe(ours);
  });
});

describe('usage ingest accepts the customer references usage send takes', () => {
  it('resolves emails and external ids once per distinct reference; an unknown one is a reject with its line', async () => {
    const a = await emu.stripe.customers.create({ email: 'ingest-ref-a@example.com' });
    const b = await emu.stripe.customers.create({ email: 'ingest-ref-b@example.com', metadata: { external_id: 'acct-ingest-b' } });
    const dir = await tempDir();
    const text = [
      event('ingest-ref-a@example.com', 1, 600),
      event('acct-ingest-b', 10, 500),
      event('nobody@example.com', 1000, 450),
      event('ingest-ref-a@example.com', 2, 400),
      event(a.id, 4, 300),
      event('acct-ingest-b', 20, 200),
    ].join('\n') + '\n';
    await writeUsage(dir, 'refs.ndjson', text);
    log.length = 0;
    const res = await ingest(dir, 'refs.ndjson');
    expect(res.json()).toMatchObject({ sent: 5, rejected: 1 });
    const rejects = (await readFile(join(dir, res.json().rejects_file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.line);
    expect(rejects).toEqual([expect.objectContaining({ line: 3, reason: expect.stringMatching(/nobody@example\.com/) })]);
    // One lookup per distinct reference: the list by email for the two emails, the search for the external ids.
    expect(log.filter((l) => /^GET \/v1\/customers \d/.test(l))).toHaveLength(2);
    expect(log.filter((l) => /^GET \/v1\/customers\/search \d/.test(l))).toHaveLength(2);
    expect(await totalsFor(emu.stripe, meterId, [a.id, b.id])).toEqual({ [a.id]: 7, [b.id]: 30 });
    expect((await ingest(dir, 'refs.ndjson')).json()).toMatchObject({ sent: 0, already_sent: 5 });
  });
});

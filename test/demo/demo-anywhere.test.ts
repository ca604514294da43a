/**
 * The built binary's `demo`, run the way users run it: from any directory (it carries its own
 * pricing file and reads no settings), and `--keep` printing a command that runs this installation.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { recordEnv } from '../helpers/shapes/record-env.js';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'bin/alpaca-billing.cjs');
const execFileAsync = promisify(execFile);
const env = { PATH: process.env.PATH, CI: 'true', ...recordEnv() };

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(resolve(tmpdir(), 'ab-demo-cwd-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const demo = async (cwd: string) => {
  const { stdout } = await execFileAsync(process.execPath, [bin, 'demo', '--json', '--quiet', '--events', '200'], { cwd, env });
  return JSON.parse(stdout);
};

describe('demo runs from any directory', () => {
  it('from a directory with an unrelated pricing.yaml and a settings file, neither of which it reads', async () => {
    const dir = tempDir();
    writeFileSync(resolve(dir, 'pricing.yaml'), `version: 1
meters:
  calls: { display_name: API calls, event_name: api_calls, aggregation: count }
products:
  other:
    name: Other
    prices:
      calls_monthly: { lookup_key: other_calls_monthly, currency: eur, interval: month, meter: calls, unit_amount: 1 }
`);
    // Read, these settings would fail every command (the profile does not exist).
    writeFileSync(resolve(dir, '.alpaca-billingrc.yaml'), 'file: elsewhere.yaml\nprofile: nowhere\n');
    const result = await demo(dir);
    expect(result).toMatchObject({ ok: true, events: 200, subscription_status: 'active', invoice: { currency: 'usd' } });
    expect(result.invoice.total).toBe(Math.ceil(result.tokens / 1000) * 4);
  }, 60_000);

  it('from an empty directory', async () => {
    const result = await demo(tempDir());
    expect(result).toMatchObject({ ok: true, events: 200, subscription_status: 'active' });
  }, 60_000);
});

describe('demo --keep', () => {
  it('prints a command that runs this installation (not whatever npx finds on the registry), and it works', async () => {
    const child = spawn(process.execPath, [bin, 'demo', '--keep', '--quiet', '--events', '200'], { cwd: tempDir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((done) => child.on('exit', done));
    try {
      let stdout = '';
      child.stdout.setEncoding('utf8');
      const printed = await new Promise<string>((done, fail) => {
        child.stdout.on('data', (chunk: string) => {
          stdout += chunk;
          const line = stdout.split('\n').find((l) => l.includes('usage summary'));
          if (line && stdout.includes('export STRIPE_API_BASE=')) done(line.trim());
        });
        child.on('exit', (code) => fail(new Error(`demo exited ${code} before printing the command:\n${stdout}`)));
      });
      expect(printed).not.toContain('npx');
      expect(printed).toContain(bin);
      const base = stdout.match(/export STRIPE_API_BASE=(\S+)/)![1];
      // The printed line, as a reader pastes it into a shell after the two exports.
      const { stdout: summary } = await execFileAsync('bash', ['-c', `${printed} --json`], { env: { PATH: process.env.PATH, STRIPE_API_BASE: base, STRIPE_API_KEY: 'sk_test_reader' } });
      expect(JSON.parse(summary)).toMatchObject({ customer: expect.stringMatching(/^cus_/), meter: expect.anything() });
      expect(JSON.parse(summary).total).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM'); // as Ctrl-C: the demo stops its emulator and exits
      await exited;
    }
  }, 60_000);
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { reportError } from '../../src/cli/run.js';
import { ConfigError, StripeApiError, UserError } from '../../src/errors.js';
import { MemorySink, Output } from '../../src/output/output.js';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const root = resolve(import.meta.dirname, '../..');
const SECRETS = ['sk_live_' + '51HxYzAbCdEf0123456789', 'rk_test_51HxYzAbCdEf0123456789', 'whsec_AbCdEf0123456789abcdef'];

function report(err: unknown, json = false) {
  const stdout = new MemorySink();
  const stderr = new MemorySink();
  const code = reportError(err, new Output({ stdout, stderr, env: {}, json }));
  return { code, text: stdout.text + stderr.text };
}

describe('errors never show a secret', () => {
  const errors: [string, (s: string) => unknown][] = [
    ['a user error', (s) => new UserError(`Bad key ${s}`, { hint: `Rotate ${s}` })],
    ['a Stripe API error', (s) => new StripeApiError({ message: `Invalid API Key provided: ${s}`, type: 'StripeAuthenticationError', code: 'api_key_invalid' })],
    ['a raw SDK error', (s) => ({ type: 'StripeAuthenticationError', message: `Invalid API Key provided: ${s}`, statusCode: 401 })],
    ['an internal error', (s) => new Error(`boom with ${s}`)],
    ['a config problem', (s) => new ConfigError([{ file: 'x.yaml', line: 1, col: 1, path: 'a', message: `saw ${s}`, hint: s }])],
  ];
  for (const [name, make] of errors) {
    it.each(SECRETS)(`redacts %s in ${name}, as text and as JSON`, (secret) => {
      for (const json of [false, true]) {
        const { text } = report(make(secret), json);
        expect(text).not.toContain(secret);
        expect(text).toContain(`${secret.slice(0, secret.indexOf('_', 3) + 1)}***`);
      }
    });
  }

  it('maps each kind of error to its exit code', () => {
    expect(report(new UserError('x')).code).toBe(3);
    expect(report(new ConfigError([])).code).toBe(3);
    expect(report(new StripeApiError({ message: 'x' })).code).toBe(1);
    expect(report(new Error('x')).code).toBe(1);
  });

  it('asks for a bug report on internal errors, without a stack unless --verbose', () => {
    const { text } = report(new Error('boom'));
    expect(text).toMatch(/internal error: boom/);
    expect(text).toMatch(/This is a bug in alpaca-billing/);
    expect(text).not.toMatch(/\n\s+at /);
  });
});

describe('exit codes of the CLI', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    // Accepts only its own key, so another well-formed test key gets Stripe's authentication error.
    emu = await startTestEmulator({ apiKey: 'sk_test_onlythisone' });
  });
  afterAll(() => emu.close());

  it('0 for --help, --version and a valid config', async () => {
    const help = await run(['--help'], { cwd: root });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: alpaca-billing/);
    const version = await run(['--version'], { cwd: root });
    expect(version).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version}\n` });
    expect((await run(['validate'], { cwd: root })).code).toBe(0);
    const subHelp = await run(['validate', '--help'], { cwd: root });
    expect(subHelp).toMatchObject({ code: 0, stderr: '' });
    expect(subHelp.stdout).toMatch(/Usage: alpaca-billing validate/);
  });

  it('3 for an invalid config', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-exit-'));
    writeFileSync(resolve(dir, 'pricing.yaml'), 'version: 1\nmeterz: {}\n');
    const result = await run(['validate'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/pricing.yaml:2:1 {2}meterz {2}unknown key 'meterz'/);
    expect(result.stderr).toMatch(/Did you mean 'meters'\?/);
  });

  it('3 for an unknown command or flag, and a flag value out of range', async () => {
    const command = await run(['valdate'], { cwd: root });
    expect(command.code).toBe(3);
    expect(command.stderr).toMatch(/unknown command 'valdate'/);
    const flag = await run(['validate', '--jsn'], { cwd: root });
    expect(flag.code).toBe(3);
    expect(flag.stderr).toMatch(/unknown option '--jsn'/);
    const value = await run(['customers', 'list', '--limit', 'lots'], { cwd: root, env: emu.env });
    expect(value.code).toBe(3);
    expect(value.stderr).toMatch(/--limit takes a whole number/);
  });

  it('1 for a Stripe API error, with the key redacted from what Stripe said', async () => {
    const wrongKey = 'sk_test_51NotTheEmulatorsKey0000';
    const result = await run(['customers', 'list'], { cwd: root, env: { STRIPE_API_KEY: wrongKey, STRIPE_API_BASE: emu.url } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Stripe .*Invalid API Key/);
    expect(result.stderr).not.toContain(wrongKey);
  });
});

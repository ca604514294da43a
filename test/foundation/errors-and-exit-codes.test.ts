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

describe('input errors are not reported as bugs', () => {
  let emu: TestEmulator;
  beforeAll(async () => { emu = await startTestEmulator(); });
  afterAll(() => emu.close());
  const dirWith = (files: Record<string, string | Buffer>) => {
    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-input-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(resolve(dir, name), text);
    return dir;
  };
  const notABug = (result: { code: number; stderr: string }) => {
    expect(result.stderr).not.toMatch(/internal error|This is a bug/);
    expect(result.code).toBe(3);
  };

  it('--api-base that is not a URL: exit 3 naming the flag', async () => {
    const result = await run(['customers', 'list', '--api-base', 'notaurl'], { cwd: dirWith({}), env: { STRIPE_API_KEY: emu.env.STRIPE_API_KEY } });
    notABug(result);
    expect(result.stderr).toMatch(/--api-base must be a URL such as http:\/\/127\.0\.0\.1:12111, got 'notaurl'/);
    const fromEnv = await run(['customers', 'list'], { cwd: dirWith({}), env: { STRIPE_API_KEY: emu.env.STRIPE_API_KEY, STRIPE_API_BASE: 'ftp://example.com' } });
    notABug(fromEnv);
    expect(fromEnv.stderr).toMatch(/STRIPE_API_BASE must use http or https/);
  });

  it('a malformed package.json with an alpaca-billing key: exit 3 with its position, one line, no code frame', async () => {
    const result = await run(['validate'], { cwd: dirWith({ 'package.json': '{\n  "name": "x",\n  "alpaca-billing": { "file": "a.yaml", }\n}\n' }) });
    notABug(result);
    expect(result.stderr).toMatch(/package\.json:3:41 {2}\(root\) {2}not valid JSON: Expected double-quoted property name/);
    expect(result.stderr).not.toMatch(/\| +\^|> 3 \|/);
  });

  it('a settings file with a YAML syntax error: its position once, no code frame', async () => {
    const result = await run(['validate'], { cwd: dirWith({ '.alpaca-billingrc.yaml': 'file: [a\nprofile: x\n' }) });
    notABug(result);
    expect(result.stderr).toMatch(/\.alpaca-billingrc\.yaml:2:\d+ {2}\(root\) {2}not valid YAML: missed comma/);
    expect(result.stderr).not.toMatch(/-+\^/);
  });

  it('.alpaca-billing being a file: exit 3 naming it', async () => {
    const dir = dirWith({ 'pricing.yaml': readFileSync(resolve(root, 'pricing.yaml')), '.alpaca-billing': 'not a folder', 'u.ndjson': '{"customer":"cus_1","value":1}\n' });
    expect((await run(['apply', '--yes'], { cwd: dir, env: emu.env })).code).toBe(0);
    const result = await run(['usage', 'ingest', 'u.ndjson', '--meter', 'tokens'], { cwd: dir, env: emu.env });
    notABug(result);
    expect(result.stderr).toMatch(/\.alpaca-billing is a file, not a folder/);
  });

  it('an output path through a file: exit 3 naming the path', async () => {
    const dir = dirWith({ 'pricing.yaml': readFileSync(resolve(root, 'pricing.yaml')), 'plans': 'a file' });
    const result = await run(['plan', '-o', 'plans/plan.json'], { cwd: dir, env: emu.env });
    notABug(result);
    expect(result.stderr).toMatch(/Cannot open .*plans\/plan\.json\.\d+\.tmp: a part of that path is a file, not a folder/);
  });

  it('invalid UTF-8 in pricing.yaml: exit 3 with its position', async () => {
    const bytes = Buffer.concat([Buffer.from('version: 1\nproducts:\n  a:\n    name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const result = await run(['validate'], { cwd: dirWith({ 'pricing.yaml': bytes }) });
    notABug(result);
    expect(result.stderr).toMatch(/pricing\.yaml:4:14 {2}\(root\) {2}not valid UTF-8/);
  });

  it('a second YAML document in pricing.yaml: says so without naming library functions', async () => {
    const result = await run(['validate'], { cwd: dirWith({ 'pricing.yaml': 'version: 1\n---\nversion: 1\n' }) });
    notABug(result);
    expect(result.stderr).toMatch(/pricing\.yaml:2:1 .*more than one YAML document/);
    expect(result.stderr).not.toMatch(/parseAllDocuments|YAML\./);
  });

  it('a connection error names the URL it tried (exit 1)', async () => {
    const result = await run(['customers', 'list'], { cwd: dirWith({}), env: { STRIPE_API_KEY: emu.env.STRIPE_API_KEY, STRIPE_API_BASE: 'http://127.0.0.1:9' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
    expect(result.stderr).toMatch(/hint: Is the server running\? Check --api-base/);
    expect(result.stderr).not.toMatch(/our connection to Stripe|StripeConnectionError/);
  });
});

describe('--json: every error is one JSON document on stdout', () => {
  const parse = (stdout: string) => JSON.parse(stdout) as { ok: boolean; error: { type: string; message: string } };

  it('a settings file that is not valid YAML, read before the command runs', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-json-settings-'));
    writeFileSync(resolve(dir, '.alpaca-billingrc.yaml'), 'api_key: [\n');
    const result = await run(['plan', '--json'], { cwd: dir });
    expect(result.code).toBe(3);
    const doc = parse(result.stdout);
    expect(doc).toMatchObject({ ok: false, error: { type: 'config' } });
    expect(JSON.stringify(doc)).toMatch(/not valid YAML/);
  });

  it('an unknown flag', async () => {
    const result = await run(['validate', '--json', '--nope'], { cwd: root });
    expect(result.code).toBe(3);
    expect(parse(result.stdout).error).toMatchObject({ type: 'usage', message: expect.stringMatching(/unknown option '--nope'/) });
  });

  it('an internal error', () => {
    const stdout = new MemorySink();
    const code = reportError(new Error('boom'), new Output({ stdout, stderr: new MemorySink(), env: {}, json: true }));
    expect(code).toBe(1);
    expect(parse(stdout.text).error).toMatchObject({ type: 'internal', message: 'boom' });
  });

  it('--json after -- is an argument, not the flag', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-json-dashes-'));
    writeFileSync(resolve(dir, '.alpaca-billingrc.yaml'), 'api_key: [\n');
    const result = await run(['validate', '--', '--json'], { cwd: dir });
    expect(result.stdout).toBe('');
  });
});

/**
 * The package as users get it: `npm pack`, installed globally into a temporary prefix, run from
 * another directory; and `alpaca-billing/emulator` imported by a user's own (typed) test code.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const exec = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let work: string;
let prefix: string;
let installed: string;
let emu: TestEmulator;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tarball-'));
  // dist/ is current (test/global-setup.js): pack it as is, without prepack's rebuild.
  const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root });
  const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
  prefix = join(work, 'prefix');
  await exec('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, filename)], { cwd: work });
  installed = join(prefix, 'lib/node_modules/alpaca-billing');
  emu = await startTestEmulator();
}, 240_000);
afterAll(async () => { await emu?.close(); });

const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  exec(join(prefix, 'bin/alpaca-billing'), args, { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

describe('the installed tarball', () => {
  it('ships the CLI, not the sources or the tests', async () => {
    const top = (await readdir(installed)).sort();
    expect(top).toEqual(expect.arrayContaining(['bin', 'dist', 'package.json']));
    expect(top).not.toContain('src');
    expect(top).not.toContain('test');
    expect((await readdir(join(installed, 'dist'))).sort()).toEqual(['bundle', 'emulator']);
  });

  it('installs only what runs: the bundled libraries are not dependencies', async () => {
    const names = await readdir(join(installed, 'node_modules'));
    for (const bundled of ['zod', 'yaml', 'commander', 'chalk', 'ora', 'csv-parse', 'qs', 'typescript', 'jest']) expect(names).not.toContain(bundled);
    expect(names).toEqual(expect.arrayContaining(['stripe', 'cosmiconfig', '@inquirer']));
  });

  it('runs --help, validate and plan from another directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tarball-use-'));
    await copyFile(join(root, 'pricing.yaml'), join(dir, 'pricing.yaml'));
    const help = await cli(['--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: alpaca-billing/);
    const validate = await cli(['validate'], dir);
    expect(validate.code).toBe(0);
    const plan = await cli(['plan'], dir, emu.env);
    expect(plan.stderr).not.toMatch(/internal error/);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/Plan: 3 to create/);
  });

  it('serves `alpaca-billing/emulator` to a user\'s own code, with its types', async () => {
    const app = await mkdtemp(join(tmpdir(), 'tarball-app-'));
    await mkdir(join(app, 'node_modules'));
    await symlink(installed, join(app, 'node_modules/alpaca-billing'));
    await writeFile(join(app, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(join(app, 'use.mjs'), [
      "import { startEmulator } from 'alpaca-billing/emulator';",
      'const emu = await startEmulator({ port: 0, quiet: true });',
      "const res = await fetch(`${emu.url}/v1/customers`, { method: 'POST', headers: { authorization: 'Bearer sk_test_app' }, body: new URLSearchParams({ email: 'a@example.com' }) });",
      'console.log(JSON.stringify(await res.json()));',
      'await emu.close();',
    ].join('\n'));
    const { stdout } = await exec(process.execPath, ['use.mjs'], { cwd: app });
    expect(JSON.parse(stdout)).toMatchObject({ object: 'customer', email: 'a@example.com' });

    const tsc = (file: string) => exec(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', join(root, 'node_modules/@types'), file], { cwd: app }).then(() => '', (err: { stdout: string }) => err.stdout);
    await writeFile(join(app, 'good.ts'), "import { startEmulator, type RunningEmulator } from 'alpaca-billing/emulator';\nconst emu: RunningEmulator = await startEmulator({ port: 0, latencyMs: 5 });\nconst url: string = emu.url;\nvoid url;\n");
    await writeFile(join(app, 'bad.ts'), "import { startEmulator } from 'alpaca-billing/emulator';\nawait startEmulator({ port: 'eighty' });\n");
    expect(await tsc('good.ts')).toBe('');
    expect(await tsc('bad.ts')).toMatch(/bad\.ts.*error TS2322/);
  }, 60_000);
});

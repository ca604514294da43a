#!/usr/bin/env node
// The build: `tsc` compiles src/ to dist/ (the programmatic API, e.g. dist/emulator/index.js, and
// the benchmarks use it), then esbuild bundles the CLI into dist/bundle/ (what bin/alpaca-billing.cjs
// runs), then the code cache of the bundle is written. Start-up time (issue 9) is why:
// - one CommonJS file instead of a few hundred modules (zod alone is ~100), and no ESM loader;
// - each command's code, and what only it needs, is initialised only when that command runs
//   (esbuild turns our lazy `import()`s into lazy module initialisers);
// - the emulator (dist/bundle/emulator.cjs, which shares no code with the CLI) and the prompts
//   library are separate files, loaded only by the commands that use them;
// - V8's code cache of the bundle (scripts/code-cache.mjs) skips parsing and compiling.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });

/** zod ships the error messages of ~40 languages (a third of validate's start-up); we use English. */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/zod/`) ? { path: 'zod-locales-en', namespace: 'zod-locales' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(join(root, 'node_modules/zod/v4/locales/en.js'))};`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};

/** Node built-ins that our dependencies load at start-up but use only in code paths we never take. */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    // commander requires child_process (and with it net, dgram…) for executable subcommands: we have none.
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/commander/`) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:${args.path}'))[key] });`,
      loader: 'js',
    }));
    // chalk detects colour support (loading tty and os) when imported; Output always tells chalk
    // the level, so chalk's detector for browsers, which loads nothing, is the one we bundle.
    b.onResolve({ filter: /^#supports-color$/ }, () => ({ path: join(root, 'node_modules/chalk/source/vendor/supports-color/browser.js') }));
  },
};

/** The emulator is its own bundle: the CLI's `import('../emulator/index.js')` loads that file at run time. */
const emulatorBundle = {
  name: 'emulator-bundle',
  setup(b) {
    b.onResolve({ filter: /\/emulator\/index\.js$/ }, (args) =>
      args.importer.includes(`${'src'}/emulator/`) ? undefined : { path: './emulator.cjs', external: true });
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  minify: !process.env.NO_MINIFY,
  sourcemap: 'linked',
  // `import()` of what is not bundled becomes require(): the bundle runs as a plain script.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: join(root, 'dist/bundle/alpaca-billing.cjs'),
  // stripe is loaded only by commands that call Stripe, cosmiconfig only when a settings file
  // exists, the prompts only when a question is asked: ordinary dependencies from node_modules.
  external: ['stripe', 'cosmiconfig', '@inquirer/prompts'],
  plugins: [englishOnlyZod, lazyBuiltins, emulatorBundle],
  // yaml's "node" export is CommonJS; its ES module build (the same code) lets esbuild drop what
  // we never call.
  alias: { yaml: join(root, 'node_modules/yaml/browser/index.js') },
});
await build({ ...common, entryPoints: [join(root, 'src/emulator/index.ts')], outfile: join(root, 'dist/bundle/emulator.cjs') });

// In a fresh process without flags: V8 accepts a code cache only from the same version and flags.
execFileSync(process.execPath, [join(root, 'scripts/code-cache.mjs')], { cwd: root, stdio: 'inherit', env: { PATH: process.env.PATH } });

#!/usr/bin/env node
// The build: `tsc` compiles src/ to dist/ (the programmatic API, e.g. dist/emulator/index.js, and
// the benchmarks use it), then esbuild bundles the CLI into dist/bundle/ (what bin/alpaca-billing.cjs
// runs), then the code caches of the bundles are written. Start-up time (issue 9) is why:
// - a few CommonJS files instead of a few hundred modules (zod alone is ~100), and no ESM loader;
// - the frame (alpaca-billing.cjs: the command tree, settings, output, errors, all `--help`
//   needs) is small; the commands' code (commands.cjs) is loaded when a command runs, and each
//   command's modules are initialised only when that command runs;
// - the Stripe SDK is a bundle of its own too (stripe.cjs), loaded by the commands that call Stripe:
//   from node_modules it was ~150 files and about 110 ms of CPU per run, bundled and cached about 20;
// - the emulator (emulator.cjs, which shares no code with the CLI) and the prompts library are
//   separate files, loaded only by the commands that use them;
// - V8's code caches of the two CLI bundles (scripts/code-cache.mjs) skip parsing and compiling.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = (config) => execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, config)], { cwd: root, stdio: 'inherit' });
tsc('tsconfig.build.json');
// Type declarations of the one programmatic API, `alpaca-billing/emulator` (package.json exports).
tsc('tsconfig.emulator-types.json');

/**
 * The patches below reach into dependencies' internal paths. Each records that it matched, and the
 * build fails if one did not: an update of the dependency must not silently undo the patch.
 */
const patchesMatched = new Set();
const matched = (name, result) => {
  if (result) patchesMatched.add(name);
  return result;
};

/** zod ships the error messages of ~40 languages (a third of validate's start-up); we use English. */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      matched('zod locales', args.importer.includes(`${'node_modules'}/zod/`) ? { path: 'zod-locales-en', namespace: 'zod-locales' } : undefined));
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
      matched('commander child_process', args.importer.includes(`${'node_modules'}/commander/`) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:${args.path}'))[key] });`,
      loader: 'js',
    }));
    // chalk detects colour support (loading tty and os) when imported; Output always tells chalk
    // the level, so chalk's detector for browsers, which loads nothing, is the one we bundle.
    b.onResolve({ filter: /^#supports-color$/ }, () => matched('chalk supports-color', { path: join(root, 'node_modules/chalk/source/vendor/supports-color/browser.js') }));
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
  minify: true,
  sourcemap: 'linked',
  // `import()` of what is not bundled becomes require(): the bundle runs as a plain script.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};

// The CLI is two files, and a module is in one of them only: commands.cjs takes the frame's modules
// from the frame (its `modules`, lazy getters), so there is one UserError class, one Output…
/** A module's key: its path from the repository root, as esbuild's metafile writes it. */
const keyOf = (path) => relative(root, path).split(sep).join('/');
/** An entry that exports `modules`: for each key, a function that initialises and returns the module. */
const modulesEntry = (keys, sourcefile, head = '') => ({
  contents: `${head}export const modules = {\n${keys.map((key) => `  ${JSON.stringify(key)}: () => require(${JSON.stringify(`./${key}`)}),`).join('\n')}\n};\n`,
  resolveDir: root,
  sourcefile,
  loader: 'js',
});
const cliOptions = {
  ...common,
  // cosmiconfig is loaded only when a settings file exists, the prompts only when a question is
  // asked, NATS and prom-client only by `usage relay`: ordinary dependencies from node_modules.
  // (stripe, loaded only by commands that call Stripe, is the sibling bundle stripe.cjs.)
  external: ['cosmiconfig', '@inquirer/prompts', '@nats-io/transport-node', '@nats-io/jetstream', 'prom-client'],
  // yaml's "node" export is CommonJS; its ES module build (the same code) lets esbuild drop what
  // we never call.
  alias: { yaml: join(root, 'node_modules/yaml/browser/index.js') },
};
const siblingFiles = {
  name: 'sibling-files',
  setup(b) {
    b.onResolve({ filter: /^\.\/(alpaca-billing|commands|stripe)\.cjs$/ }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /^stripe$/ }, () => ({ path: './stripe.cjs', external: true }));
  },
};
/**
 * Imports that `takes(args, path)` picks are served by the other bundle, `file`: the module there
 * is `require(file).modules[key]()`. `picked` collects the keys.
 */
function fromBundle(file, takes, picked = new Set()) {
  return {
    name: `from-${file}`,
    setup(b) {
      b.onResolve({ filter: /\?inner$/, namespace: file }, (args) => ({ path: args.path, namespace: `${file}-inner` }));
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'resolving' || args.kind === 'entry-point') return undefined;
        const { path, external } = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
        if (external || !takes(args, path)) return undefined;
        picked.add(keyOf(path));
        return { path: keyOf(path), namespace: file };
      });
      // Two layers: the CommonJS `inner` takes the module from the other bundle; the outer module
      // re-exports it as an ES module. An importer in a `"type": "module"` package (all of src/)
      // would otherwise see the CommonJS object as its default export, as Node does, instead of
      // the module's own default (ora's function: the terminal crash of issue 19).
      b.onLoad({ filter: /.*/, namespace: file }, (args) => ({ contents: `export * from ${JSON.stringify(`${args.path}?inner`)};\nexport { default } from ${JSON.stringify(`${args.path}?inner`)};`, loader: 'js', resolveDir: root }));
      b.onLoad({ filter: /.*/, namespace: `${file}-inner` }, (args) => ({ contents: `module.exports = require('./${file}').modules[${JSON.stringify(args.path.slice(0, -'?inner'.length))}]();`, loader: 'js' }));
    },
  };
}
/** In the frame, what is imported lazily (the commands: `import('../../commands/x.js')`, ora…) comes from commands.cjs. */
const lazyModules = new Set();
const lazyFromCommands = fromBundle('commands.cjs', (args, path) => args.kind === 'dynamic-import' && path.startsWith(root + sep), lazyModules);
const framePlugins = [englishOnlyZod, lazyBuiltins, emulatorBundle, lazyFromCommands, siblingFiles];
const frameOptions = { ...cliOptions, entryPoints: [join(root, 'src/cli/main.ts')], plugins: framePlugins, absWorkingDir: root };

// The frame's modules: esbuild's list of what the frame bundles (a build that writes nothing).
const { metafile } = await build({ ...frameOptions, write: false, metafile: true, sourcemap: false, minify: false });
const frameModules = Object.keys(metafile.inputs).filter((path) => !path.includes(':') && /\.(ts|js|mjs|cjs)$/.test(path));
const frameModuleSet = new Set(frameModules.map((path) => join(root, path)));

await build({
  ...frameOptions,
  entryPoints: undefined,
  stdin: modulesEntry(frameModules, 'alpaca-billing-frame.js', "export { main, runCli } from './src/cli/main.ts';\n"),
  outfile: join(root, 'dist/bundle/alpaca-billing.cjs'),
});

/** In commands.cjs, a module that is part of the frame is the frame's. */
const frameModulesFromFrame = fromBundle('alpaca-billing.cjs', (_args, path) => frameModuleSet.has(path));
await build({
  ...cliOptions,
  stdin: modulesEntry([...lazyModules], 'alpaca-billing-commands.js'),
  outfile: join(root, 'dist/bundle/commands.cjs'),
  plugins: [frameModulesFromFrame, englishOnlyZod, lazyBuiltins, emulatorBundle, siblingFiles],
  absWorkingDir: root,
});
/** The Stripe.js stand-in is a static file; the emulator bundle carries its text, so it stands alone. */
const stripeJsSource = join(root, 'src/emulator/stripe-js/stripe-v3.js');
const inlineStripeJs = {
  name: 'inline-stripe-js',
  setup(b) {
    b.onLoad({ filter: /stripe-js[\\/]script\.ts$/ }, () => ({ contents: `export const stripeJsSource = () => ${JSON.stringify(readFileSync(stripeJsSource, 'utf8'))};`, loader: 'js' }));
  },
};
const unmatched = ['zod locales', 'commander child_process', 'chalk supports-color'].filter((name) => !patchesMatched.has(name));
if (unmatched.length) throw new Error(`build: the patch for ${unmatched.join(', ')} no longer matches the dependency's files (did it change?); update scripts/build.mjs`);
await build({ ...common, entryPoints: [join(root, 'src/emulator/index.ts')], outfile: join(root, 'dist/bundle/emulator.cjs'), plugins: [inlineStripeJs] });
// tsc's dist/emulator/ (the benchmarks' programmatic API) reads it from beside its module.
copyFileSync(stripeJsSource, join(root, 'dist/emulator/stripe-js/stripe-v3.js'));

// The Stripe SDK as the CLI's bundles require it ('./stripe.cjs'). keepNames: its errors take their
// `type` from their class's name.
await build({ ...common, keepNames: true, entryPoints: [join(root, 'node_modules/stripe/cjs/stripe.cjs.node.js')], outfile: join(root, 'dist/bundle/stripe.cjs') });

// In a fresh process without flags: V8 accepts a code cache only from the same version and flags.
execFileSync(process.execPath, [join(root, 'scripts/code-cache.mjs')], { cwd: root, stdio: 'inherit', env: { PATH: process.env.PATH } });

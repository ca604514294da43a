#!/usr/bin/env node
// The build: `tsc` compiles src/ to dist/ (the programmatic API, e.g. dist/emulator/index.js, and
// the benchmarks use it), then esbuild bundles the CLI into dist/bundle/ (what bin/alpaca-billing.js
// runs). The bundle is what makes start-up fast: one file for the code every command needs, and a
// chunk per command loaded on demand, instead of a few hundred module files (zod alone is ~100).
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

await build({
  entryPoints: { 'alpaca-billing': join(root, 'src/cli/main.ts') },
  outdir: join(root, 'dist/bundle'),
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  minify: true,
  sourcemap: 'linked',
  // stripe is loaded lazily and only by commands that call Stripe; cosmiconfig only when a
  // settings file exists. Both stay ordinary dependencies, resolved from node_modules.
  external: ['stripe', 'cosmiconfig'],
  // Bundled CommonJS dependencies (commander, yaml) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __alpacaRequire } from 'node:module'; const require = __alpacaRequire(import.meta.url);" },
  plugins: [englishOnlyZod],
  // yaml's "node" export is CommonJS; its ES module build (the same code) lets esbuild drop what
  // we never call and skips the CommonJS wrapper at start-up.
  alias: { yaml: join(root, 'node_modules/yaml/browser/index.js') },
  logLevel: 'warning',
});

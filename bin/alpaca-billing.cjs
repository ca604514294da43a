#!/usr/bin/env node
'use strict';
// CommonJS on purpose: start-up time (issue 9). An ES module entry would start Node's ESM loader,
// and ES modules cannot use a V8 code cache on Node 20. The CLI is two CommonJS bundles (see
// scripts/build.mjs): dist/bundle/alpaca-billing.cjs, what every run needs, and commands.cjs, the
// commands' own code, required by the first when a command runs; stripe.cjs, the Stripe SDK, is
// required by the commands that call Stripe. Each is compiled here with the
// V8 code cache the build wrote beside it (bytecode of what `--help` and `validate` run). V8
// rejects a cache made by another Node version or with other flags; the file is then compiled
// from source as usual, only slower. ALPACA_BILLING_NO_CODE_CACHE=1 ignores the caches (the
// start-up benchmark measures both).
const { join } = require('node:path');

const dir = join(__dirname, '..', 'dist', 'bundle');
const BUNDLES = ['alpaca-billing.cjs', 'commands.cjs', 'stripe.cjs'];

/**
 * Loads the CLI; returns its exports, a require of the bundles by file ('./stripe.cjs') and, by
 * file, the compiled scripts (the build makes the caches from them).
 */
function loadCli({ useCache = !process.env.ALPACA_BILLING_NO_CODE_CACHE } = {}) {
  const { readFileSync } = require('node:fs');
  const Module = require('node:module');
  const { Script } = require('node:vm');
  const scripts = new Map();
  const loaded = new Map();
  const nodeRequire = Module.createRequire(join(dir, BUNDLES[0]));
  // The bundles require each other by file name; everything else is an ordinary require().
  const bundleRequire = (id) => {
    const name = id.startsWith('./') && id.slice(2);
    if (!BUNDLES.includes(name)) return nodeRequire(id);
    if (!loaded.has(name)) loaded.set(name, load(name));
    return loaded.get(name).exports;
  };
  function load(name) {
    const file = join(dir, name);
    let cachedData;
    if (useCache) {
      try {
        cachedData = readFileSync(`${file}.cache`);
      } catch {
        // no cache (a build that skipped it): compile from source
      }
    }
    const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
    scripts.set(name, script);
    const bundle = { exports: {} };
    loaded.set(name, bundle);
    script.runInThisContext()(bundle.exports, bundleRequire, bundle, file, dir);
    return bundle;
  }
  return { cli: bundleRequire(`./${BUNDLES[0]}`), requireBundle: bundleRequire, scripts };
}

module.exports = { loadCli, dir };

if (require.main === module) {
  const argv = process.argv.slice(2);
  // `--version` is asked by scripts and version checks: answered without loading the CLI.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) process.stdout.write(`${require('../package.json').version}\n`);
  else loadCli().cli.main(argv);
}

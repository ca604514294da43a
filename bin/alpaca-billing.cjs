#!/usr/bin/env node
'use strict';
// CommonJS on purpose: start-up time (issue 9). An ES module entry would start Node's ESM loader,
// and ES modules cannot use a V8 code cache on Node 20. So the CLI is one CommonJS bundle,
// dist/bundle/alpaca-billing.cjs, compiled here with the code cache the build wrote beside it
// (bytecode of the code `--help` and `validate` run). V8 rejects a cache made by another Node
// version or with other flags; the bundle is then compiled from source as usual, only slower.
// ALPACA_BILLING_NO_CODE_CACHE=1 ignores the cache (the start-up benchmark measures both).
const bundle = require('node:path').join(__dirname, '..', 'dist', 'bundle', 'alpaca-billing.cjs');
const codeCache = `${bundle}.cache`;

/** Loads the CLI bundle; returns its exports and the compiled script (the build makes the cache from it). */
function loadCli({ useCache = !process.env.ALPACA_BILLING_NO_CODE_CACHE } = {}) {
  const { readFileSync } = require('node:fs');
  const Module = require('node:module');
  const { dirname } = require('node:path');
  const { Script } = require('node:vm');
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(codeCache);
    } catch {
      // no cache (a build that skipped it): compile from source
    }
  }
  const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const cli = { exports: {} };
  script.runInThisContext()(cli.exports, Module.createRequire(bundle), cli, bundle, dirname(bundle));
  return { cli: cli.exports, script };
}

module.exports = { loadCli, codeCache };

if (require.main === module) {
  const argv = process.argv.slice(2);
  // `--version` is asked by scripts and version checks: answered without loading the CLI.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) process.stdout.write(`${require('../package.json').version}\n`);
  else loadCli().cli.main(argv);
}

#!/usr/bin/env node
// Writes V8's code caches of the CLI bundles (dist/bundle/*.cjs.cache), which bin/alpaca-billing.cjs
// hands to V8 so that start-up skips parsing and compiling. A cache holds the bytecode of every
// function run before it is made, so they are made after running `--help` and `validate` on the
// canonical pricing.yaml: the code every command shares, and what those two need; the Stripe SDK's
// after making a client (what every command that calls Stripe does first).
// Run by scripts/build.mjs in a fresh process; it cannot change what any command does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadCli, dir } = createRequire(import.meta.url)('../bin/alpaca-billing.cjs');
const { cli, requireBundle, scripts } = loadCli({ useCache: false });

const cwd = mkdtempSync(join(tmpdir(), 'alpaca-code-cache-')); // no settings file, nothing written
const discard = { write: () => true };
const io = { stdout: discard, stderr: discard, stdin: process.stdin, env: { CI: 'true' }, cwd };
try {
  for (const argv of [['--help'], ['validate', '--file', join(root, 'pricing.yaml')]]) {
    const code = await cli.runCli(argv, io);
    if (code !== 0) throw new Error(`code cache warm-up: \`alpaca-billing ${argv.join(' ')}\` exited ${code}`);
  }
  const Stripe = requireBundle('./stripe.cjs');
  new Stripe('sk_test_code_cache', { telemetry: false, maxNetworkRetries: 2, timeout: 80_000, appInfo: { name: 'alpaca-billing' } });
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
for (const [name, script] of scripts) writeFileSync(join(dir, `${name}.cache`), script.createCachedData());

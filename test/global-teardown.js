// After the whole run: every JSON object an emulator of the run sent (in-process or spawned) is
// checked against the stripe SDK's types (test/helpers/shapes/); any divergence fails the run.
// Jest does not transform a global hook's own imports, so the TypeScript checker is bundled first
// (esbuild, ~50 ms) next to node_modules, where its `typescript` import resolves.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export default async function globalTeardown(config) {
  const dir = process.env.ALPACA_EMULATOR_RECORD_DIR;
  if (!dir) return;
  const started = performance.now();
  const outfile = join(config.rootDir, 'node_modules/.cache/alpaca-billing-shapes', `checker-${process.pid}.mjs`);
  await build({ entryPoints: [join(config.rootDir, 'test/helpers/shapes/recorded.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
  let result;
  try {
    const { checkRecorded } = await import(pathToFileURL(outfile).href);
    result = await checkRecorded(dir);
  } finally {
    rmSync(outfile, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  const { responses, processes, report } = result;
  process.stderr.write(`shape check: ${responses} responses from ${processes} emulator process(es) against the stripe SDK's types: ${report ? 'DIVERGENCES' : 'none diverge'} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  if (report) {
    const err = new Error(report);
    err.stack = report;
    throw err;
  }
}

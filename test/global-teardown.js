// After the whole run: every JSON object an emulator of the run sent (in-process or spawned) is
// checked against the stripe SDK's types (test/helpers/shapes/); any divergence fails the run.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { importShapes } from './helpers/shapes/bundle.js';

export default async function globalTeardown(config) {
  const dir = process.env.ALPACA_EMULATOR_RECORD_DIR;
  if (!dir) return;
  const started = performance.now();
  let result;
  try {
    const { checkRecorded } = await importShapes(config.rootDir);
    result = await checkRecorded(dir);
  } finally {
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

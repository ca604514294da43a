// Builds dist/ once, before any test file runs, when it is older than the sources: the tests that
// spawn the real binary (bin/alpaca-billing.cjs → dist/) then all see one complete, current build,
// and no test file rebuilds it under another's feet. (In CI, `npm ci` has just built it.)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importShapes } from './helpers/shapes/bundle.js';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    // .js: the emulator bundle carries src/emulator/stripe-js/stripe-v3.js's text.
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.js')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default async function globalSetup(config) {
  // Every emulator of the run (in-process, or spawned with recordEnv()) records what it sends here;
  // test/global-teardown.js checks it all against the stripe SDK's types. The schema derived from
  // those types is made here when not cached (~10 s once), so no two test files derive it at once.
  process.env.ALPACA_EMULATOR_RECORD_DIR = mkdtempSync(join(tmpdir(), 'alpaca-shapes-'));
  await (await importShapes(config.rootDir)).loadSchema();
  const root = config.rootDir;
  const main = join(root, 'dist/bundle/alpaca-billing.cjs.cache');
  const sources = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'scripts/build.mjs')).mtimeMs);
  if (existsSync(main) && statSync(main).mtimeMs >= sources) return;
  process.stderr.write('\nbuilding dist/ for the tests that spawn the binary (npm run build)…\n');
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}

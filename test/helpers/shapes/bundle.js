// Jest does not transform a global hook's own imports, so test/global-setup.js and
// test/global-teardown.js load the TypeScript checker through this: bundled by esbuild (~50 ms)
// next to node_modules, where its `typescript` import resolves, then imported.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** @returns {Promise<typeof import('./recorded.ts')>} */
export async function importShapes(rootDir) {
  const outfile = join(rootDir, 'node_modules/.cache/alpaca-billing-shapes', `checker-${process.pid}.mjs`);
  await build({ entryPoints: [join(rootDir, 'test/helpers/shapes/recorded.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}

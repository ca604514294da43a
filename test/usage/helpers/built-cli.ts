import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The command line of the built CLI: bin/alpaca-billing.js when dist/ is newer than every source
 * file (test/global-setup.js normally sees to that), else a private build (node_modules/.cache, so parallel builds of dist/ cannot race it).
 */
export async function builtCli(): Promise<string[]> {
  const distMain = join(root, 'dist/cli/main.js');
  if (existsSync(distMain) && statSync(distMain).mtimeMs >= newestMtime(join(root, 'src'))) return [join(root, 'bin/alpaca-billing.js')];
  const outDir = join(root, 'node_modules/.cache/alpaca-usage-test-dist');
  // tsc still emits when other files have type errors; only a missing output is fatal here.
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir]).catch(() => undefined);
  const main = join(outDir, 'cli/main.js');
  if (!existsSync(main)) throw new Error(`could not build the CLI into ${outDir}`);
  return [main];
}

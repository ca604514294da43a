import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The command line of the built CLI, as users run it (test/global-setup.js keeps dist/ current). */
export async function builtCli(): Promise<string[]> {
  return [join(root, 'bin/alpaca-billing.cjs')];
}

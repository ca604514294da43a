import { basename, join } from 'node:path';

/**
 * The shell command that runs this installation of alpaca-billing again: its own Node and bin file,
 * by absolute path. Never `npx alpaca-billing`: outside the project, npx looks the name up on the
 * registry and would run whatever is published under it.
 */
export function selfCommand({ argv = process.argv, execPath = process.execPath, bundleDir = bundleDirectory() } = {}): string {
  // The CLI bundles live in dist/bundle/, two levels below the package's bin/.
  const bin = installedBin(bundleDir) ?? (/^alpaca-billing(\.cjs)?$/.test(basename(argv[1] ?? '')) ? argv[1] : undefined);
  return bin ? `${shellQuote(execPath)} ${shellQuote(bin)}` : 'alpaca-billing';
}

/** The bin file of the running CLI (bin/alpaca-billing.cjs), by absolute path; none when run from sources. */
export function installedBin(bundleDir = bundleDirectory()): string | undefined {
  return bundleDir ? join(bundleDir, '..', '..', 'bin', 'alpaca-billing.cjs') : undefined;
}

/** The directory of the running CLI bundle (bin/alpaca-billing.cjs gives it `__dirname`); none when run from sources. */
function bundleDirectory(): string | undefined {
  return typeof __dirname === 'string' && basename(__dirname) === 'bundle' ? __dirname : undefined;
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

import { afterAll, beforeAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { madeLater } from '../../helpers/catalog-emulator.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The command line of the built CLI, as users run it (test/global-setup.js keeps dist/ current). */
export async function builtCli(): Promise<string[]> {
  return [join(root, 'bin/alpaca-billing.cjs')];
}

export interface IngestRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Bytes any file the CLI writes may reach (RLIMIT_FSIZE): a disk that fills up mid-run. */
  fileSizeLimit?: number;
}

/**
 * For a test file: an emulator with 2 ms of latency, started before its tests and closed after
 * them (`emu` stands for it, as in useCatalogEmulator), and `usage ingest` of the built CLI against
 * it, spawned in `dir` as users run it.
 */
export function useBuiltIngest(): { emu: TestEmulator; spawnIngest(dir: string, args: string[], options?: SpawnOptions): { child: ChildProcess; done: Promise<IngestRun> } } {
  let started: { cli: string[]; emu: TestEmulator } | undefined;
  beforeAll(async () => {
    const [cli, emu] = await Promise.all([builtCli(), startTestEmulator({ latencyMs: 2 })]);
    started = { cli, emu };
  }, 180_000);
  afterAll(() => started?.emu.close());
  const emu = madeLater(() => started?.emu, 'emu');
  return {
    emu,
    spawnIngest(dir, args, options = {}) {
      const command = [process.execPath, ...started!.cli, 'usage', 'ingest', ...args];
      // util-linux's prlimit: writes past the size fail with EFBIG, as on a full disk (node ignores SIGXFSZ).
      if (options.fileSizeLimit !== undefined) command.unshift('prlimit', `--fsize=${options.fileSizeLimit}`);
      const child = spawn(command[0], command.slice(1), {
        cwd: dir,
        env: { PATH: process.env.PATH, CI: 'true', ...emu.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (c) => { stdout += c; });
      child.stderr!.on('data', (c) => { stderr += c; });
      const done = new Promise<IngestRun>((r) => child.on('exit', (code, signal) => r({ code, signal, stdout, stderr })));
      return { child, done };
    },
  };
}

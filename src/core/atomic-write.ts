import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `text` to `path` so that a crash or Ctrl-C never leaves half a file: a temporary file
 * beside it (created with `mode`, so a secret is never readable by others, not even briefly) is
 * flushed, renamed over the target, and the folder flushed so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, text: string, options: { mode?: number } = {}): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w', options.mode ?? 0o666);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      // open()'s mode is masked by the umask; chmod sets it exactly.
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // Windows cannot open a folder to flush it (and journals renames anyway).
  const dir = await open(dirname(path), 'r').catch(() => undefined);
  if (!dir) return;
  try {
    await dir.sync().catch(() => undefined);
  } finally {
    await dir.close();
  }
}

/**
 * One ingest at a time per journal: a lock file holding the holder's pid, created atomically (a
 * temporary file hard-linked into place, so the lock never exists without its pid). A lock whose
 * process is gone (a run killed with SIGKILL) is stale and taken over, with a notice; a live one is
 * refused. Two runs taking over the same stale lock in the same instant could both proceed; the
 * read-back after taking it narrows that window to the few microseconds between two syscalls.
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Takes the lock or throws a UserError (exit 3); returns its release function. */
export async function acquireLock(path: string, what: string, onNotice: (message: string) => void): Promise<() => Promise<void>> {
  const mine = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(mine, path);
        if ((await readPid(path)) === process.pid) break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readPid(path);
      if (holder !== undefined && isAlive(holder) && attempt < 3) {
        throw new UserError(`another usage ingest (pid ${holder}) is using the journal ${what}.`, {
          hint: `Wait for it to finish. If no ingest is running (the pid belongs to another program now), delete ${path}.`,
        });
      }
      if (attempt >= 3) throw new UserError(`Cannot take the lock ${path}.`, { hint: 'Another ingest keeps taking it; run one at a time.' });
      onNotice(`taking over a stale lock on ${what} (pid ${holder ?? 'unknown'} is no longer running)`);
      await unlink(path).catch(() => undefined);
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
  return async () => {
    if ((await readPid(path)) === process.pid) await unlink(path).catch(() => undefined);
  };
}

// The one way we write a file the user keeps (saved plans, pulled YAML, webhook secrets, emulator state).
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/core/atomic-write.js';

const dir = () => mkdtempSync(join(tmpdir(), 'alpaca-atomic-'));

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves nothing beside it', async () => {
    const d = dir();
    writeFileSync(join(d, 'plan.json'), 'old');
    await writeFileAtomic(join(d, 'plan.json'), 'new');
    expect(readFileSync(join(d, 'plan.json'), 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['plan.json']);
  });

  it('creates a secret readable by its owner only, whatever the umask', async () => {
    const d = dir();
    const old = process.umask(0o000);
    try {
      await writeFileAtomic(join(d, 'secrets'), 'whsec_x', { mode: 0o600 });
    } finally {
      process.umask(old);
    }
    expect(statSync(join(d, 'secrets')).mode & 0o777).toBe(0o600);
  });

  it('on failure leaves no temporary file', async () => {
    const d = dir();
    mkdirSync(join(d, 'taken'));
    await expect(writeFileAtomic(join(d, 'taken'), 'x')).rejects.toThrow();
    expect(readdirSync(d)).toEqual(['taken']);
  });
});

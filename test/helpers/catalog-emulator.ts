import { afterAll, beforeAll } from '@jest/globals';
import { createCatalog, type Catalog } from '../customers/fixtures.js';
import { run, type RunResult } from './cli.js';
import { startTestEmulator, type TestEmulator } from './emulator.js';

export interface CatalogEmulator {
  emu: TestEmulator;
  catalog: Catalog;
  /** The CLI in-process against the emulator, as a user types it. */
  cli(...args: string[]): Promise<RunResult>;
}

/**
 * The account the customer tests share: an emulator on port 0 with the customers' catalog
 * (test/customers/fixtures.ts), started before a file's tests and closed after them. `setUp` adds
 * a file's own objects. `emu` and `catalog` stand for what beforeAll makes: each property is read
 * when a test uses it, so the file writes `emu.stripe…` and `catalog.tokens` as before.
 */
export function useCatalogEmulator(setUp?: (emu: TestEmulator, catalog: Catalog) => Promise<unknown>): CatalogEmulator {
  let started: { emu: TestEmulator; catalog: Catalog } | undefined;
  beforeAll(async () => {
    const emu = await startTestEmulator();
    started = { emu, catalog: await createCatalog(emu.stripe) };
    await setUp?.(started.emu, started.catalog);
  });
  afterAll(async () => {
    await started?.emu.close();
  });
  const emu = madeLater(() => started?.emu, 'emu');
  return {
    emu,
    catalog: madeLater(() => started?.catalog, 'catalog'),
    cli: (...args) => run(args, { env: emu.env }),
  };
}

/** Stands for an object beforeAll makes: each property is read from it when used. */
export function madeLater<T extends object>(get: () => T | undefined, name: string): T {
  return new Proxy({} as T, {
    get: (_, key) => {
      const target = get();
      if (!target) throw new Error(`${name} is used before beforeAll made it (in a test or a hook, not when the file loads)`);
      return Reflect.get(target, key, target);
    },
  });
}

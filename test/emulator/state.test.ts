import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { StateFileError } from '../../src/emulator/index.js';
import { startTestEmulator } from '../helpers/emulator.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('--state', () => {
  it('keeps objects across a restart, and new ids do not collide with old ones', async () => {
    const file = join(dir, 'restart.json');
    const first = await startTestEmulator({ stateFile: file, seed: 5 });
    const meter = await first.stripe.billing.meters.create({ display_name: 'T', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
    const product = await first.stripe.products.create({ id: 'alpaca', name: 'Alpaca', metadata: { k: 'v' } });
    const price = await first.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 7, lookup_key: 'seven' });
    await first.close();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = await startTestEmulator({ stateFile: file, seed: 5 });
    try {
      await expect(second.stripe.billing.meters.retrieve(meter.id)).resolves.toMatchObject({ event_name: 'tokens' });
      await expect(second.stripe.products.retrieve('alpaca')).resolves.toMatchObject({ metadata: { k: 'v' } });
      const found = await second.stripe.prices.list({ lookup_keys: ['seven'] });
      expect(found.data.map((p) => p.id)).toEqual([price.id]);
      // The same seed after a restart continues the id sequence instead of repeating it.
      const another = await second.stripe.prices.create({ product: 'alpaca', currency: 'usd', unit_amount: 8 });
      expect(another.id).not.toBe(price.id);
      await expect(second.stripe.billing.meters.create({ display_name: 'T', event_name: 'tokens', default_aggregation: { formula: 'sum' } })).rejects.toMatchObject({ param: 'event_name' });
    } finally {
      await second.close();
    }
  });

  it('has every change on disk before answering, without waiting for close', async () => {
    const file = join(dir, 'durable.json');
    const copy = join(dir, 'durable-copy.json');
    const emu = await startTestEmulator({ stateFile: file });
    let product: Stripe.Product;
    try {
      product = await emu.stripe.products.create({ name: 'Saved at once' });
      await emu.stripe.products.update(product.id, { metadata: { step: '2' } });
      // The files as a crash right after the answer would leave them.
      await copyFile(file, copy);
      await copyFile(`${file}.wal`, `${copy}.wal`);
    } finally {
      await emu.close();
    }
    const restarted = await startTestEmulator({ stateFile: copy });
    try {
      await expect(restarted.stripe.products.retrieve(product.id)).resolves.toMatchObject({ name: 'Saved at once', metadata: { step: '2' } });
    } finally {
      await restarted.close();
    }
  });

  it('refuses a corrupt state file with a clear error and leaves it untouched', async () => {
    const file = join(dir, 'corrupt.json');
    await writeFile(file, '{"format": "alpaca-billing-emulator-state", "version": 1, "collections": {');
    const err = await startTestEmulator({ stateFile: file }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StateFileError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/invalid JSON/);
    expect(await readFile(file, 'utf8')).toContain('"collections": {');
  });

  it('refuses a JSON file that is not emulator state', async () => {
    const file = join(dir, 'other.json');
    await writeFile(file, '{"hello": "world"}');
    await expect(startTestEmulator({ stateFile: file })).rejects.toThrow(/not usable: missing "format"/);
  });

  it('refuses a path it cannot write at start, not at the first save', async () => {
    const file = join(dir, 'no-such-dir', 'state.json');
    await expect(startTestEmulator({ stateFile: file })).rejects.toThrow(/cannot write it.*writable directory/);
  });

  it('starts empty when the file does not exist yet', async () => {
    const file = join(dir, 'fresh.json');
    const emu = await startTestEmulator({ stateFile: file });
    await expect(emu.stripe.products.list()).resolves.toMatchObject({ data: [] });
    await emu.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ format: 'alpaca-billing-emulator-state', version: 1 });
  });
});

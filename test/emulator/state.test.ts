import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { StateFileError } from '../../src/emulator/index.js';
import { restartAfterCrash, startTestEmulator } from '../helpers/emulator.js';

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
    await restartAfterCrash(join(dir, 'durable.json'), async (emu) => {
      const product = await emu.stripe.products.create({ name: 'Saved at once' });
      await emu.stripe.products.update(product.id, { metadata: { step: '2' } });
      const gone = await emu.stripe.customers.create({ email: 'gone@example.com' });
      await emu.stripe.customers.del(gone.id);
      return { product: product.id, deleted: gone.id };
    }, async (restarted, { product, deleted }) => {
      await expect(restarted.stripe.products.retrieve(product)).resolves.toMatchObject({ name: 'Saved at once', metadata: { step: '2' } });
      await expect(restarted.stripe.customers.retrieve(deleted)).resolves.toMatchObject({ id: deleted, deleted: true });
    });
  });

  it('drops a log record cut short by a crash, and refuses a damaged one before the last', async () => {
    const file = join(dir, 'torn.json');
    const emu = await startTestEmulator({ stateFile: file });
    let kept: Stripe.Product;
    try {
      kept = await emu.stripe.products.create({ name: 'Acknowledged' });
      await copyFile(file, join(dir, 'torn-copy.json'));
      await copyFile(`${file}.wal`, join(dir, 'torn-copy.json.wal'));
    } finally {
      await emu.close();
    }
    const copy = join(dir, 'torn-copy.json');
    const log = await readFile(`${copy}.wal`, 'utf8');
    // A write the crash cut in half: its request was never answered.
    await writeFile(`${copy}.wal`, `${log}{"seq":99,"random":1,"put":{"products":[{"id":"prod_half`);
    const lines: string[] = [];
    const restarted = await startTestEmulator({ stateFile: copy, log: (l) => lines.push(l) });
    try {
      await expect(restarted.stripe.products.retrieve(kept.id)).resolves.toMatchObject({ name: 'Acknowledged' });
      expect(lines.join('\n')).toMatch(/torn-copy\.json\.wal line \d+ was cut short by a crash/);
    } finally {
      await restarted.close();
    }

    const damaged = join(dir, 'damaged.json');
    await copyFile(copy, damaged);
    await writeFile(`${damaged}.wal`, `{"seq":100,"random":1,"put":{"products":[{"id":"prod_x"}]}}\nnot a record\n{"seq":101,"random":1}\n`);
    const err = await startTestEmulator({ stateFile: damaged }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StateFileError);
    expect((err as Error).message).toContain(`${damaged}.wal is not usable: line 2 is not a log record`);
  });

  it('refuses stored objects of the wrong type, naming each one', async () => {
    const file = join(dir, 'typed.json');
    const doc = {
      format: 'alpaca-billing-emulator-state', version: 1, random: 1,
      collections: { customers: [5, { id: 7 }, { id: 'cus_ok' }] },
      slices: { metering: { aggregates: 'x', identifiers: [{ hash: '0123456789abcdef', eventName: 'tokens', receivedAt: '1', contribution: null, state: 'pending' }] } },
    };
    await writeFile(file, JSON.stringify(doc));
    const err = await startTestEmulator({ stateFile: file }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StateFileError);
    const message = (err as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('collections.customers[0]: must be an object, got 5');
    expect(message).toContain('collections.customers[1].id: must be a non-empty string, got 7');
    expect(message).toContain('slices.metering.aggregates: must be an array');
    expect(message).toContain('slices.metering.identifiers[0].receivedAt: must be a number');
    expect(message).toContain('slices.metering.identifiers[0].contribution: must be an object');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(doc);
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

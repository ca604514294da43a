import { copyFile } from 'node:fs/promises';
import Stripe from 'stripe';
import { startEmulator, type EmulatorOptions, type EmulatorCore } from '../../src/emulator/index.js';

export interface TestEmulator {
  url: string;
  port: number;
  core: EmulatorCore;
  close(): Promise<void>;
  /** The real SDK pointed at the emulator, without retries (tests see every failure). */
  stripe: Stripe;
  /** Environment for `run(args, { env })`: a test key and STRIPE_API_BASE. */
  env: { STRIPE_API_KEY: string; STRIPE_API_BASE: string };
  /** Another SDK client on the same emulator with other settings (e.g. retries, another key). */
  client(options?: { apiKey?: string; maxNetworkRetries?: number }): Stripe;
}

export const TEST_API_KEY = 'sk_test_emulator_0123456789';

/** Starts an emulator on a free port (aggregation delay 0, no request log unless asked). */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emu = await startEmulator({ port: 0, aggregationDelayMs: 0, quiet: true, ...options });
  const client = ({ apiKey = options.apiKey ?? TEST_API_KEY, maxNetworkRetries = 0 } = {}) =>
    new Stripe(apiKey, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries, telemetry: false });
  return {
    url: emu.url,
    port: emu.port,
    core: emu.core,
    close: emu.close,
    stripe: client(),
    env: { STRIPE_API_KEY: options.apiKey ?? TEST_API_KEY, STRIPE_API_BASE: emu.url },
    client,
  };
}

/**
 * `before` runs on an emulator keeping its state in `file`; its state file and log are then copied
 * as a crash right after its last answer would leave them (what a clean close writes never reaches
 * the copy), and `after` runs on an emulator started from the copy. Both are closed whatever happens.
 */
export async function restartAfterCrash<T>(file: string, before: (emu: TestEmulator) => Promise<T>, after: (restarted: TestEmulator, made: T) => Promise<void>): Promise<void> {
  const copy = file.replace(/(\.json)?$/, '-crashed.json');
  const emu = await startTestEmulator({ stateFile: file });
  let made: T;
  try {
    made = await before(emu);
    await copyFile(file, copy);
    await copyFile(`${file}.wal`, `${copy}.wal`);
  } finally {
    await emu.close();
  }
  const restarted = await startTestEmulator({ stateFile: copy });
  try {
    await after(restarted, made);
  } finally {
    await restarted.close();
  }
}

/** Resolves with the SDK error a call rejects with; a call that succeeds fails the test. */
export const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: Stripe.errors.StripeError) => e,
  );

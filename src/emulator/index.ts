// The offline Stripe emulator's entry point. Folders by area, each with its store, rules and
// routes: catalog/ (meters, products, prices), customers/ (customers, payment methods, setup and
// payment intents, test cards), checkout/, billing/ (subscriptions, schedules, invoices, cycle,
// dunning, credits, alerts, test clocks), metering/, events/, stripe-js/; http/ is shared HTTP
// plumbing only; collection-names.ts names every stored collection once. SPEC.md "Layout" has more.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configureBilling } from './billing/store.js';
import { EmulatorCore } from './core.js';
import { createRequestHandler } from './http/server.js';
import { Router } from './http/router.js';
import { Persistence } from './persistence.js';
import { routeModules } from './routes.js';
import { logFileOf, readLogFile, readStateFile, StateFileError } from './state-file.js';
import { applyBatch, type StateDocument } from './store.js';
import type { EmulatorOptions, ResolvedOptions, RunningEmulator } from './types.js';

export type { EmulatorOptions, RunningEmulator, EmuRequest, Route, RouteModule, UsageSource, Expander } from './types.js';
export { RawResponse } from './types.js';
export { EmulatorCore, EMULATOR_ACCOUNT_ID } from './core.js';
export { StateFileError };

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const faultRate = options.faultRate ?? 0;
  if (!(faultRate >= 0 && faultRate <= 1)) throw new RangeError(`faultRate must be between 0 and 1, got ${faultRate}`);
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 12111,
    stateFile: options.stateFile,
    latencyMs: options.latencyMs ?? 0,
    faultRate,
    rateLimit: options.rateLimit ?? 0,
    seed: options.seed,
    aggregationDelayMs: options.aggregationDelayMs ?? 1000,
    sessionTtlSeconds: options.sessionTtlSeconds ?? 900,
    apiKey: options.apiKey,
    quiet: options.quiet ?? false,
    log: options.log ?? ((line) => process.stderr.write(line + '\n')),
    releaseInactiveMeterNames: options.releaseInactiveMeterNames ?? false,
    clock: options.clock ?? Date.now,
    afterFailedRetries: options.afterFailedRetries,
  };
}

/**
 * Starts the emulator: loads --state (a corrupt file is a StateFileError, never discarded), lets
 * each route module set up its hooks, and listens on one port for v1, v2 and the meter event stream.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const core = new EmulatorCore(resolved);
  const file = resolved.stateFile;
  const loaded = file ? await loadState(file, resolved.log) : undefined;
  if (loaded?.doc) core.loadState(loaded.doc);
  for (const module of routeModules) module.setup?.(core);
  if (resolved.afterFailedRetries) configureBilling(core, { afterRetries: resolved.afterFailedRetries });
  const router = new Router(routeModules.flatMap((m) => m.routes));
  let persistence: Persistence | undefined;
  if (file && loaded) {
    for (const { line, ops } of loaded.ops) {
      try {
        core.replay(ops);
      } catch (err) {
        throw new StateFileError(logFileOf(file), `line ${line}: ${(err as Error).message}`, `It is ${file}'s write-ahead log; move both files away to start empty.`);
      }
    }
    // Writes the snapshot at once, so an unwritable path fails now rather than at the first change.
    persistence = await Persistence.open(core, file, loaded.doc?.walSeq ?? 0).catch((err: Error) => {
      throw new StateFileError(file, `cannot write it (${err.message})`, 'Point --state at a file in a writable directory.');
    });
  }

  const server = createServer({ keepAliveTimeout: 30_000 }, createRequestHandler(core, router));
  try {
    await listen(server, resolved.host, resolved.port);
  } catch (err) {
    await persistence?.flush().catch(() => undefined);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      await core.runClosers();
      if (persistence) await persistence.flush();
    })());

  return { url: `http://${hostForUrl}:${port}`, port, close, core };
}

/**
 * The snapshot with the write-ahead log replayed onto it: collections and slices now, the owners'
 * own changes (meter events) once their modules are set up.
 */
async function loadState(file: string, log: (line: string) => void): Promise<{ doc?: StateDocument; ops: Array<{ line: number; ops: unknown[][] }> }> {
  const snapshot = await readStateFile(file);
  const { batches, tornLine } = await readLogFile(file);
  if (!snapshot) {
    // The snapshot is written before any log record: a log without one is left from a state the
    // user deleted, and starting empty is what they asked for (the log is emptied on open).
    if (batches.length) log(`emulator: ${file} does not exist; ignoring the write-ahead log ${logFileOf(file)} left beside it`);
    return { ops: [] };
  }
  if (tornLine) log(`emulator: ${logFileOf(file)} line ${tornLine} was cut short by a crash (its request was never answered); dropped`);
  const index = new Map<string, Map<string, number>>();
  const ops: Array<{ line: number; ops: unknown[][] }> = [];
  for (const { line, batch } of batches) {
    if (batch.seq <= (snapshot.walSeq ?? 0)) continue;
    ops.push({ line, ops: applyBatch(snapshot, batch, index) });
  }
  return { doc: snapshot, ops };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

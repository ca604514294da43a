import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorCore } from './core.js';
import { createRequestHandler } from './http/server.js';
import { Router } from './http/router.js';
import { Persistence } from './persistence.js';
import { routeModules } from './routes/index.js';
import { readStateFile, StateFileError, writeStateFile } from './state-file.js';
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
  };
}

/**
 * Starts the emulator: loads --state (a corrupt file is a StateFileError, never discarded), lets
 * each route module set up its hooks, and listens on one port for v1, v2 and the meter event stream.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const core = new EmulatorCore(resolved);
  let persistence: Persistence | undefined;
  if (resolved.stateFile) {
    const doc = await readStateFile(resolved.stateFile);
    if (doc) core.loadState(doc);
    // A fresh file is written at once, so an unwritable path fails now rather than at the first save.
    else await writeStateFile(resolved.stateFile, core.snapshotState()).catch((err: Error) => {
      throw new StateFileError(resolved.stateFile!, `cannot write it (${err.message})`, 'Point --state at a file in a writable directory.');
    });
  }
  for (const module of routeModules) module.setup?.(core);
  const router = new Router(routeModules.flatMap((m) => m.routes));
  if (resolved.stateFile) persistence = new Persistence(core, resolved.stateFile);

  const server = createServer({ keepAliveTimeout: 30_000 }, createRequestHandler(core, router));
  await listen(server, resolved.host, resolved.port);
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

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

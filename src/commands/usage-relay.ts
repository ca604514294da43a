import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { customerResolver } from '../customers/resolve.js';
import { ExitCode, UserError } from '../errors.js';
import type { StripeClient } from '../stripe/client.js';
import { parseUsageRecord } from '../usage/event.js';
import { defaultRps, RateLimiter } from '../stripe/rate-limiter.js';
import { serveMetrics, type MetricsServer } from '../usage/relay/metrics.js';
import { openNatsSource } from '../usage/relay/nats-source.js';
import { runRelay, type RelayStats } from '../usage/relay/relay.js';
import type { UsageSource } from '../usage/relay/source.js';
import { intervalReport, renderInterval } from '../usage/relay/report.js';
import { loadMeterCatalog, requireMeter } from '../cli/usage-setup.js';
import { StreamSender } from '../usage/stream-sender.js';

export interface UsageRelayOptions {
  nats: string;
  stream: string;
  consumer: string;
  subject?: string;
  meter?: string;
  maxRps?: number;
  batch?: number;
  concurrency?: number;
  rejectsSubject?: string;
  metricsPort?: number;
  creds?: string;
  interval?: number;
}

/** After a stop is asked, batches still retrying give up after this (SIGTERM ends the process at 3 s). */
const DRAIN_MS = 2_000;
/** Lookups are remembered this long: a customer created later, or renamed, is found again. */
const RESOLVER_TTL_MS = 10 * 60_000;
/** Stripe's meters are read again at most this often, when a message names one not seen yet. */
const METERS_REFRESH_MS = 10_000;

/** `usage relay`: usage events from a JetStream consumer to Stripe's meter event stream, acknowledged after Stripe. */
export async function usageRelayCommand(ctx: CommandContext, options: UsageRelayOptions): Promise<number> {
  const servers = parseServers(options.nats);
  const creds = options.creds ? await readCreds(resolve(ctx.cwd, options.creds), options.creds) : undefined;
  const loaded = await loadMeterCatalog(ctx);
  const stripe = loaded.stripe!;
  let catalog = loaded.catalog;
  if (options.meter) requireMeter(catalog, options.meter);
  // A relay runs for weeks: a meter created meanwhile is looked up again before its events are refused.
  let refreshedAt = 0;
  let refreshing: Promise<void> | undefined;
  const knowMeter = async (meter: string) => {
    if (catalog.find(meter)) return;
    if (!refreshing && Date.now() - refreshedAt >= METERS_REFRESH_MS) {
      refreshedAt = Date.now();
      refreshing = loadMeterCatalog(ctx).then(
        (r) => { catalog = r.catalog; },
        (err: unknown) => ctx.out.warn(`reading Stripe's meters failed, keeping the list read before: ${describe(err)}`),
      ).finally(() => { refreshing = undefined; });
    }
    await refreshing;
  };

  const stats: RelayStats = { relayed: 0, rejected: 0, redelivered: 0 };
  // Before NATS: a taken port is a flag error, found before a consumer is created.
  const connected: { source?: UsageSource } = {};
  const metrics = options.metricsPort === undefined ? undefined : await startMetrics(options.metricsPort, stats, () => connected.source?.pending() ?? Promise.reject(new Error('not connected')));
  ctx.out.info(`connecting to NATS at ${servers.join(', ')}…`);
  const source = await openNatsSource({
    servers,
    stream: options.stream,
    consumer: options.consumer,
    subject: options.subject,
    rejectsSubject: options.rejectsSubject ?? 'alpaca-billing.rejects',
    creds,
    onStatus: (text) => ctx.out.info(text),
  }).catch(async (err: unknown) => {
    await metrics?.close();
    if (err instanceof UserError) throw err;
    throw new UserError(`NATS at ${servers.join(', ')}: ${(err as Error).message}`, { exitCode: ExitCode.error, hint: 'The relay needs JetStream: nats-server -js.' });
  });
  connected.source = source;

  let timer: NodeJS.Timeout | undefined;
  let result;
  try {
    // From here on a stop finishes the batches in hand; before, there was nothing to finish.
    const signal = ctx.interruptible();
    const hardStop = new AbortController();
    signal.addEventListener('abort', () => setTimeout(() => hardStop.abort(), DRAIN_MS).unref(), { once: true });
    const sender = new StreamSender({
      stripe,
      limiter: new RateLimiter(options.maxRps ?? defaultRps(ctx.mode(), 'meterEventStream')),
      meterFor: (name) => catalog.byEvent(name),
      signal: hardStop.signal,
      onRetry: ({ attempt, reason, delayMs }) => ctx.out.debug(`retry ${attempt} in ${delayMs} ms: ${reason}`),
    });
    const latencies: number[] = [];
    let previous = { ...stats };
    let previousAt = performance.now();
    timer = setInterval(async () => {
      const pending = await source.pending().catch(() => undefined);
      const now = performance.now();
      const report = intervalReport(new Date(), stats, previous, (now - previousAt) / 1000, latencies.splice(0), pending);
      previous = { ...stats };
      previousAt = now;
      if (ctx.out.json) ctx.out.data(report, { ndjson: true });
      else ctx.out.info(renderInterval(report));
    }, (options.interval ?? 10) * 1000);
    ctx.out.info(`relaying to Stripe${options.maxRps === 0 ? '' : ` at most ${options.maxRps ?? defaultRps(ctx.mode(), 'meterEventStream')} requests/s`}; SIGTERM or Ctrl-C stops after the batches in hand.`);
    result = await runRelay({
      source,
      stats,
      parse: async (record) => {
        const meter = typeof record.meter === 'string' && record.meter.trim() ? record.meter.trim() : options.meter;
        if (meter) await knowMeter(meter);
        return parseUsageRecord(record, { line: 0, defaultMeter: options.meter, resolveMeter: catalog.resolve });
      },
      resolveCustomer: refreshingResolver(stripe),
      send: (events) => sender.send(events),
      nowSeconds: () => Math.floor(Date.now() / 1000),
      batchSize: options.batch ?? 100,
      concurrency: options.concurrency ?? 4,
      signal,
      onDelivered: (events, ms) => {
        latencies.push(ms);
        metrics?.observeDelivery(events, ms);
      },
      onRetry: (what, err) => ctx.out.warn(`${what} failed, retrying: ${describe(err)}`),
    });
  } finally {
    clearInterval(timer);
    await metrics?.close();
    await source.close();
  }
  const summary = { ok: result.error === undefined, relayed: stats.relayed, rejected: stats.rejected, redelivered: stats.redelivered, ...(result.error !== undefined ? { error: describe(result.error) } : {}) };
  if (ctx.out.json) ctx.out.data(summary, { ndjson: true });
  else ctx.out.info(`relay stopped: ${stats.relayed} relayed, ${stats.rejected} rejected, ${stats.redelivered} handed back for redelivery.`);
  if (result.error !== undefined) throw result.error;
  return ExitCode.ok;
}

function describe(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}

/** `--nats`: a comma-separated list of servers (nats://host:port, or host:port). */
export function parseServers(flag: string): string[] {
  const servers = flag.split(',').map((s) => s.trim()).filter(Boolean);
  if (!servers.length) throw new UserError('--nats: no server given.', { hint: 'Pass the NATS servers, e.g. --nats nats://nats-1:4222,nats://nats-2:4222.' });
  for (const s of servers) {
    let url: URL | undefined;
    try {
      url = new URL(s.includes('://') ? s : `nats://${s}`);
    } catch {
      url = undefined;
    }
    if (!url || !['nats:', 'tls:'].includes(url.protocol) || !url.hostname) {
      throw new UserError(`--nats: '${s}' is not a NATS server address.`, { hint: 'Use nats://host:port (or tls://host:port), comma-separated for a cluster.' });
    }
  }
  return servers;
}

async function readCreds(path: string, shown: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new UserError(`--creds: cannot read ${shown}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`, { hint: 'Give the NATS credentials file (.creds) of the relay\'s user.' });
  }
}

async function startMetrics(port: number, stats: RelayStats, pending: () => Promise<{ waiting: number; unacknowledged: number }>): Promise<MetricsServer> {
  try {
    return await serveMetrics({ port, stats, pending });
  } catch (err) {
    throw new UserError(`--metrics-port: cannot listen on port ${port}: ${(err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'already in use' : (err as Error).message}.`, { hint: 'Pick a free port, or leave --metrics-port out.' });
  }
}

/**
 * ingest's customer lookup, remembered per reference, but for a process that runs for weeks: the
 * memory is dropped every few minutes (a customer created after a miss is found) and after a
 * failed lookup (which must not be remembered as a failure).
 */
function refreshingResolver(stripe: StripeClient) {
  let resolver = customerResolver(stripe);
  let bornAt = Date.now();
  const renew = () => {
    resolver = customerResolver(stripe);
    bornAt = Date.now();
  };
  return async (reference: string) => {
    if (Date.now() - bornAt > RESOLVER_TTL_MS) renew();
    const current = resolver;
    try {
      return await current(reference);
    } catch (err) {
      if (resolver === current) renew();
      throw err;
    }
  };
}

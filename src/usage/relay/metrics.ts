/**
 * `--metrics-port`: the relay's figures for Prometheus (prom-client), the same as the interval line
 * on stderr, plus the consumer's pending count read from the log at each scrape.
 */
import { createServer } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RelayStats } from './relay.js';

export interface MetricsServer {
  /** The port listened on (the one asked for, or the one picked for port 0). */
  port: number;
  observeDelivery(events: number, ms: number): void;
  close(): Promise<void>;
}

export interface MetricsOptions {
  port: number;
  stats: RelayStats;
  pending(): Promise<{ waiting: number; unacknowledged: number }>;
}

/** A counter that follows one of the relay's running totals, read at each scrape. */
function totalCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name, help, registers: [registry],
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = now;
    },
  });
}

export async function serveMetrics(options: MetricsOptions): Promise<MetricsServer> {
  const registry = new Registry();
  totalCounter(registry, 'alpaca_billing_relay_events_relayed_total', 'Events Stripe acknowledged (and the log then acknowledged).', () => options.stats.relayed);
  totalCounter(registry, 'alpaca_billing_relay_events_rejected_total', 'Messages refused (invalid, or refused by Stripe) and published to the rejects subject.', () => options.stats.rejected);
  totalCounter(registry, 'alpaca_billing_relay_events_redelivered_total', 'Messages handed back for redelivery after a failed delivery.', () => options.stats.redelivered);
  const latency = new Histogram({
    name: 'alpaca_billing_relay_batch_seconds',
    help: 'Time for Stripe to acknowledge a batch, retries and rate-limit waits included.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const pendingGauge = (name: string, help: string, pick: (p: { waiting: number; unacknowledged: number }) => number) => new Gauge({
    name, help, registers: [registry],
    async collect() {
      // A scrape while the log is unreachable still answers, without this figure.
      const p = await options.pending().catch(() => undefined);
      if (p) this.set(pick(p));
    },
  });
  pendingGauge('alpaca_billing_relay_consumer_pending', 'Messages of the consumer not yet delivered to any relay.', (p) => p.waiting);
  pendingGauge('alpaca_billing_relay_consumer_ack_pending', 'Messages delivered to relays and not yet acknowledged.', (p) => p.unacknowledged);

  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('see /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    observeDelivery: (_events, ms) => latency.observe(ms / 1000),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

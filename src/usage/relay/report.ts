/**
 * The relay's line per interval (stderr) or JSON object per interval (`--json`, stdout): pure,
 * from two snapshots of the running totals and the batch latencies seen in between.
 */
import type { RelayStats } from './relay.js';

export interface IntervalReport {
  time: string;
  relayed: number;
  rejected: number;
  redelivered: number;
  /** Events relayed per second over the interval. */
  per_second: number;
  /** Time for Stripe to acknowledge a batch over the interval, retries and rate waits included. */
  latency_ms: { p50: number; p99: number } | null;
  /** The consumer's messages not yet delivered, and delivered but unacknowledged; null when the log could not say. */
  pending: number | null;
  ack_pending: number | null;
}

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]);
}

export function intervalReport(now: Date, stats: RelayStats, previous: RelayStats, seconds: number, latencies: number[], pending?: { waiting: number; unacknowledged: number }): IntervalReport {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    time: now.toISOString(),
    relayed: stats.relayed,
    rejected: stats.rejected,
    redelivered: stats.redelivered,
    per_second: seconds > 0 ? Math.round((stats.relayed - previous.relayed) / seconds) : 0,
    latency_ms: sorted.length ? { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) } : null,
    pending: pending?.waiting ?? null,
    ack_pending: pending?.unacknowledged ?? null,
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export function renderInterval(r: IntervalReport): string {
  return [
    `relay: ${n(r.relayed)} relayed (${n(r.per_second)}/s)`,
    `${n(r.rejected)} rejected`,
    ...(r.redelivered ? [`${n(r.redelivered)} handed back for redelivery`] : []),
    r.latency_ms ? `Stripe ${r.latency_ms.p50} ms p50, ${r.latency_ms.p99} ms p99` : 'no batch',
    r.pending === null ? 'pending unknown (NATS unreachable)' : `pending ${n(r.pending)} (+${n(r.ack_pending ?? 0)} unacknowledged)`,
  ].join(', ');
}

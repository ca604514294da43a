/**
 * The ingest progress bar: cli-progress on stderr, only on an interactive terminal (never with
 * --json, --quiet, CI or NO_COLOR). It reads the pipeline's live counters on a timer, so the
 * pipeline itself knows nothing about terminals.
 */
import type { Output } from '../output/output.js';
import type { IngestStats } from './ingest.js';

export interface ProgressSource {
  /** File size in bytes; undefined for stdin (no ETA then). */
  total?: number;
  bytes(): number;
  stats: IngestStats;
  startedMs: number;
}

export async function startProgress(out: Output, source: ProgressSource): Promise<{ stop(): void }> {
  if (!out.interactive || out.quiet) return { stop: () => {} };
  const { default: cliProgress } = await import('cli-progress');
  const withTotal = source.total !== undefined && source.total > 0;
  const bar = new cliProgress.SingleBar({
    stream: out.stderrSink as NodeJS.WritableStream,
    format: withTotal
      ? '{bar} {percentage}% | {sent} sent | {rate} events/s | ETA {eta_formatted}'
      : '{sent} sent | {rate} events/s',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    fps: 5,
  }, cliProgress.Presets.shades_classic);
  const payload = () => {
    const seconds = (performance.now() - source.startedMs) / 1000;
    return { sent: source.stats.sent.toLocaleString('en-US'), rate: seconds > 0 ? Math.round(source.stats.sent / seconds).toLocaleString('en-US') : '0' };
  };
  bar.start(withTotal ? source.total! : 1, 0, payload());
  const timer = setInterval(() => bar.update(withTotal ? source.bytes() : 0, payload()), 200);
  return {
    stop: () => {
      clearInterval(timer);
      bar.stop();
    },
  };
}

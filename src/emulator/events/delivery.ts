// Delivers v1 events to matching webhook endpoints as signed POSTs, retrying failures with
// exponential backoff. Every attempt is logged through the emulator's log (never the secret or a
// query string, which can carry tokens).
import type { EmulatorCore } from '../core.js';
import { omitIncludable } from '../http/expand.js';
import { responseRecorder } from '../http/record.js';
import { eventRecords, typeMatcher, type EventRecord } from './event-log.js';
import { signPayload } from './signing.js';

export interface WebhookSettings {
  /** Attempts per event and endpoint, the first included. */
  maxAttempts: number;
  /** Wait before the first retry; each later retry waits `retryFactor` times longer. */
  retryBaseMs: number;
  retryFactor: number;
  /** A receiver must answer within this long. */
  timeoutMs: number;
}

export function webhookSettings(core: EmulatorCore): WebhookSettings {
  return core.slice<WebhookSettings>('webhook_settings', () => ({ maxAttempts: 4, retryBaseMs: 1000, retryFactor: 5, timeoutMs: 10_000 }));
}

/** Changes delivery settings (tests shorten the backoff this way). */
export function configureWebhooks(core: EmulatorCore, patch: Partial<WebhookSettings>): WebhookSettings {
  const settings = webhookSettings(core);
  Object.assign(settings, patch);
  core.markDirty();
  return settings;
}

export interface EndpointTarget {
  id: string;
  url: string;
  enabled_events: string[];
  status: string;
}

export class WebhookDeliverer {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  /** event id → deliveries not finished yet, and whether any failed for good. */
  private readonly open = new Map<string, { left: number; failed: boolean }>();
  private closed = false;
  private readonly record = responseRecorder();

  constructor(
    private readonly core: EmulatorCore,
    private readonly endpoints: () => Iterable<EndpointTarget>,
    private readonly secretOf: (endpointId: string) => string | undefined,
  ) {}

  deliver(record: EventRecord): void {
    if (this.closed) return;
    const targets = [...this.endpoints()].filter((e) => e.status === 'enabled' && e.enabled_events.some((p) => p === '*' || typeMatcher(p)(record.event.type)));
    if (targets.length === 0) return;
    this.open.set(record.id, { left: targets.length, failed: false });
    this.setPending(record, targets.length, 'pending');
    // As GET /v1/events sends it: without the fields Stripe sends only on request.
    const event = omitIncludable(record.event, undefined);
    const payload = JSON.stringify(event, null, 2);
    this.record?.(`WEBHOOK ${record.event.type} ${record.id}`, undefined, JSON.stringify(event));
    for (const t of targets) void this.attempt(record, t, payload, 1);
  }

  private async attempt(record: EventRecord, target: EndpointTarget, payload: string, n: number): Promise<void> {
    if (this.closed) return;
    const settings = webhookSettings(this.core);
    const secret = this.secretOf(target.id);
    const where = safeUrl(target.url);
    if (!secret) {
      this.log(`webhook ${record.id} -> ${target.id} ${where}: skipped, the endpoint's secret was not kept across a restart (secrets are never saved); re-create the endpoint`);
      this.finish(record, false);
      return;
    }
    const started = performance.now();
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
    let outcome: string;
    let ok = false;
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': signPayload(payload, secret, this.core.now()), 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
        body: payload,
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      ok = res.status >= 200 && res.status < 300;
      outcome = String(res.status);
    } catch (err) {
      outcome = controller.signal.aborted ? (this.closed ? 'aborted (emulator closing)' : `timed out after ${settings.timeoutMs}ms`) : `failed (${(err as Error).cause ? String((err as { cause: Error }).cause.message) : (err as Error).message})`;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    if (this.closed) return;
    const took = `${(performance.now() - started).toFixed(0)}ms`;
    const head = `webhook ${record.event.type} ${record.id} -> ${target.id} ${where} attempt ${n}/${settings.maxAttempts}: ${outcome} (${took})`;
    if (ok || n >= settings.maxAttempts) {
      this.log(ok ? head : `${head}; giving up`);
      this.finish(record, ok);
      return;
    }
    const wait = settings.retryBaseMs * settings.retryFactor ** (n - 1);
    this.log(`${head}; retrying in ${wait}ms`);
    const retry = setTimeout(() => {
      this.timers.delete(retry);
      void this.attempt(record, target, payload, n + 1);
    }, wait);
    this.timers.add(retry);
  }

  private finish(record: EventRecord, ok: boolean): void {
    const state = this.open.get(record.id);
    if (!state) return;
    state.left--;
    state.failed ||= !ok;
    if (state.left > 0) {
      this.setPending(record, state.left, 'pending');
      return;
    }
    this.open.delete(record.id);
    this.setPending(record, 0, state.failed ? 'failed' : 'ok');
  }

  private setPending(record: EventRecord, pending: number, delivery: EventRecord['delivery']): void {
    const events = eventRecords(this.core);
    if (!events.has(record.id)) return;
    record.event.pending_webhooks = pending;
    events.update(record.id, { delivery });
  }

  private log(line: string): void {
    if (!this.core.options.quiet) this.core.options.log(line);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
  }
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

import { createHash } from 'node:crypto';

export interface StoredResponse {
  status: number;
  body: string;
  contentType?: string;
  fingerprint: string;
  /** The endpoint the key was first used on: reusing it on another is its own error. */
  path: string;
  storedAtMs: number;
}

/** Stripe may prune keys once they are 24 hours old; we do exactly that. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
/**
 * The SDK puts a fresh key on every v2 request, so the meter event stream alone would store
 * hundreds of keys a second for a day. Keeping the newest 50,000 bounds memory (~15 MB) while still
 * covering any retry window an SDK uses (seconds to minutes).
 */
const MAX_KEYS = 50_000;

/**
 * Idempotency keys, scoped by API key. A key is "in flight" while its first request runs (a
 * concurrent retry gets a 409), then holds the stored status and body for replay. Kept in memory
 * only: a restarted emulator forgets keys, like Stripe after pruning.
 */
export class IdempotencyStore {
  private readonly done = new Map<string, StoredResponse>();
  private readonly inFlight = new Set<string>();
  private lastPruneMs = 0;

  static fingerprint(method: string, path: string, rawBody: string): string {
    return createHash('sha1').update(method).update(' ').update(path).update('\n').update(rawBody).digest('base64');
  }

  lookup(scope: string, key: string): StoredResponse | 'in-flight' | undefined {
    const k = `${scope}\u0000${key}`;
    if (this.inFlight.has(k)) return 'in-flight';
    return this.done.get(k);
  }

  begin(scope: string, key: string): void {
    this.inFlight.add(`${scope}\u0000${key}`);
  }

  /** Ends the in-flight marker; stores the response unless `response` is undefined (nothing to replay). */
  finish(scope: string, key: string, response: StoredResponse | undefined, nowMs: number): void {
    const k = `${scope}\u0000${key}`;
    this.inFlight.delete(k);
    if (response) {
      this.done.set(k, response);
      if (this.done.size > MAX_KEYS) this.done.delete(this.done.keys().next().value as string);
    }
    if (nowMs - this.lastPruneMs > 60_000) this.prune(nowMs);
  }

  private prune(nowMs: number): void {
    this.lastPruneMs = nowMs;
    for (const [k, v] of this.done) {
      if (nowMs - v.storedAtMs < RETENTION_MS) break; // insertion order = age order
      this.done.delete(k);
    }
  }
}

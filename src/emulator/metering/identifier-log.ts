// Remembers, for 24 hours after receipt, each identifier and what its event contributed, so a
// repeat is refused and a cancellation can take the value back out. Identifiers live in hourly
// generations; a whole generation is dropped once its newest entry is older than the window,
// which keeps memory proportional to one day of traffic without per-entry timers.
import type { Contribution } from './aggregate-store.js';

export const IDENTIFIER_WINDOW_SEC = 24 * 60 * 60;
const GENERATION_SEC = 60 * 60;

export interface IdentifierRecord {
  identifier: string;
  eventName: string;
  receivedAt: number;
  contribution: Contribution;
  /** pending: accepted but still inside the aggregation delay; applied: in the aggregates. */
  state: 'pending' | 'applied' | 'cancelled';
}

export class IdentifierLog {
  /** Generation number (receivedAt / 1 h) → identifiers received in that hour. */
  private readonly generations = new Map<number, Map<string, IdentifierRecord>>();

  get size(): number {
    let n = 0;
    for (const g of this.generations.values()) n += g.size;
    return n;
  }

  /** The record for `identifier` if it was received within the last 24 h (as of `nowSec`). */
  find(identifier: string, nowSec: number): IdentifierRecord | undefined {
    this.prune(nowSec);
    for (const g of this.generations.values()) {
      const r = g.get(identifier);
      if (r) return nowSec - r.receivedAt < IDENTIFIER_WINDOW_SEC ? r : undefined;
    }
    return undefined;
  }

  remember(record: IdentifierRecord): void {
    const gen = Math.floor(record.receivedAt / GENERATION_SEC);
    let g = this.generations.get(gen);
    if (!g) this.generations.set(gen, (g = new Map()));
    g.set(record.identifier, record);
  }

  prune(nowSec: number): void {
    for (const gen of this.generations.keys()) {
      if ((gen + 1) * GENERATION_SEC <= nowSec - IDENTIFIER_WINDOW_SEC) this.generations.delete(gen);
    }
  }

  toJSON(): IdentifierRecord[] {
    return [...this.generations.values()].flatMap((g) => [...g.values()]);
  }

  static fromJSON(records: IdentifierRecord[]): IdentifierLog {
    const log = new IdentifierLog();
    for (const r of records) log.remember(r);
    return log;
  }
}

// Remembers, for 24 hours after receipt, each identifier and what its event contributed, so a
// repeat is refused and a cancellation can take the value back out. One map answers lookups;
// hourly generation lists let us forget a whole hour at once, keeping memory proportional to one
// day of traffic without per-entry timers.
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
  private readonly byIdentifier = new Map<string, IdentifierRecord>();
  /** Generation number (receivedAt / 1 h) → records received in that hour. */
  private readonly generations = new Map<number, IdentifierRecord[]>();
  private prunedAtGeneration = -1;

  get size(): number {
    return this.byIdentifier.size;
  }

  /** The record for `identifier` if it was received within the last 24 h (as of `nowSec`). */
  find(identifier: string, nowSec: number): IdentifierRecord | undefined {
    this.prune(nowSec);
    const r = this.byIdentifier.get(identifier);
    return r && nowSec - r.receivedAt < IDENTIFIER_WINDOW_SEC ? r : undefined;
  }

  remember(record: IdentifierRecord): void {
    const gen = Math.floor(record.receivedAt / GENERATION_SEC);
    let g = this.generations.get(gen);
    if (!g) this.generations.set(gen, (g = []));
    g.push(record);
    this.byIdentifier.set(record.identifier, record);
  }

  prune(nowSec: number): void {
    const current = Math.floor(nowSec / GENERATION_SEC);
    if (current === this.prunedAtGeneration) return;
    this.prunedAtGeneration = current;
    for (const [gen, records] of this.generations) {
      if ((gen + 1) * GENERATION_SEC > nowSec - IDENTIFIER_WINDOW_SEC) continue;
      for (const r of records) if (this.byIdentifier.get(r.identifier) === r) this.byIdentifier.delete(r.identifier);
      this.generations.delete(gen);
    }
  }

  toJSON(): IdentifierRecord[] {
    return [...this.byIdentifier.values()];
  }

  static fromJSON(records: IdentifierRecord[]): IdentifierLog {
    const log = new IdentifierLog();
    for (const r of records) log.remember(r);
    return log;
  }
}

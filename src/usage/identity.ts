/**
 * What makes two lines the same event, wherever they sit and whatever file they come from (see
 * README.md, "Identifiers"). An event without its own identifier is known by its place (event
 * name, resolved customer, timestamp) and its rank among the events of the source at that same
 * place, in source order; its value is kept apart, as a check, so that a line whose value was edited
 * is recognised as the same event changed rather than as a new one. Memory: one `KeyTable` entry
 * per distinct place (and per explicit identifier) of the source, about 21 bytes each.
 */
import type { UsageEvent } from './event.js';
import { hash64, hash64Joined, hashOut, hex96, mixIndex } from './hash.js';
import { KeyTable } from './key-table.js';

/** Seeds keep the key spaces apart: a place, an explicit identifier, a content check. */
const PLACE = 1;
const EXPLICIT = 2;
const CHECK = 3;

export function derivedIdentifier(keyHi: number, keyLo: number, check: number): string {
  return `alp2_${hex96(keyHi, keyLo, check)}`;
}

export class EventIdentities {
  /** place → events seen there so far; explicit identifier → the line it was first seen on. */
  private readonly seen = new KeyTable();

  /**
   * Fills in the event's key, check and (when it has none) identifier. Returns the line of an
   * earlier event of the source with the same explicit identifier, if any: that event is a duplicate.
   */
  assign(event: UsageEvent): number | undefined {
    if (!event.derived) {
      hash64(`${event.eventName}\0${event.customer}\0${event.timestamp}\0${event.value}`, CHECK);
      event.check = hashOut.lo;
      hash64(event.identifier, EXPLICIT);
      event.keyHi = hashOut.hi;
      event.keyLo = hashOut.lo;
      return this.seen.setIfAbsent(hashOut.hi, hashOut.lo, event.line);
    }
    hash64Joined(event.eventName, event.customer, String(event.timestamp), PLACE);
    const { hi, lo } = hashOut;
    mixIndex(hi, lo, this.seen.increment(hi, lo));
    event.keyHi = hashOut.hi;
    event.keyLo = hashOut.lo;
    hash64(event.value, CHECK ^ hi);
    event.check = hashOut.lo;
    event.identifier = derivedIdentifier(event.keyHi, event.keyLo, event.check);
    return undefined;
  }
}

/**
 * What makes two lines the same event, wherever they sit and whatever file they come from (see
 * README.md, "Identifiers"). An event without its own identifier is known by its place (event
 * name, resolved customer, timestamp) and its rank among the events of the source at that same
 * place, in source order; its value is kept apart, as a check, so that a line whose value was edited
 * is recognised as the same event changed rather than as a new one. Memory: one `KeyTable` entry
 * per distinct place (and per explicit identifier) of the source, about 21 bytes each.
 */
import type { UsageEvent } from './event.js';
import { HEX, hash64, hash64Joined, hashOut, mixIndex } from './hash.js';
import { KeyTable } from './key-table.js';

/** Seeds keep the key spaces apart: a place, an explicit identifier, a content check. */
const PLACE = 1;
const EXPLICIT = 2;
const CHECK = 3;

/**
 * `alp2_` and the key and check as 24 hex digits, once per event: one `String.fromCharCode`, so the
 * identifier is one flat string (a concatenation would be a rope for the request body to flatten).
 */
export function derivedIdentifier(a: number, b: number, c: number): string {
  return String.fromCharCode(
    0x61, 0x6c, 0x70, 0x32, 0x5f, // alp2_
    HEX[a >>> 28], HEX[(a >>> 24) & 15], HEX[(a >>> 20) & 15], HEX[(a >>> 16) & 15], HEX[(a >>> 12) & 15], HEX[(a >>> 8) & 15], HEX[(a >>> 4) & 15], HEX[a & 15],
    HEX[b >>> 28], HEX[(b >>> 24) & 15], HEX[(b >>> 20) & 15], HEX[(b >>> 16) & 15], HEX[(b >>> 12) & 15], HEX[(b >>> 8) & 15], HEX[(b >>> 4) & 15], HEX[b & 15],
    HEX[c >>> 28], HEX[(c >>> 24) & 15], HEX[(c >>> 20) & 15], HEX[(c >>> 16) & 15], HEX[(c >>> 12) & 15], HEX[(c >>> 8) & 15], HEX[(c >>> 4) & 15], HEX[c & 15],
  );
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

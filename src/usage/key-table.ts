/**
 * A map from 64-bit keys to 32-bit values in typed arrays: 12 bytes a slot, no object per entry,
 * so millions of keys cost megabytes, not the ~80 bytes an entry of a JS Map costs. Open addressing
 * with linear probing, split into 64 segments by the key's top bits: a segment doubles on its own,
 * so growing never needs the old and new copy of the whole table at once.
 * Memory: 12 bytes / load factor (0.375-0.75) per key, i.e. 16-32 bytes, about 21 on average.
 */
const SEGMENT_BITS = 6;
const SEGMENTS = 1 << SEGMENT_BITS;
const MAX_LOAD = 0.75;

class Segment {
  slots = new Uint32Array(3 * 64);
  size = 0;

  find(hi: number, lo: number): number {
    const mask = this.slots.length / 3 - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const at = i * 3;
      const h = this.slots[at];
      const l = this.slots[at + 1];
      if ((h === hi && l === lo) || (h === 0 && l === 0)) return at;
      i = (i + 1) & mask;
    }
  }

  grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 3) {
      if (old[at] === 0 && old[at + 1] === 0) continue;
      const to = this.find(old[at], old[at + 1]);
      this.slots[to] = old[at];
      this.slots[to + 1] = old[at + 1];
      this.slots[to + 2] = old[at + 2];
    }
  }
}

export class KeyTable {
  private readonly segments = Array.from({ length: SEGMENTS }, () => new Segment());
  size = 0;
  // Set by `slotOf`: the segment of the key, and whether the key was just inserted.
  private seg = this.segments[0];
  private inserted = false;

  /** The value stored for the key, or undefined. */
  get(hi: number, lo: number): number | undefined {
    if (hi === 0 && lo === 0) lo = 1; // (0, 0) marks an empty slot
    const seg = this.segments[hi >>> (32 - SEGMENT_BITS)];
    const at = seg.find(hi, lo);
    return seg.slots[at] === 0 && seg.slots[at + 1] === 0 ? undefined : seg.slots[at + 2];
  }

  /** Stores `value` (a uint32) and returns the previous value, or undefined. */
  set(hi: number, lo: number, value: number): number | undefined {
    const at = this.slotOf(hi, lo);
    const previous = this.inserted ? undefined : this.seg.slots[at + 2];
    this.seg.slots[at + 2] = value;
    return previous;
  }

  /** Returns the key's value; stores `value` only if the key had none (one look-up for both). */
  setIfAbsent(hi: number, lo: number, value: number): number | undefined {
    const at = this.slotOf(hi, lo);
    if (!this.inserted) return this.seg.slots[at + 2];
    this.seg.slots[at + 2] = value;
    return undefined;
  }

  /** Adds 1 to the key's value (an absent key counts as 0) and returns the value before. */
  increment(hi: number, lo: number): number {
    const at = this.slotOf(hi, lo);
    return this.seg.slots[at + 2]++;
  }

  /** The key's slot in its segment (`this.seg`), inserted with value 0 if absent (`this.inserted`). */
  private slotOf(hi: number, lo: number): number {
    if (hi === 0 && lo === 0) lo = 1;
    const seg = this.segments[hi >>> (32 - SEGMENT_BITS)];
    if ((seg.size + 1) / (seg.slots.length / 3) > MAX_LOAD) seg.grow();
    const at = seg.find(hi, lo);
    this.seg = seg;
    this.inserted = seg.slots[at] === 0 && seg.slots[at + 1] === 0;
    if (this.inserted) {
      seg.slots[at] = hi;
      seg.slots[at + 1] = lo;
      seg.slots[at + 2] = 0;
      seg.size++;
      this.size++;
    }
    return at;
  }
}

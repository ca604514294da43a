// A set of 64-bit hashes mapped to slots, entirely in typed arrays: at millions of identifiers a
// day a Map of strings would keep every identifier string alive in the old generation.

/** Where hashIdentifier leaves its result (no per-call allocation on the hot path). */
export const hashState = { hi: 0, lo: 0 };

/** Two independent 32-bit hashes of `s` (FNV-1a and a murmur-style mix, both finalised), into hashState. */
export function hashIdentifier(s: string): void {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9747b28c | 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h2 ^= s.length;
  hashState.hi = fmix(h1);
  hashState.lo = fmix(h2);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const EMPTY = 0;
const TOMBSTONE = -1;

/** 64-bit hash → slot, open addressing with linear probing, all in typed arrays. */
export class HashTable {
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  /** slot + 1; EMPTY or TOMBSTONE otherwise. */
  private val = new Int32Array(1024);
  size = 0;
  private used = 0;

  get(hi: number, lo: number): number {
    const mask = this.val.length - 1;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const v = this.val[i];
      if (v === EMPTY) return -1;
      if (v !== TOMBSTONE && this.hi[i] === hi && this.lo[i] === lo) return v - 1;
    }
  }

  set(hi: number, lo: number, slot: number): void {
    if ((this.used + 1) * 10 > this.val.length * 7) this.rehash();
    const mask = this.val.length - 1;
    let free = -1;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const v = this.val[i];
      if (v === EMPTY) {
        const at = free >= 0 ? free : i;
        if (free < 0) this.used++;
        this.hi[at] = hi;
        this.lo[at] = lo;
        this.val[at] = slot + 1;
        this.size++;
        return;
      }
      if (v === TOMBSTONE) {
        if (free < 0) free = i;
      } else if (this.hi[i] === hi && this.lo[i] === lo) {
        this.val[i] = slot + 1;
        return;
      }
    }
  }

  /** Removes the entry if it still points at `slot`. */
  delete(hi: number, lo: number, slot: number): void {
    const mask = this.val.length - 1;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const v = this.val[i];
      if (v === EMPTY) return;
      if (v !== TOMBSTONE && this.hi[i] === hi && this.lo[i] === lo) {
        if (v - 1 === slot) {
          this.val[i] = TOMBSTONE;
          this.size--;
        }
        return;
      }
    }
  }

  *slots(): IterableIterator<number> {
    for (let i = 0; i < this.val.length; i++) if (this.val[i] > 0) yield this.val[i] - 1;
  }

  private rehash(): void {
    const [hi, lo, val] = [this.hi, this.lo, this.val];
    // Grow when over half the entries are live; otherwise the same size just drops the tombstones.
    const cap = this.size * 2 > val.length ? val.length * 2 : val.length;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.val = new Int32Array(cap);
    this.size = 0;
    this.used = 0;
    for (let i = 0; i < val.length; i++) if (val[i] > 0) this.set(hi[i], lo[i], val[i] - 1);
  }
}

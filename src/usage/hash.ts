/**
 * Cheap, well-mixed 64-bit string hashing (cyrb53's mixing, keeping all 64 bits: "cyrb64", by
 * bryc, public domain). Used once or twice per event, so it must cost far less than SHA-256, which
 * cost more than the rest of parsing a line together. Not cryptographic: identifiers only need to
 * be unique, not unguessable. Results go to `hashOut` instead of a new array per call, so hashing
 * 10 million events allocates nothing.
 */
export const hashOut = { hi: 0, lo: 0 };

export function hash64(text: string, seed = 0): void {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  hashOut.hi = h2 >>> 0;
  hashOut.lo = h1 >>> 0;
}

/** Mixes a small integer into a 64-bit key (for the n-th event at the same place); n = 0 keeps the key. */
export function mixIndex(hi: number, lo: number, n: number): void {
  if (n === 0) {
    hashOut.hi = hi;
    hashOut.lo = lo;
    return;
  }
  let a = Math.imul(hi ^ n, 2654435761) ^ lo;
  let b = Math.imul(lo ^ Math.imul(n, 0x9e3779b1), 1597334677) ^ hi;
  a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  hashOut.hi = a >>> 0;
  hashOut.lo = b >>> 0;
}

export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

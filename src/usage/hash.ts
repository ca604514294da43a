/**
 * Cheap, well-mixed 64-bit string hashing (cyrb53's mixing, keeping all 64 bits: "cyrb64", by
 * bryc, public domain). Used once or twice per event, so it must cost far less than SHA-256, which
 * cost more than the rest of parsing a line together. Not cryptographic: identifiers only need to
 * be unique, not unguessable. Results go to `hashOut` instead of a new array per call, so hashing
 * 10 million events allocates nothing.
 */
export const hashOut = { hi: 0, lo: 0 };

// The running state of one hash: module variables, so hashing several strings as one allocates nothing.
let h1 = 0;
let h2 = 0;

function feed(text: string): void {
  let a = h1;
  let b = h2;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a = Math.imul(a ^ ch, 2654435761);
    b = Math.imul(b ^ ch, 1597334677);
  }
  h1 = a;
  h2 = b;
}

function finish(): void {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  hashOut.hi = h2 >>> 0;
  hashOut.lo = h1 >>> 0;
}

export function hash64(text: string, seed = 0): void {
  h1 = 0xdeadbeef ^ seed;
  h2 = 0x41c6ce57 ^ seed;
  feed(text);
  finish();
}

/** Exactly `hash64(`${a}\0${b}\0${c}`, seed)`, without building that string (once per event). */
export function hash64Joined(a: string, b: string, c: string, seed: number): void {
  h1 = 0xdeadbeef ^ seed;
  h2 = 0x41c6ce57 ^ seed;
  feed(a);
  feed('\0');
  feed(b);
  feed('\0');
  feed(c);
  finish();
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

/** Character codes of the hex digits. */
export const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

export function hex32(n: number): string {
  return String.fromCharCode(HEX[n >>> 28], HEX[(n >>> 24) & 15], HEX[(n >>> 20) & 15], HEX[(n >>> 16) & 15], HEX[(n >>> 12) & 15], HEX[(n >>> 8) & 15], HEX[(n >>> 4) & 15], HEX[n & 15]);
}

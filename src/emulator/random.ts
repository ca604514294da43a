import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A small seedable PRNG (mulberry32). With --seed, ids and fault decisions repeat run to run;
 * its state is persisted with --state so a restarted emulator does not hand out the same ids again.
 */
export class Random {
  private state: number;

  constructor(seed?: number) {
    this.state = (seed ?? randomBytes(4).readUInt32LE(0)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  base62(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += BASE62[Math.floor(this.next() * 62)];
    return s;
  }

  get snapshot(): number {
    return this.state;
  }

  restore(state: number): void {
    this.state = state >>> 0;
  }
}

/** Derives an independent stream from a seed, so fault decisions never shift the id sequence. */
export function deriveSeed(seed: number | undefined, salt: number): number | undefined {
  return seed === undefined ? undefined : (Math.imul(seed ^ salt, 0x9e3779b1) >>> 0);
}

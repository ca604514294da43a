/**
 * A day of Alpaca AI token usage, generated deterministically (seeded), so the demo and its test
 * agree on the totals without hard-coding them.
 */
export interface UsageEvent {
  customer: string;
  value: number;
  timestamp: number;
  identifier: string;
}

/** mulberry32: a tiny seeded PRNG; good enough to make usage look organic and repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` requests spread over [start, end) (Unix seconds), busier in the working hours (UTC),
 * each between 50 and 4,000 tokens.
 */
export function* generateUsage(options: { customer: string; start: number; end: number; count: number; seed?: number }): Generator<UsageEvent> {
  const random = prng(options.seed ?? 42);
  const span = options.end - options.start;
  for (let i = 0; i < options.count; i++) {
    // Two draws, keep the one in working hours more often: a daily shape without a table.
    let t = options.start + Math.floor(random() * span);
    const hour = new Date(t * 1000).getUTCHours();
    if ((hour < 8 || hour > 19) && random() < 0.5) t = options.start + Math.floor(random() * span);
    yield { customer: options.customer, value: 50 + Math.floor(random() * 3951), timestamp: t, identifier: `demo-${options.seed ?? 42}-${i}` };
  }
}

export function usageTotals(events: Iterable<UsageEvent>): { events: number; tokens: number } {
  let n = 0;
  let tokens = 0;
  for (const e of events) {
    n++;
    tokens += e.value;
  }
  return { events: n, tokens };
}

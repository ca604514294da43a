import { parseUsageRecord, type UsageEvent } from '../../../src/usage/event.js';
import { positionIdentifier, runRelay } from '../../../src/usage/relay/relay.js';
import type { SourceMessage, UsageSource } from '../../../src/usage/relay/source.js';

/** An in-memory log: each message records how it ended. */
function memorySource(bodies: string[]) {
  const outcome: string[] = bodies.map(() => 'pending');
  let next = 0;
  const source: UsageSource = {
    async pull(max) {
      const out: SourceMessage[] = [];
      for (; next < bodies.length && out.length < max; next++) {
        const i = next;
        out.push({
          data: new TextEncoder().encode(bodies[i]),
          position: `MEM_${i + 1}`,
          ack: () => { outcome[i] = 'ack'; },
          nak: () => { outcome[i] = 'nak'; },
          term: async (reason) => { outcome[i] = `term: ${reason}`; },
        });
      }
      return out;
    },
    pending: async () => ({ waiting: bodies.length - next, unacknowledged: 0 }),
    close: async () => undefined,
  };
  return { source, outcome, done: () => next >= bodies.length };
}

const now = 1_800_000_000;
const parse = (record: Record<string, unknown>) => parseUsageRecord(record, { line: 0, defaultMeter: 'm', resolveMeter: (m) => (m === 'm' ? { eventName: 'm' } : { reason: `unknown meter ${m}` }) });

async function relayAll(bodies: string[], send: (events: UsageEvent[]) => Promise<void>) {
  const mem = memorySource(bodies);
  const stop = new AbortController();
  const relaying = runRelay({
    source: mem.source, parse, send, nowSeconds: () => now, batchSize: 3, concurrency: 1, signal: stop.signal,
    resolveCustomer: async (ref) => (ref === 'a@example.com' ? { id: 'cus_A' } : { reason: `no customer ${ref}` }),
  });
  while (!mem.done()) await new Promise((r) => setImmediate(r));
  stop.abort();
  return { ...(await relaying), outcome: mem.outcome };
}

describe('the relay loop', () => {
  it('acknowledges what Stripe took, identifies events by their place in the log, and terminates the rest with reasons', async () => {
    const sent: UsageEvent[][] = [];
    const res = await relayAll([
      JSON.stringify({ customer: 'cus_1', value: 2, timestamp: now - 10 }),
      JSON.stringify({ customer: 'a@example.com', value: 3, timestamp: now - 10, identifier: 'own-id' }),
      '{oops',
      JSON.stringify({ customer: 'b@example.com', value: 1, timestamp: now }),
    ], async (events) => { sent.push(events.map((e) => ({ ...e }))); });
    expect(sent.flat().map((e) => [e.customer, e.identifier])).toEqual([['cus_1', 'alpr_MEM_1'], ['cus_A', 'own-id']]);
    expect(res.outcome).toEqual(['ack', 'ack', expect.stringMatching(/^term: not JSON/), 'term: no customer b@example.com']);
    expect(res.stats).toEqual({ relayed: 2, rejected: 2, redelivered: 0 });
  });

  it('when Stripe refuses a whole request, finds the refused event one by one and delivers the others', async () => {
    const res = await relayAll([1, 2, 3].map((v) => JSON.stringify({ customer: 'cus_1', value: v, timestamp: now })), async (events) => {
      if (events.some((e) => e.value === '2')) throw Object.assign(new Error('events[0].payload: refused'), { statusCode: 400 });
    });
    expect(res.outcome).toEqual(['ack', 'term: Stripe refused the event: events[0].payload: refused', 'ack']);
  });

  it('hands a batch back for redelivery when Stripe stays unreachable, and stops on a refused key', async () => {
    const unreachable = await relayAll([JSON.stringify({ customer: 'cus_1', value: 1, timestamp: now })], async () => {
      throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
    });
    expect(unreachable.outcome).toEqual(['nak']);
    expect(unreachable.error).toBeUndefined();
    const refusedKey = await relayAll([JSON.stringify({ customer: 'cus_1', value: 1, timestamp: now })], async () => {
      throw Object.assign(new Error('Invalid API Key'), { statusCode: 401 });
    });
    expect(refusedKey.outcome).toEqual(['nak']);
    expect((refusedKey.error as Error).message).toBe('Invalid API Key');
  });

  it('keeps identifiers from long stream names within Stripe\'s 100 characters, still one per position', () => {
    const long = `${'S'.repeat(120)}_42`;
    expect(positionIdentifier(long)).toHaveLength(37);
    expect(positionIdentifier(long)).toBe(positionIdentifier(long));
    expect(positionIdentifier(long)).not.toBe(positionIdentifier(`${'S'.repeat(120)}_43`));
    expect(positionIdentifier('USAGE_7')).toBe('alpr_USAGE_7');
  });
});

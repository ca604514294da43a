import { Readable } from 'node:stream';
import { parseUsageRecord, type UsageEvent } from '../../../src/usage/event.js';
import { ingest, type IngestOptions } from '../../../src/usage/ingest.js';
import { readNdjson } from '../../../src/usage/readers.js';

const NOW = 1_800_000_000;

function source(n: number, bad: Record<number, string> = {}): string {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) out.push(bad[i] ?? JSON.stringify({ customer: `cus_${i % 3}`, value: i, timestamp: NOW - 60, meter: 'm' }));
  return out.join('\n') + '\n';
}

function options(text: string, extra: Partial<IngestOptions> = {}) {
  const rejects: [number, string][] = [];
  const sent: UsageEvent[][] = [];
  const recorded: UsageEvent[] = [];
  const opts: IngestOptions = {
    records: readNdjson(Readable.from([text])),
    parse: (record, line) => parseUsageRecord(record, { line, resolveMeter: (m) => (m === 'm' ? { eventName: 'm' } : { reason: 'unknown meter' }) }),
    nowSeconds: () => NOW,
    send: async (events) => { sent.push(events); },
    journal: { delivered: () => undefined, record: (events) => { recorded.push(...events); }, flush: async () => {} },
    onProblem: (_kind, line, reason) => { rejects.push([line, reason]); },
    concurrency: 3,
    ...extra,
  };
  return { opts, rejects, sent, recorded };
}

describe('ingest', () => {
  it('sends valid lines in batches of at most 100 and rejects the bad ones with their line numbers', async () => {
    const bad = { 5: '{oops', 120: JSON.stringify({ customer: 'cus_1', value: 1.5, timestamp: NOW, meter: 'm' }), 200: JSON.stringify({ customer: 'cus_1', value: 1, timestamp: NOW - 40 * 86400, meter: 'm' }) };
    const { opts, rejects, sent, recorded } = options(source(250, bad));
    const { stats, error } = await ingest(opts);
    expect(error).toBeUndefined();
    expect(stats).toMatchObject({ read: 250, valid: 247, sent: 247, rejected: 3, failed: 0, alreadySent: 0 });
    expect(sent.every((b) => b.length <= 100)).toBe(true);
    expect(sent.flat().map((e) => e.line).sort((a, b) => a - b)).toHaveLength(247);
    expect(rejects.map(([l]) => l)).toEqual([5, 120, 200]);
    expect(rejects[2][1]).toMatch(/35 days/);
    expect(recorded).toHaveLength(247);
  });

  it('on a re-run sends only what the journal does not hold', async () => {
    const first = options(source(150));
    await ingest({ ...first.opts, send: async (events) => { if (events[0].line > 100) throw Object.assign(new Error('boom'), { statusCode: 400 }); } });
    expect(first.recorded).toHaveLength(100);
    const second = options(source(150));
    const delivered = new Map(first.recorded.map((e) => [`${e.keyHi}:${e.keyLo}`, e.check]));
    second.opts.journal = { delivered: (hi, lo) => delivered.get(`${hi}:${lo}`), record: () => {}, flush: async () => {} };
    const { stats } = await ingest(second.opts);
    expect(stats).toMatchObject({ sent: 50, alreadySent: 100 });
    expect(second.sent.flat().map((e) => e.line)[0]).toBe(101);
  });

  it('stops reading after a batch fails for good and counts what was not delivered', async () => {
    const { opts } = options(source(1000), { concurrency: 1 });
    const result = await ingest({ ...opts, send: async (events) => { if (events[0].line === 201) throw new Error('gone'); } });
    expect(result.error).toBeInstanceOf(Error);
    expect(result.stopped).toBe(true);
    expect(result.stats.sent).toBe(200);
    expect(result.stats.failed).toBeGreaterThanOrEqual(100);
  });

  it('validates only in a dry run', async () => {
    const { opts, sent } = options(source(30));
    const { stats } = await ingest({ ...opts, send: undefined, journal: undefined });
    expect(stats).toMatchObject({ valid: 30, sent: 0 });
    expect(sent).toHaveLength(0);
  });

  it('journals exactly the events of each acknowledged batch', async () => {
    const { opts, recorded, sent } = options(source(10, { 4: 'x' }));
    await ingest({ ...opts, batchSize: 3 });
    expect(recorded).toEqual(sent.flat());
    expect(recorded.map((e) => e.line)).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
  });

  it('reports an event with its own identifier as changed when any of its fields was edited', async () => {
    const line = (customer: string, ts: number) => JSON.stringify({ customer, value: 1, timestamp: ts, meter: 'm', identifier: 'ev-1' }) + '\n';
    const first = options(line('cus_1', NOW - 60));
    await ingest(first.opts);
    const delivered = new Map(first.recorded.map((e) => [`${e.keyHi}:${e.keyLo}`, e.check]));
    for (const [text, changed] of [[line('cus_1', NOW - 60), 0], [line('cus_1', NOW - 61), 1], [line('cus_2', NOW - 60), 1]] as const) {
      const again = options(text);
      again.opts.journal = { delivered: (hi, lo) => delivered.get(`${hi}:${lo}`), record: () => {}, flush: async () => {} };
      const { stats } = await ingest(again.opts);
      expect({ text, changed: stats.changed, sent: stats.sent }).toEqual({ text, changed, sent: 0 });
    }
  });

  it('keeps at most `concurrency` batches in flight, and returns only when every one has been answered', async () => {
    let inFlight = 0;
    let most = 0;
    const answered: number[] = [];
    const { opts } = options(source(1000), {
      concurrency: 3,
      batchSize: 10,
      send: async (events) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, (events[0].line * 7) % 5)); // answers out of order
        inFlight--;
        answered.push(...events.map((e) => e.line));
      },
    });
    const { stats } = await ingest(opts);
    expect(most).toBe(3);
    expect(inFlight).toBe(0);
    expect(answered).toHaveLength(1000);
    expect(stats).toMatchObject({ sent: 1000, failed: 0 });
  });

  it('stops with the error of the journal when an acknowledged batch cannot be journaled (a full disk)', async () => {
    let batches = 0;
    const { opts } = options(source(500), {
      batchSize: 10,
      journal: {
        delivered: () => undefined,
        record: () => { if (++batches === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); },
        flush: async () => {},
      },
    });
    const result = await ingest(opts);
    expect(result.error).toMatchObject({ code: 'ENOSPC' });
    expect(result.stopped).toBe(true);
    expect(result.stats.sent).toBeLessThan(500);
  });

  it('holds back an unterminated last line and counts it apart', async () => {
    const { opts, sent } = options(source(3).trimEnd() + '\n{"customer":"cus_1","val');
    const { stats } = await ingest(opts);
    expect(stats).toMatchObject({ read: 3, sent: 3, rejected: 0, incompleteLine: 4 });
    expect(sent.flat()).toHaveLength(3);
  });
});

describe('RateLimiter', () => {
  it('spaces requests 1/rps apart from the first one, and 0 means no limit', async () => {
    const { RateLimiter } = await import('../../../src/stripe/rate-limiter.js');
    let now = 1000;
    const limiter = new RateLimiter(20, () => now);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 50, 100]);
    now += 500;
    expect(limiter.reserve()).toBe(0);
    const open = new RateLimiter(0, () => now);
    expect([open.reserve(), open.reserve()]).toEqual([0, 0]);
  });
});

/**
 * --state survives SIGKILL: everything the emulator acknowledged is there after a restart. The
 * built binary runs in a child process; the real SDK creates customers and sends usage (v1 meter
 * events and the v2 stream), and the emulator is killed right after a random number of
 * acknowledged requests (with a few more still in flight), several times over the same state. The
 * seed is printed (CRASH_SEED=n repeats a run).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { sdkFor, startBin, type StartedBin } from '../helpers/emulator-bin.js';

const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 1e6));
// mulberry32: a repeatable sequence of kill points for the seed.
let s = seed >>> 0;
const random = (): number => {
  let t = (s = (s + 0x6d2b79f5) >>> 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-crash-'));
  process.stdout.write(`state-crash.test: CRASH_SEED=${seed}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const kill = async (emu: StartedBin) => {
  emu.child.kill('SIGKILL');
  await emu.exit;
};

describe('--state after SIGKILL', () => {
  it(`keeps every acknowledged customer and meter event (seed ${seed})`, async () => {
    const state = join(dir, 'state.json');
    const args = ['--state', state, '--quiet', '--aggregation-delay', '0'];
    /** What the emulator acknowledged: customer id → usage total. */
    const acked = new Map<string, number>();
    let meterId = '';
    const rounds = 4;

    for (let round = 0; round < rounds; round++) {
      const emu = await startBin(args, dir);
      let inFlight: Array<Promise<unknown>> = [];
      try {
        const stripe = sdkFor(emu.url);
        if (!meterId) meterId = (await stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } })).id;
        const session = await stripe.v2.billing.meterEventSession.create();
        const stream = sdkFor(emu.url, session.authentication_token);
        // Kill after 1..8 acknowledged steps, the last one's answer just received.
        const steps = 1 + Math.floor(random() * 8);
        for (let i = 0; i < steps; i++) {
          const customer = await stripe.customers.create({ email: `r${round}s${i}@example.com` });
          acked.set(customer.id, 0);
          const value = 1 + Math.floor(random() * 50);
          await stripe.billing.meterEvents.create({ event_name: 'tokens', payload: { stripe_customer_id: customer.id, value: String(value) }, identifier: `r${round}-${i}` });
          acked.set(customer.id, value);
          const events = Array.from({ length: 1 + Math.floor(random() * 20) }, (_, j) => ({ event_name: 'tokens', payload: { stripe_customer_id: customer.id, value: String(j + 1) } }));
          await stream.v2.billing.meterEventStream.create({ events });
          acked.set(customer.id, value + events.reduce((n, e) => n + Number(e.payload.value), 0));
        }
        // Requests still in flight when the kill comes: not acknowledged, so not checked, but their
        // half-written log records must not stop the next start.
        const scratch = (await stripe.customers.create({ email: `scratch${round}@example.com` })).id;
        inFlight = [
          stripe.customers.create({ email: `unanswered${round}@example.com` }),
          stream.v2.billing.meterEventStream.create({ events: Array.from({ length: 50 }, () => ({ event_name: 'tokens', payload: { stripe_customer_id: scratch, value: '1' } })) }),
        ];
      } finally {
        await kill(emu);
        await Promise.allSettled(inFlight);
      }
    }

    const emu = await startBin(args, dir);
    try {
      const stripe = sdkFor(emu.url);
      const end = Math.floor(Date.now() / 1000 / 86400) * 86400 + 86400;
      const found: Record<string, number | string> = {};
      const expected: Record<string, number> = {};
      for (const [id, total] of acked) {
        expected[id] = total;
        found[id] = await stripe.customers.retrieve(id).then(
          async () => (await stripe.billing.meters.listEventSummaries(meterId, { customer: id, start_time: end - 3 * 86400, end_time: end })).data.reduce((n, w) => n + w.aggregated_value, 0),
          (e: Stripe.errors.StripeError) => `lost (${e.message})`,
        );
      }
      expect(found).toEqual(expected);
    } finally {
      await kill(emu);
    }
  }, 60_000);
});

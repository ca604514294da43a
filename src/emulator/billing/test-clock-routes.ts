// Test clocks (/v1/test_helpers/test_clocks): a clock's customers live on its frozen_time, and
// advancing it replays their billing cycle (renewals, finalization, payments) up to the target,
// asynchronously as on Stripe. Limits and the choices Stripe leaves open are in SPEC.md.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { StripeHttpError, invalid, parameterMissing } from '../http/errors.js';
import { listResponse, listUrl } from '../http/list.js';
import { asInt, asString, int, str } from '../http/params.js';
import { catchUp, runUntil } from './cycle.js';
import { deleteCustomer } from './lifecycle.js';
import { intervalOf, priceOf } from './invoice-builder.js';
import { shiftByIntervals } from './periods.js';
import { customers } from '../customers/store.js';
import { subscriptions, testClocks, type TestClockRecord } from './store.js';
import type { EmuRequest, Route } from '../types.js';

/** Stripe's guide: "Test clocks are automatically deleted 30 days after you create them". */
const LIFETIME_SECONDS = 30 * 86_400;
export const MAX_CUSTOMERS_PER_CLOCK = 3;
/** How long `advancing` lasts before the clock's timeline runs (Stripe takes seconds). */
const ADVANCE_DELAY_MS = 50;
const TWO_YEARS_MONTHS = 24;
const ENDED = new Set(['canceled', 'incomplete_expired']);

const pending = new WeakMap<EmulatorCore, Map<string, NodeJS.Timeout>>();

function timersOf(core: EmulatorCore): Map<string, NodeJS.Timeout> {
  let timers = pending.get(core);
  if (!timers) pending.set(core, (timers = new Map()));
  return timers;
}

export function customersOnClock(core: EmulatorCore, clockId: string): Stripe.Customer[] {
  return [...customers(core).scan()].filter((c) => c.test_clock === clockId);
}

/** Clocks past their deletes_after are deleted with their customers, as Stripe does. */
function sweepExpired(core: EmulatorCore): void {
  for (const clock of [...testClocks(core).scan()]) if (clock.deletes_after <= core.now()) removeClock(core, clock.id);
}

function requireClock(core: EmulatorCore, id: string, param?: string): TestClockRecord {
  sweepExpired(core);
  return testClocks(core).require(id, 'test_helpers.test_clock', param);
}

function create(req: EmuRequest): TestClockRecord {
  const core = req.core;
  const frozen = int(req, 'frozen_time', { min: 0 });
  if (frozen === undefined) throw parameterMissing('frozen_time');
  const name = str(req, 'name', { max: 300 }) ?? null;
  let attach: Stripe.Customer | undefined;
  if (req.body.customer !== undefined) {
    attach = customers(core).require(asString(req.body.customer, 'customer'), 'customer', 'customer');
    if (attach.test_clock) throw invalid('customer', `Customer ${attach.id} is already attached to test clock ${attach.test_clock as string}; customers can't be moved between test clocks.`);
    // ⚠ Its existing subscriptions and invoices are on the emulator's time: refused rather than moved.
    if ([...subscriptions(core).scan()].some((s) => s.customer === attach!.id)) {
      throw invalid('customer', `Customer ${attach.id} already has subscriptions; the emulator attaches only customers without any to a test clock. Create the customer with test_clock instead.`);
    }
  }
  const now = core.now();
  const clock = { id: core.id('clock_'), object: 'test_helpers.test_clock', created: now, deletes_after: now + LIFETIME_SECONDS, frozen_time: frozen, livemode: false, name, status: 'ready', status_details: {} } as TestClockRecord;
  testClocks(core).insert(clock);
  core.emit('test_helpers.test_clock.created', clock);
  if (attach) {
    customers(core).update(attach.id, { test_clock: clock.id });
    core.emit('customer.updated', attach, { test_clock: null });
  }
  return clock;
}

/** The furthest an advance may go: two intervals of the shortest live subscription, else two years. */
export function advanceLimit(core: EmulatorCore, clock: TestClockRecord): number {
  let limit = shiftByIntervals(clock.frozen_time, 'month', 1, TWO_YEARS_MONTHS);
  for (const sub of subscriptions(core).scan()) {
    if (sub.test_clock !== clock.id || ENDED.has(sub.status) || sub.items.length === 0) continue;
    const { interval, count } = intervalOf(priceOf(core, sub.items[0]));
    limit = Math.min(limit, shiftByIntervals(clock.frozen_time, interval, count, 2));
  }
  return limit;
}

function advance(req: EmuRequest): TestClockRecord {
  const core = req.core;
  const clock = requireClock(core, req.params.id);
  if (req.body.frozen_time === undefined) throw parameterMissing('frozen_time');
  const target = asInt(req.body.frozen_time, 'frozen_time', { min: 0 });
  if (clock.status !== 'ready') {
    throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'test_clock_not_ready', message: `Test clock ${clock.id} is ${clock.status}; wait until its status is ready before advancing it again.` });
  }
  if (target <= clock.frozen_time) throw invalid('frozen_time', `The frozen_time must be after the test clock's current frozen_time (${clock.frozen_time}); a test clock only moves forward.`);
  const limit = advanceLimit(core, clock);
  if (target > limit) {
    throw invalid('frozen_time', `Cannot advance test clock ${clock.id} to ${target}: at most two intervals of its shortest subscription (or two years without one) per advance, so at most ${limit}. Advance in steps.`);
  }
  testClocks(core).update(clock.id, { status: 'advancing', status_details: { advancing: { target_frozen_time: target } } });
  core.emit('test_helpers.test_clock.advancing', clock);
  schedule(core, clock.id);
  return clock;
}

function schedule(core: EmulatorCore, id: string): void {
  const timers = timersOf(core);
  timers.set(
    id,
    setTimeout(() => {
      timers.delete(id);
      finishAdvance(core, id);
    }, ADVANCE_DELAY_MS),
  );
}

/** Replays the clock's timeline up to the target, then `ready` (`internal_failure` on our own bug). */
function finishAdvance(core: EmulatorCore, id: string): void {
  const clock = testClocks(core).get(id);
  const target = clock?.status_details.advancing?.target_frozen_time;
  if (!clock || clock.status !== 'advancing' || target === undefined) return;
  try {
    runUntil(core, id, target);
  } catch (err) {
    core.options.log(`emulator: advancing test clock ${id} failed (a bug, please report it): ${(err as Error).stack ?? String(err)}`);
    testClocks(core).update(id, { status: 'internal_failure', status_details: {} });
    core.emit('test_helpers.test_clock.internal_failure', clock);
    return;
  }
  testClocks(core).update(id, { frozen_time: target, status: 'ready', status_details: {} });
  core.emit('test_helpers.test_clock.ready', clock);
}

/** Deleting a clock deletes its customers (which cancels their subscriptions). */
function removeClock(core: EmulatorCore, id: string): void {
  const clock = testClocks(core).get(id);
  if (!clock) return;
  clearTimeout(timersOf(core).get(id));
  timersOf(core).delete(id);
  for (const customer of customersOnClock(core, id)) deleteCustomer(core, customers(core).get(customer.id)!);
  testClocks(core).delete(id);
  // As Stripe's deleted events, the payload is the object as it last was (no `deleted` flag).
  core.emit('test_helpers.test_clock.deleted', clock);
}

function remove(req: EmuRequest): Stripe.TestHelpers.DeletedTestClock {
  requireClock(req.core, req.params.id);
  removeClock(req.core, req.params.id);
  return { id: req.params.id, object: 'test_helpers.test_clock', deleted: true };
}

function list(req: EmuRequest) {
  sweepExpired(req.core);
  return listResponse(testClocks(req.core).all(), req.body, listUrl(req));
}

/** For customers.create({test_clock}): the clock, if it can take one more customer. */
export function clockForNewCustomer(core: EmulatorCore, id: string): TestClockRecord {
  const clock = requireClock(core, id, 'test_clock');
  if (customersOnClock(core, id).length >= MAX_CUSTOMERS_PER_CLOCK) {
    throw invalid('test_clock', `Test clock ${id} already has ${MAX_CUSTOMERS_PER_CLOCK} customers, the most a test clock can have. Create another test clock.`);
  }
  return clock;
}

export const routes: Route[] = [
  { method: 'POST', path: '/v1/test_helpers/test_clocks', params: ['frozen_time', 'name', 'customer'], handler: create },
  { method: 'GET', path: '/v1/test_helpers/test_clocks', params: ['limit', 'starting_after', 'ending_before'], handler: list },
  { method: 'GET', path: '/v1/test_helpers/test_clocks/:id', params: [], handler: (req) => requireClock(req.core, req.params.id) },
  { method: 'DELETE', path: '/v1/test_helpers/test_clocks/:id', params: [], handler: remove },
  { method: 'POST', path: '/v1/test_helpers/test_clocks/:id/advance', params: ['frozen_time'], handler: advance },
];

/** How often the customers without a clock are brought up to real time when nobody asks. */
const CATCH_UP_INTERVAL_MS = 10_000;

export function setup(core: EmulatorCore): void {
  // Advances cut short by a restart (--state) resume; close finishes any still waiting.
  for (const clock of testClocks(core).scan()) if (clock.status === 'advancing') schedule(core, clock.id);
  const timer = setInterval(() => {
    try {
      catchUp(core);
    } catch (err) {
      core.options.log(`emulator: billing cycle failed (a bug, please report it): ${(err as Error).stack ?? String(err)}`);
    }
  }, CATCH_UP_INTERVAL_MS);
  timer.unref();
  core.onClose(() => {
    clearInterval(timer);
    const timers = timersOf(core);
    for (const [id, t] of [...timers]) {
      clearTimeout(t);
      timers.delete(id);
      finishAdvance(core, id);
    }
  });
  core.registerRetriever('test_helpers.test_clock', (id) => testClocks(core).get(id));
}

/**
 * Moving the live subscriptions on one price to another, shared by `subscriptions migrate` and
 * `apply --migrate-subscriptions`. Two ways, as Stripe documents them:
 * - `now` swaps the item's price. A metered item's usage so far is invoiced at once on the old price
 *   (`proration_behavior: always_invoice`, flexible billing mode) and the new price bills the rest
 *   of the period; a licensed item, paid in advance, keeps its period and renews on the new price.
 * - `period-end` gives the subscription a schedule (Stripe's own migration advice): made
 *   `from_subscription` (a call that takes no other parameter), then updated to two phases, the
 *   current items up to the period end and the new price from then on for one period, after which
 *   the schedule releases the subscription. The closing period bills fully on the old price.
 * Every write carries an idempotency key per subscription and step, so a killed run re-run resumes:
 * a schedule whose creation was cut off before its phases were set is found again by replaying the
 * create with its key (Stripe keeps keys 24 h), and our schedules carry metadata, so a schedule the
 * user made is reported and never overwritten.
 */
import type Stripe from 'stripe';
import { isStripeSdkError } from '../errors.js';
import { NO_SDK_RETRIES } from './resources/kind.js';
import type { Caller } from './resources/kind.js';
import type { StripeClient } from '../stripe/client.js';

/** What migrating needs: a Session, or apply's context. */
export interface MigrateContext {
  client: StripeClient;
  call: Caller;
}

export type MigrateAt = 'now' | 'period-end';

export interface MigrationOutcome {
  id: string;
  customer: string;
  /** now, metered: the invoice of the usage so far on the old price. */
  invoice?: string | null;
  /** period-end: our schedule, and when the new price starts. */
  schedule?: string;
  at?: number;
  reason?: string;
  error?: string;
}

export interface MigrationReport {
  migrated: MigrationOutcome[];
  already_migrated: MigrationOutcome[];
  skipped: MigrationOutcome[];
  failed: MigrationOutcome[];
}

/** Marks the schedules `period-end` makes (value: the price they move to). */
export const MIGRATION_METADATA_KEY = 'alpaca_billing_migrate_to';

export const customerOf = (s: Stripe.Subscription) => (typeof s.customer === 'string' ? s.customer : s.customer.id);
const idOf = (x: string | { id: string } | null) => (x === null ? null : typeof x === 'string' ? x : x.id);

/** The idempotency key of one step of one subscription's migration (`swap` keeps its first form). */
export function migrationKey(subId: string, step: 'swap' | 'schedule' | 'phases', from: string, to: string): string {
  return step === 'swap' ? `alpaca-billing-migrate-${subId}-${from}-${to}` : `alpaca-billing-migrate-${subId}-${step}-${from}-${to}`;
}

/** Sorts the subscriptions into those to move, those an earlier run has moved, and those to leave alone. */
export async function classifyForMigration(session: MigrateContext, subs: Stripe.Subscription[], from: Stripe.Price, to: Stripe.Price, at: MigrateAt): Promise<{ todo: Stripe.Subscription[] } & Omit<MigrationReport, 'migrated' | 'failed'>> {
  const todo: Stripe.Subscription[] = [];
  const already: MigrationOutcome[] = [];
  const skipped: MigrationOutcome[] = [];
  await Promise.all(subs.map(async (sub) => {
    const base = { id: sub.id, customer: customerOf(sub) };
    const scheduleId = idOf(sub.schedule as string | { id: string } | null);
    if (!scheduleId) return void todo.push(sub);
    const sched = await session.call(() => session.client.subscriptionSchedules.retrieve(scheduleId, undefined, NO_SDK_RETRIES));
    const ours = sched.metadata?.[MIGRATION_METADATA_KEY];
    if (ours === to.id && at === 'period-end') return void already.push({ ...base, schedule: sched.id, at: sched.phases[1]?.start_date });
    if (ours) return void skipped.push({ ...base, schedule: sched.id, reason: `an earlier migrate scheduled it to move to ${ours} at period end (release ${sched.id} to change that)` });
    // Unmarked: the user's, or ours cut off between its two calls; only the period-end run can tell (by its key).
    if (at === 'period-end') return void todo.push(sub);
    skipped.push({ ...base, schedule: sched.id, reason: `has its own subscription schedule (${sched.id})` });
  }));
  return { todo, already_migrated: already, skipped };
}

async function swapNow(session: MigrateContext, sub: Stripe.Subscription, from: Stripe.Price, to: Stripe.Price): Promise<MigrationOutcome> {
  const item = sub.items.data.find((i) => i.price.id === from.id)!;
  const metered = from.recurring?.usage_type === 'metered';
  const params: Stripe.SubscriptionUpdateParams = {
    // Stripe resets a licensed item's quantity to 1 on a price change unless it is sent again.
    items: [{ id: item.id, price: to.id, ...(metered ? {} : { quantity: item.quantity ?? 1 }) }],
    proration_behavior: metered ? 'always_invoice' : 'none',
  };
  const after = await session.call(() => session.client.subscriptions.update(sub.id, params, { ...NO_SDK_RETRIES, idempotencyKey: migrationKey(sub.id, 'swap', from.id, to.id) }));
  const invoice = idOf(after.latest_invoice as string | { id: string } | null);
  return { id: sub.id, customer: customerOf(sub), invoice: metered && invoice !== idOf(sub.latest_invoice as string | { id: string } | null) ? invoice : null };
}

/** The phase items of the subscription as it is, with `swap` replacing one price by another. */
function phaseItems(sub: Stripe.Subscription, swap?: { from: string; to: string }): Stripe.SubscriptionScheduleUpdateParams.Phase.Item[] {
  return sub.items.data.map((i) => ({
    price: swap && i.price.id === swap.from ? swap.to : i.price.id,
    ...(i.price.recurring?.usage_type === 'metered' ? {} : { quantity: i.quantity ?? 1 }),
  }));
}

async function scheduleAtPeriodEnd(session: MigrateContext, sub: Stripe.Subscription, from: Stripe.Price, to: Stripe.Price): Promise<MigrationOutcome> {
  const base = { id: sub.id, customer: customerOf(sub) };
  const own = idOf(sub.schedule as string | { id: string } | null);
  let sched: Stripe.SubscriptionSchedule;
  try {
    sched = await session.call(() => session.client.subscriptionSchedules.create({ from_subscription: sub.id }, { ...NO_SDK_RETRIES, idempotencyKey: migrationKey(sub.id, 'schedule', from.id, to.id) }));
  } catch (err) {
    // Stripe refuses a second schedule: the one there is the user's (ours would have replayed).
    if (own && isStripeSdkError(err) && err.statusCode === 400) return { ...base, schedule: own, reason: `has its own subscription schedule (${own})` };
    throw err;
  }
  if (own && sched.id !== own) return { ...base, schedule: own, reason: `has its own subscription schedule (${own})` };
  if (sched.status !== 'active' || idOf(sched.subscription as string | { id: string } | null) !== sub.id) {
    throw new Error(`the schedule ${sched.id} an earlier run made for it is ${sched.status} now; migrate it --at now, or re-run after 24 h`);
  }
  const item = sub.items.data.find((i) => i.price.id === from.id)!;
  const end = item.current_period_end;
  const recurring = to.recurring!;
  const params: Stripe.SubscriptionScheduleUpdateParams = {
    end_behavior: 'release',
    proration_behavior: 'none',
    metadata: { [MIGRATION_METADATA_KEY]: to.id },
    phases: [
      { start_date: sched.phases[0].start_date, end_date: end, items: phaseItems(sub), proration_behavior: 'none' },
      { items: phaseItems(sub, { from: from.id, to: to.id }), duration: { interval: recurring.interval, interval_count: recurring.interval_count }, proration_behavior: 'none' },
    ],
  };
  await session.call(() => session.client.subscriptionSchedules.update(sched.id, params, { ...NO_SDK_RETRIES, idempotencyKey: migrationKey(sub.id, 'phases', from.id, to.id) }));
  return { ...base, schedule: sched.id, at: end };
}

/** Migrates each subscription (concurrently, through the session's rate limiter); failures are collected, not thrown. */
export async function migrateSubscriptions(session: MigrateContext, todo: Stripe.Subscription[], from: Stripe.Price, to: Stripe.Price, at: MigrateAt, onProgress?: (done: number, total: number) => void): Promise<Pick<MigrationReport, 'migrated' | 'skipped' | 'failed'>> {
  const report: Pick<MigrationReport, 'migrated' | 'skipped' | 'failed'> = { migrated: [], skipped: [], failed: [] };
  let done = 0;
  await Promise.all(todo.map(async (sub) => {
    try {
      const outcome = at === 'now' ? await swapNow(session, sub, from, to) : await scheduleAtPeriodEnd(session, sub, from, to);
      (outcome.reason ? report.skipped : report.migrated).push(outcome);
    } catch (err) {
      const error = (err as Error)?.message ?? String(err);
      report.failed.push({ id: sub.id, customer: customerOf(sub), error });
    }
    onProgress?.(++done, todo.length);
  }));
  return report;
}

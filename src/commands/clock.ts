import { found } from '../stripe/found.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type Stripe from 'stripe';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { CancelledError, UserError } from '../errors.js';
import { formatDateTime } from '../customers/views.js';
import { timeFlag } from '../core/time.js';
import { addDuration, clockView, planAdvance, shortestInterval, type ClockView } from '../customers/test-clock.js';

/** Stripe advances a clock in seconds; the emulator in milliseconds. */
const POLL_MS = 250;

async function testStripe(ctx: CommandContext): Promise<Stripe> {
  if (ctx.mode() === 'live') throw new UserError('Test clocks exist only in test mode; refusing to use a live key.', { hint: 'Use a sk_test_ key (or a sandbox\'s).' });
  return ctx.stripe();
}

function checkClockId(id: string): void {
  if (!/^clock_[A-Za-z0-9]+$/.test(id)) throw new UserError(`'${id}' is not a test clock id (clock_…).`, { hint: 'See them with `alpaca-billing clock list`.' });
}

async function retrieveClock(stripe: Stripe, id: string): Promise<Stripe.TestHelpers.TestClock> {
  checkClockId(id);
  const clock = await found(stripe.testHelpers.testClocks.retrieve(id));
  if (!clock) throw new UserError(`No test clock '${id}' in this Stripe account (clocks are deleted 30 days after creation).`);
  return clock;
}

const describe = (c: ClockView) => `${c.id}${c.name ? ` (${c.name})` : ''}  ${c.status}  now ${formatDateTime(c.frozen_time)}`;

export interface ClockCreateOptions {
  frozenTime?: string;
  name?: string;
}

/** `clock create [--frozen-time T] [--name N]`: exit 0 created, 3 bad flags or a live key. */
export async function createClockCommand(ctx: CommandContext, options: ClockCreateOptions): Promise<CommandResult> {
  const frozen = options.frozenTime === undefined ? Math.floor(Date.now() / 1000) : timeFlag('--frozen-time', options.frozenTime);
  if (options.name !== undefined && options.name.length > 300) throw new UserError(`--name is ${options.name.length} characters; Stripe allows 300.`);
  const stripe = await testStripe(ctx);
  const clock = clockView(await stripe.testHelpers.testClocks.create({ frozen_time: frozen, ...(options.name !== undefined ? { name: options.name } : {}) }));
  return {
    data: { clock },
    render: (out) => {
      out.line(`created test clock ${describe(clock)}`);
      out.info(`attach customers with \`alpaca-billing customers create --test-clock ${clock.id} …\` (at most 3)`);
    },
  };
}

export interface ClockAdvanceOptions {
  to?: string;
  by?: string;
}

/** The subscriptions of the clock's customers, which set how far one advance may go. */
async function clockSubscriptions(stripe: Stripe, clockId: string): Promise<Stripe.Subscription[]> {
  return stripe.subscriptions.list({ test_clock: clockId, status: 'all', limit: 100 }).autoPagingToArray({ limit: 1000 });
}

async function waitReady(stripe: Stripe, id: string, signal: AbortSignal): Promise<Stripe.TestHelpers.TestClock> {
  for (;;) {
    const clock = await stripe.testHelpers.testClocks.retrieve(id);
    if (clock.status !== 'advancing') return clock;
    await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) throw new CancelledError(`Stopped waiting; test clock ${id} is still advancing on Stripe's side.`, { hint: 'See it with `alpaca-billing clock list`.' });
  }
}

/**
 * `clock advance <clock> --to T | --by D`: advances in as many steps as Stripe's limit needs, each
 * waited for and reported. Exit 0 advanced, 1 Stripe error (or the clock failed), 3 bad flags.
 */
export async function advanceClockCommand(ctx: CommandContext, options: ClockAdvanceOptions, id: string): Promise<CommandResult> {
  if ((options.to === undefined) === (options.by === undefined)) throw new UserError('clock advance needs exactly one of --to or --by.', { hint: 'e.g. --to 2026-02-01T01:00:00Z or --by 1mo' });
  const to = options.to !== undefined ? timeFlag('--to', options.to) : undefined;
  const stripe = await testStripe(ctx);
  const start = await retrieveClock(stripe, id);
  if (start.status !== 'ready') throw new UserError(`Test clock ${id} is ${start.status}; it can only be advanced when ready.`);
  const target = to ?? addDuration(start.frozen_time, options.by as string);
  const steps = planAdvance(start.frozen_time, target, shortestInterval(await clockSubscriptions(stripe, id)));
  const signal = ctx.interruptible();
  const done: ClockView[] = [];
  for (const [i, step] of steps.entries()) {
    const label = `advancing ${id} to ${formatDateTime(step)}${steps.length > 1 ? ` (step ${i + 1} of ${steps.length})` : ''}`;
    const spinner = await ctx.out.spinner(`${label}…`);
    await stripe.testHelpers.testClocks.advance(id, { frozen_time: step });
    const clock = clockView(await waitReady(stripe, id, signal));
    if (clock.status !== 'ready') {
      spinner.fail(`${label}: the clock is ${clock.status}`);
      throw new UserError(`Test clock ${id} ended in status ${clock.status} while advancing to ${formatDateTime(step)}.`, { hint: 'Stripe could not simulate that span; delete the clock and start again.' });
    }
    spinner.succeed(`${label}: ready`);
    done.push(clock);
  }
  const last = done[done.length - 1];
  return {
    data: { clock: last, steps: done.map((c) => c.frozen_time) },
    render: (out) => out.line(`test clock ${describe(last)}${steps.length > 1 ? ` after ${steps.length} steps (one advance reaches at most two intervals of the shortest subscription)` : ''}`),
  };
}

/** `clock list`: newest first. */
export async function listClocksCommand(ctx: CommandContext): Promise<CommandResult> {
  const stripe = await testStripe(ctx);
  const clocks = (await stripe.testHelpers.testClocks.list({ limit: 100 }).autoPagingToArray({ limit: 1000 })).map(clockView);
  return {
    data: { clocks },
    render: (out) => {
      if (clocks.length === 0) out.info('no test clocks');
      for (const clock of clocks) out.line(describe(clock));
    },
  };
}

export interface ClockDeleteOptions {
  yes?: boolean;
}

/** `clock delete <clock> --yes`: deletes the clock with its customers. Exit 0 deleted or declined, 3 no such clock / no --yes without a terminal. */
export async function deleteClockCommand(ctx: CommandContext, options: ClockDeleteOptions, id: string): Promise<CommandResult> {
  const stripe = await testStripe(ctx);
  const clock = await retrieveClock(stripe, id);
  if (!options.yes) {
    const ok = await ctx.prompt.confirm(`Delete test clock ${clock.id} and every customer on it?`, { flag: '--yes' });
    if (!ok) return { data: { deleted: null }, render: (out) => out.info('not deleted') };
  }
  await stripe.testHelpers.testClocks.del(clock.id);
  return { data: { deleted: clock.id }, render: (out) => out.line(`deleted test clock ${clock.id} with its customers (their subscriptions are canceled)`) };
}

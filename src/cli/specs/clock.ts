import type { Command } from 'commander';
import type { Act } from '../run.js';
import { group } from './define.js';

const TIME = 'a date (2026-02-01, midnight UTC), a time with its zone (2026-02-01T12:00:00Z) or Unix seconds';

export function registerClockCommands(program: Command, act: Act): void {
  group(program, 'clock', 'test clocks: move a test-mode customer through billing periods', (clock) => {
    clock
      .command('create')
      .description('create a test clock (test mode only); attach customers with `customers create --test-clock`')
      .option('--frozen-time <time>', `the clock's starting time: ${TIME} (default: now)`)
      .option('--name <name>', 'a name for the clock (≤ 300 characters)')
      .addHelpText('after', '\nExit codes: 0 created, 1 Stripe error, 3 invalid flags or a live key.')
      .action(act(async () => (await import('../../commands/clock.js')).createClockCommand));
    clock
      .command('advance')
      .description('advance a test clock and wait until Stripe has simulated the time (renewals, invoices, payments)')
      .argument('<clock>', 'the clock_ id')
      .option('--to <time>', `the new time: ${TIME}`)
      .option('--by <duration>', 'how far: 30m, 2h, 7d, 2w, 1mo or 1y')
      .addHelpText('after', `
One advance reaches at most two intervals of the clock's shortest subscription (two years without
one); a longer advance is split into allowed steps, each reported.
Exit codes: 0 advanced, 1 Stripe error or the clock failed, 3 invalid flags, no such clock, or a live key.`)
      .action(act(async () => (await import('../../commands/clock.js')).advanceClockCommand));
    clock
      .command('list')
      .description('list test clocks with their status and time')
      .action(act(async () => (await import('../../commands/clock.js')).listClocksCommand));
    clock
      .command('delete')
      .description('delete a test clock and every customer on it (their subscriptions are canceled)')
      .argument('<clock>', 'the clock_ id')
      .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
      .addHelpText('after', '\nExit codes: 0 deleted (or declined at the prompt), 1 Stripe error, 3 no such clock, a live key, or no terminal to confirm on without --yes.')
      .action(act(async () => (await import('../../commands/clock.js')).deleteClockCommand));
  });
}

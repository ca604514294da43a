import type { Command } from 'commander';
import type { Act } from '../run.js';
import { group, intOption, numberOption } from './define.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerEventCommands(program: Command, act: Act): void {
  group(program, 'events', 'watch what happens to subscriptions, invoices and usage', (events) => {
    events
      .command('tail')
      .description('list events oldest first (subscriptions, invoices, setup intents, checkout sessions, metering error reports)')
      .option('--type <pattern>', "event type or pattern, repeatable or comma-separated, e.g. 'invoice.*' (default: customer.subscription.*, invoice.*, setup_intent.*, checkout.session.*)", collect)
      .option('--customer <id>', 'only events about this customer (metering error reports name no customer and are left out)')
      .option('--since <time>', 'only events from this time: 30m, 2h, 7d back from now, a date (2026-11-01, midnight UTC), a time with its zone (2026-11-01T12:00:00Z) or Unix seconds')
      .option('--follow', 'keep polling and print new events as they happen (Ctrl-C to stop)')
      .option('--poll-interval <seconds>', 'seconds between polls with --follow', numberOption('--poll-interval', { min: 0.01 }), 2)
      .addHelpText('after', '\nWith --json, prints one event object per line (NDJSON).')
      .action(act(async () => (await import('../../commands/events-tail.js')).eventsTailCommand));
  });
  group(program, 'webhooks', 'receive and check Stripe webhook deliveries locally', (webhooks) => {
    webhooks
      .command('serve')
      .description('run a local webhook receiver that verifies every Stripe-Signature, prints events and can forward them')
      .requiredOption('--port <n>', 'port to listen on (0 picks a free one)', intOption('--port', { min: 0, max: 65535 }))
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--secret <whsec>', 'the endpoint signing secret; prefer STRIPE_WEBHOOK_SECRET (flags show in process lists)')
      .option('--forward-to <url>', "also send each verified delivery (raw body and headers) to your application's endpoint")
      .option('--tolerance <seconds>', 'reject signatures older than this (0 turns the age check off)', intOption('--tolerance', { min: 0 }), 300)
      .addHelpText('after', '\nWith --json, prints one verified event per line (NDJSON). Rejections and forwarding results go to stderr.')
      .action(act(async () => (await import('../../commands/webhooks-serve.js')).webhooksServeCommand));
  });
}

import { Option, type Command } from 'commander';
import type { Act } from '../run.js';
import { intOption, numberOption } from './define.js';

export function registerEmulatorCommands(program: Command, act: Act): void {
  program
    .command('emulator')
    .description('run the offline Stripe emulator (v1, v2 and the meter event stream on one port) for tests, CI and demos')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one; the ready line shows it)', intOption('--port', { min: 0, max: 65535 }), 12111)
    .option('--state <file>', 'load state from this file at start and save it after changes and on exit')
    .option('--latency <ms>', 'delay every response by this many milliseconds', intOption('--latency', { min: 0, max: 600_000 }))
    .option('--fault-rate <p>', 'answer this share (0..1) of requests with a 500, a 503 or a dropped connection', numberOption('--fault-rate', { min: 0, max: 1 }))
    .option('--rate-limit <n>', "answer requests beyond N per second with 429 rate_limit (Stripe's test mode allows 25)", intOption('--rate-limit', { min: 0 }))
    .option('--seed <n>', 'make ids and injected faults repeatable', intOption('--seed', { min: 0, max: 4_294_967_295 }))
    .option('--aggregation-delay <ms>', 'how long meter events take to show up in summaries and invoices', intOption('--aggregation-delay', { min: 0 }), 1000)
    .option('--session-ttl <s>', 'lifetime of v2 meter event session tokens in seconds', intOption('--session-ttl', { min: 1 }), 900)
    .addOption(new Option('--after-failed-retries <status>', 'what a subscription becomes when the last retry of a renewal payment fails (Stripe\'s subscription status setting)').choices(['cancel', 'unpaid']).default('cancel'))
    .addHelpText('after', `
The global --api-key makes the emulator accept only that key (default: any sk_test_/rk_test_ key),
and the global --quiet turns off the request log (one line per request on stderr).
When ready it prints one line on stdout containing http://HOST:PORT. Ctrl-C or SIGTERM stops it,
saving --state. Point any command at it with --api-base http://HOST:PORT or STRIPE_API_BASE.`)
    .action(act(async () => (await import('../../commands/emulator.js')).emulatorCommand));

  program
    .command('serve-example')
    .description('serve an example payment page (sign-up, card form, confirm, verified webhook) against an embedded emulator')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port of the example site (0 picks a free one)', intOption('--port', { min: 0, max: 65535 }), 4242)
    .option('--emulator-port <port>', 'port of the embedded emulator (0 picks a free one)', intOption('--emulator-port', { min: 0, max: 65535 }), 0)
    .addHelpText('after', `
The page is src/example/: a backend that creates the customer and a default_incomplete subscription
with the stripe SDK, a page that mounts the Payment Element with the client secret and confirms, and
a webhook endpoint that verifies signatures. Against real Stripe only the keys and the Stripe.js
URL (https://js.stripe.com/v3/) change. Ctrl-C or SIGTERM stops it.`)
    .action(act(async () => (await import('../../commands/serve-example.js')).serveExampleCommand));
}

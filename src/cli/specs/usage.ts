import { Option, type Command } from 'commander';
import type { Act } from '../run.js';
import { group, intOption } from './define.js';

const METER = 'a meter key of pricing.yaml or a meter event name';
const CUSTOMER_REF = 'a cus_ id, an email (exact), or your external id (metadata.external_id)';

export function registerUsageCommands(program: Command, act: Act): void {
  group(program, 'usage', 'report, ingest, summarise and cancel metered usage', (usage) => {

    usage
      .command('send')
      .description('record one usage event (validated by Stripe at once)')
      .requiredOption('--customer <customer>', CUSTOMER_REF)
      .requiredOption('--meter <meter>', METER)
      .requiredOption('--value <n>', 'a whole number (negative to correct earlier usage)')
      .option('--timestamp <time>', 'when the usage happened: ISO 8601 or Unix seconds, within the past 35 days (default now)')
      .option('--identifier <id>', 'your unique id for the event; one is generated and printed when absent, so a retry can reuse it')
      .addHelpText('after', `
  Sending the same --identifier again within 24 hours is safe: Stripe counts the event once.
  Exit codes: 0 recorded (or already recorded), 1 Stripe error, 3 invalid flags or unknown meter/customer.`)
      .action(act(async () => (await import('../../commands/usage-send.js')).usageSendCommand));

    usage
      .command('summary')
      .description('usage per hour or day, the total, and its estimated cost under the meter\'s price')
      .requiredOption('--customer <customer>', CUSTOMER_REF)
      .requiredOption('--meter <meter>', METER)
      .option('--from <time>', 'start (ISO 8601 or Unix seconds); default: the current period of the customer\'s subscription on this meter, else the current UTC month')
      .option('--to <time>', 'end, exclusive (default: the period\'s end, or now with --from)')
      .addOption(new Option('--group <window>', 'window size (default: hour up to 3 days, else day)').choices(['hour', 'day']))
      .option('--csv', 'print the windows as CSV (start,end,value)')
      .addHelpText('after', `
  Stripe summarises whole minutes, hour windows on whole hours and day windows on UTC midnights:
  times are rounded to fit, and every rounding is noted on stderr.
  --json prints {customer, meter, from, to, total, estimated_cost: {amount, currency}, windows: [{start, end, value}]}.
  Exit codes: 0 shown, 1 Stripe error, 3 unknown customer or meter, or invalid flags.`)
      .action(act(async () => (await import('../../commands/usage-summary.js')).usageSummaryCommand));

    usage
      .command('cancel')
      .description('cancel an event sent in the last 24 hours (a meter event adjustment)')
      .requiredOption('--meter <meter>', METER)
      .requiredOption('--identifier <id>', 'the identifier the event was sent with')
      .addHelpText('after', `
  Exit codes: 0 cancelled (or already cancelled), 1 Stripe error, 3 unknown meter or no such event in the last 24 hours.`)
      .action(act(async () => (await import('../../commands/usage-cancel.js')).usageCancelCommand));

    usage
      .command('ingest')
      .description('send files (or stdin) of usage events through Stripe\'s high-throughput meter event stream, exactly once')
      .argument('<files...>', 'NDJSON or CSV files of events (customer, value, timestamp, optional identifier and meter), directories of them, or - for stdin')
      .addOption(new Option('--format <format>', 'input format (default: from the file name; stdin is NDJSON)').choices(['ndjson', 'csv']))
      .option('--meter <meter>', `meter for events without a meter field: ${METER}`)
      .option('--max-rps <n>', 'requests per second at most (default: 25 with a test key, Stripe\'s limit; 10,000 live; 0 = no limit)', intOption('--max-rps', { min: 0 }))
      .option('--concurrency <n>', 'requests in flight (default 8)', intOption('--concurrency', { min: 1, max: 64 }))
      .option('--dry-run', 'validate every line and report; send nothing')
      .option('--rejects <path>', 'where to write rejected, changed and duplicate lines, only when there are some (default <journal dir>/rejects/<source>.rejects.ndjson); never the input or a file alpaca-billing did not write')
      .option('--journal-dir <dir>', 'directory of the delivery journal (default: .alpaca-billing beside the file; for stdin, in the working directory)')
      .option('--source-name <name>', 'name of the source in the report and the default rejects file (default: the file\'s name, or "stdin")')
      .option('--max-attempts <n>', 'attempts per request before giving up (default 10)', intOption('--max-attempts', { min: 1, max: 100 }))
      .option('--workers <n>', 'with several files: worker processes, a file each at a time (default: the number of CPUs)', intOption('--workers', { min: 1, max: 64 }))
      .addHelpText('after', `
  Each event gets a deterministic identifier (its own, or one derived from its content, never from its
  line or file name), and the journal (.alpaca-billing/usage-journal beside the file) records what
  Stripe acknowledged: re-running resumes where it stopped and never resends a delivered event, even
  after lines were inserted or the file renamed; a delivered line whose value was edited is reported
  as changed and not sent. A last line without its newline is held back. One ingest at a time per
  journal. Progress goes to stderr on a terminal; stdout carries only the report (--json: one document).
  Several files (a directory's *.ndjson, *.jsonl and *.csv, or a quoted pattern) run in parallel
  worker processes, each file as if ingested alone, under one rate limit (--max-rps is the run's;
  --concurrency each file's), with one report adding them up. An event whose identifier another file
  of the run already sent (the same customer, meter and second) is reported as a duplicate, not sent.
  Exit codes: 0 every valid line delivered (rejected, changed and duplicate lines are reported, not
  failures), 1 some valid lines not delivered (run again to resume) or stdin cut mid-line,
  3 unreadable file, invalid flags, or the journal in use by another ingest.`)
      .action(act(async () => (await import('../../commands/usage-ingest.js')).usageIngestCommand));

    usage
      .command('relay')
      .description('relay usage events from a NATS JetStream stream to Stripe\'s meter event stream, exactly once, as one of any number of relays')
      .requiredOption('--nats <urls>', 'NATS servers, comma-separated (nats://host:4222)')
      .requiredOption('--stream <stream>', 'the JetStream stream your applications publish usage events to')
      .requiredOption('--consumer <name>', 'durable pull consumer, created when missing; every relay with the same name shares the work')
      .option('--subject <filter>', 'subject filter of the consumer when the relay creates it (default: the whole stream)')
      .option('--meter <meter>', `meter for events without a meter field: ${METER}`)
      .option('--max-rps <n>', 'requests per second at most, for this relay (default: 25 with a test key, Stripe\'s limit; 10,000 live; 0 = no limit)', intOption('--max-rps', { min: 0 }))
      .option('--batch <n>', 'messages pulled at a time, and events per Stripe request (default 100)', intOption('--batch', { min: 1, max: 100 }))
      .option('--concurrency <n>', 'batches in flight (default 4)', intOption('--concurrency', { min: 1, max: 64 }))
      .option('--rejects-subject <subject>', 'where refused messages are published with their reason (default alpaca-billing.rejects)')
      .option('--metrics-port <n>', 'serve Prometheus metrics on http://0.0.0.0:<n>/metrics', intOption('--metrics-port', { min: 0, max: 65535 }))
      .option('--creds <file>', 'NATS credentials file')
      .option('--interval <seconds>', 'seconds between progress lines (default 10)', intOption('--interval', { min: 1 }))
      .addHelpText('after', `
  Each message is one event, as a line of \`usage ingest\` NDJSON. It is acknowledged only after Stripe
  acknowledged the batch holding it; an event without its own identifier gets one from the stream
  name and the message's sequence, so a redelivered message is counted once by Stripe (within its
  24-hour window). Invalid messages are terminated (never redelivered) and published to
  --rejects-subject with the reason. A line per --interval on stderr (--json: one JSON object per
  line on stdout). SIGTERM or Ctrl-C stops pulling, finishes the batches in hand and exits 0.
  Exit codes: 0 stopped, 1 Stripe refused the key or NATS failed at start, 3 invalid flags, no such
  stream, or an unusable consumer.`)
      .action(act(async () => (await import('../../commands/usage-relay.js')).usageRelayCommand));
  });
}

export { CUSTOMER_REF, METER };

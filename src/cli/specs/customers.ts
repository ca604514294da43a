import type { Command } from 'commander';
import type { Act } from '../run.js';
import { group, intOption, numberOption } from './define.js';

const CUSTOMER_REF = 'a cus_ id, an email (exact), or your external id (metadata.external_id)';

export function registerCustomerCommands(program: Command, act: Act): void {
  group(program, 'customers', 'create, list and show customers', (customers) => {
    customers
      .command('create')
      .description('create a customer; with --external-id, repeating it returns the existing customer instead of a twin')
      .option('--email <email>', 'the customer\'s email (required)')
      .option('--name <name>', 'display name')
      .option('--external-id <id>', 'your own user id, stored as metadata.external_id (makes the create idempotent)')
      .option('--metadata <key=value...>', 'extra metadata pairs')
      .option('--test-clock <clock>', 'put the customer on this test clock (test mode; at most 3 customers per clock)')
      .addHelpText('after', '\nExit codes: 0 created or already existing, 1 Stripe error, 3 invalid flags.')
      .action(act(async () => (await import('../../commands/customers.js')).createCustomerCommand));
    customers
      .command('list')
      .description('list customers, newest first')
      .option('--email <email>', 'only customers with exactly this email (case-sensitive)')
      .option('--limit <n>', 'how many (default 10)', intOption('--limit', { min: 1, max: 10_000 }))
      .action(act(async () => (await import('../../commands/customers.js')).listCustomersCommand));
    customers
      .command('show')
      .description('show a customer and its subscriptions')
      .argument('<customer>', CUSTOMER_REF)
      .addHelpText('after', '\nExit codes: 0 shown, 1 Stripe error, 3 no such customer or an ambiguous reference.')
      .action(act(async () => (await import('../../commands/customers.js')).showCustomerCommand));
  });
  program
    .command('subscribe')
    .description('subscribe a customer to prices by lookup key and print the client secret to collect payment details with')
    .argument('<customer>', CUSTOMER_REF)
    .option('--price <lookup_key...>', 'lookup keys of the prices (the lookup_key values in pricing.yaml)')
    .option('--allow-duplicate', 'subscribe even when the customer already has a live subscription to the price')
    .option('--checkout', 'create a hosted Checkout page instead, and print its URL')
    .option('--success-url <url>', 'with --checkout: where Checkout sends the customer after paying')
    .option('--cancel-url <url>', 'with --checkout: where Checkout sends the customer on cancel')
    .addHelpText('after', `
The subscription starts with payment_behavior=default_incomplete and saves the payment method it
collects. For a metered-only subscription the secret is a SetupIntent's (front end: confirmSetup);
otherwise it is the first invoice's (front end: confirmPayment).
Exit codes: 0 subscribed (or Checkout created), 1 Stripe error, 3 unknown customer or lookup key,
duplicate subscription, or invalid flags.`)
    .action(act(async () => (await import('../../commands/subscribe.js')).subscribeCommand));

  group(program, 'subscriptions', 'list, cancel and migrate subscriptions', (subscriptions) => {
    subscriptions
      .command('list')
      .description('list subscriptions (every status but canceled unless --status)')
      .option('--customer <customer>', CUSTOMER_REF)
      .option('--status <status>', 'active, past_due, unpaid, canceled, incomplete, incomplete_expired, trialing, paused, ended or all')
      .option('--limit <n>', 'how many (default 100)', intOption('--limit', { min: 1, max: 10_000 }))
      .action(act(async () => (await import('../../commands/subscriptions.js')).listSubscriptionsCommand));
    subscriptions
      .command('cancel')
      .description('cancel a subscription now, or at the end of its period')
      .argument('<subscription>', 'the sub_ id')
      .option('--at-period-end', 'keep it until the current period ends, then cancel')
      .option('--invoice-now', 'cancel now and invoice the usage not yet billed')
      .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
      .addHelpText('after', '\nExit codes: 0 cancelled (or already cancelled, or declined at the prompt), 1 Stripe error,\n3 unknown subscription, invalid flags, or no terminal to confirm on without --yes.')
      .action(act(async () => (await import('../../commands/subscriptions.js')).cancelSubscriptionCommand));
    subscriptions
      .command('migrate')
      .description('move every live subscription on one price to another, at the end of its period or now')
      .requiredOption('--from <price>', 'the old price: lookup key or price id (a price replaced by apply has lost its key: use its id)')
      .requiredOption('--to <price>', 'the new price: lookup key or price id (same currency, interval and usage type)')
      .requiredOption('--at <when>', "period-end: a subscription schedule moves it when its current period ends (that period bills fully on the old price); now: metered usage so far is invoiced on the old price at once, the rest of the period bills on the new one; licensed items renew on the new one")
      .option('--customer <customer>', `only this customer's subscriptions: ${CUSTOMER_REF}`)
      .option('--dry-run', 'only list the subscriptions that would move')
      .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
      .option('--max-rps <n>', 'client-side limit on Stripe requests per second (default 20 in test mode, 80 in live)', numberOption('--max-rps', { min: 0.1 }))
      .addHelpText('after', '\nExit codes: 0 done (or nothing to do, or declined), 1 a subscription failed (re-run to finish), 3 unknown price,\nincompatible prices, invalid flags, or no terminal to confirm on without --yes.')
      .action(act(async () => (await import('../../commands/subscriptions-migrate.js')).migrateSubscriptionsCommand));
  });
  group(program, 'invoice', 'invoices', (invoice) => {
    invoice
      .command('preview')
      .description('the upcoming invoice: each line\'s usage, the price math, and the total')
      .argument('<customer>', CUSTOMER_REF)
      .option('--subscription <id>', 'only this subscription (default: each live subscription of the customer)')
      .addHelpText('after', '\nExit codes: 0 shown (also when there is nothing to invoice), 1 Stripe error, 3 no such customer or subscription, or a subscription of another customer.')
      .action(act(async () => (await import('../../commands/invoice.js')).invoicePreviewCommand));
    invoice
      .command('list')
      .description('issued invoices, newest first: status, period, amount')
      .option('--customer <customer>', CUSTOMER_REF)
      .option('--subscription <id>', 'only this subscription\'s invoices')
      .option('--status <status>', 'draft, open, paid, uncollectible or void')
      .option('--limit <n>', 'how many (default 20)', intOption('--limit', { min: 1, max: 10_000 }))
      .addHelpText('after', '\nExit codes: 0 listed, 1 Stripe error, 3 invalid flags or no such customer.')
      .action(act(async () => (await import('../../commands/invoices.js')).listInvoicesCommand));
    invoice
      .command('show')
      .description('one invoice: each line\'s usage math, whether it agrees with the meter event summaries, payment attempts and the next retry')
      .argument('<invoice>', 'the in_ id')
      .addHelpText('after', '\nExit codes: 0 shown (also when usage and summaries differ: it says so), 1 Stripe error, 3 no such invoice.')
      .action(act(async () => (await import('../../commands/invoices.js')).showInvoiceCommand));
    invoice
      .command('pay')
      .description('attempt payment of an open invoice now (e.g. after a failed renewal payment)')
      .argument('<invoice>', 'the in_ id')
      .option('--payment-method <pm>', 'charge this payment method (default: the subscription\'s or customer\'s default)')
      .addHelpText('after', '\nExit codes: 0 paid, 1 declined or another Stripe error, 3 invalid flags, no such invoice, or an invoice that is not open.')
      .action(act(async () => (await import('../../commands/invoices.js')).payInvoiceCommand));
  });
}

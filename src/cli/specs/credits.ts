import { Option, type Command } from 'commander';
import type { Act } from '../run.js';
import { group, intOption } from './define.js';

const CUSTOMER_REF = 'the customer: a cus_ id, an email (exact), or your external id (metadata.external_id)';

export function registerCreditCommands(program: Command, act: Act): void {
  group(program, 'credits', 'billing credits: prepaid and promotional credit that pays for metered usage', (credits) => {
    credits
      .command('grant')
      .description('grant a customer credit for its metered usage; Stripe applies it when an invoice finalizes, before tax')
      .option('--customer <customer>', CUSTOMER_REF)
      .option('--amount <amount>', 'in major units as a decimal string, e.g. 10.00 (never rounded)')
      .option('--currency <code>', 'three-letter currency code, e.g. usd (credit applies to invoices in this currency)')
      .addOption(new Option('--category <category>', 'for your records; customers do not see it (default: paid)').choices(['paid', 'promotional']))
      .option('--expires <when>', 'a duration from the customer\'s now (30d, 2w, 1mo) or a time (2026-03-01, 2026-03-01T12:00:00Z); default: never')
      .option('--priority <n>', '0 (used first) to 100; default 50', intOption('--priority', { min: 0, max: 100 }))
      .option('--name <name>', 'a name for the grant (≤ 100 characters)')
      .option('--idempotency-key <key>', 'Stripe idempotency key (default: derived from the customer and these flags, so a repeated command grants once within 24 h)')
      .addHelpText('after', '\nExit codes: 0 granted (or an identical grant returned), 1 Stripe error, 3 invalid flags or unknown customer.')
      .action(act(async () => (await import('../../commands/credits.js')).grantCreditsCommand));
    credits
      .command('list')
      .description('list a customer\'s credit grants, newest first, with their state at the customer\'s now')
      .option('--customer <customer>', CUSTOMER_REF)
      .action(act(async () => (await import('../../commands/credits.js')).listCreditsCommand));
    credits
      .command('balance')
      .description('show a customer\'s available and pending credit per currency, and what is left of each grant')
      .option('--customer <customer>', CUSTOMER_REF)
      .action(act(async () => (await import('../../commands/credits.js')).creditBalanceCommand));
    credits
      .command('void')
      .description('void a credit grant: what is left of it can no longer be used')
      .argument('<grant>', 'the credgr_ id')
      .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
      .addHelpText('after', '\nExit codes: 0 voided (or declined at the prompt), 1 Stripe error, 3 no such grant, already voided, or no terminal to confirm on without --yes.')
      .action(act(async () => (await import('../../commands/credits.js')).voidCreditsCommand));
  });
}

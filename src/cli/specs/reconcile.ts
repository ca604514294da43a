import type { Command } from 'commander';
import { numberOption } from './define.js';
import type { Act } from '../run.js';
import type { PlanCommandOptions } from '../../commands/plan.js';
import type { ApplyCommandOptions } from '../../commands/apply.js';

const maxRps = (cmd: Command) =>
  cmd.option('--max-rps <n>', 'client-side limit on Stripe requests per second (default 20 in test mode, 80 in live)', numberOption('--max-rps', { min: 0.1 }));

const planFlags = (cmd: Command) =>
  maxRps(cmd)
    .option('--prune', 'archive managed prices and products no longer in the file, deactivate their meters, delete the webhook endpoints alpaca-billing created')
    .option('--adopt', 'take over objects with a matching identity that alpaca-billing did not create')
    .option('--allow-archive-in-use', 'archive (or replace) prices that active subscriptions still use')
    .option('--migrate-subscriptions <when>', 'move the subscriptions on a replaced price onto the new one, then archive the old: period-end (a schedule per subscription; the current period bills on the old price) or now')
    .option('--no-impact', "skip pricing the affected subscriptions' usage this period under the old and new prices (one API call per subscription)")
    .option('--impact-period <period>', 'which period impact prices: current (the usage so far, default) or last (the last closed period, from its invoice where there is one)');

const applyFlags = (cmd: Command) =>
  planFlags(cmd)
    .option('-y, --yes', 'apply without asking (required without a TTY or with CI set)')
    .option('--secrets-file <path>', 'write the signing secret of each new webhook endpoint here (dotenv, mode 0600); needed without a terminal');

export function registerReconcileCommands(program: Command, act: Act): void {
  planFlags(program.command('plan').description('show what apply would change in the Stripe account (terraform-style), without changing it'))
    .option('--detailed-exitcode', 'exit 0 with no changes, 2 with changes pending, 1 on error')
    .option('-o, --out <plan.json>', 'save the plan; `apply plan.json` applies exactly it')
    .action(act(async () => (await import('../../commands/plan.js')).planCommand));

  applyFlags(program.command('apply [plan.json]').description('make the Stripe account match the pricing file (or apply a saved plan), after confirmation'))
    .action(act(async () => (await import('../../commands/apply.js')).applyCommand));

  applyFlags(program.command('reconcile').description('the same as apply; --dry-run is plan'))
    .option('--dry-run', 'only show the plan (the same as `plan`)')
    .option('--detailed-exitcode', 'with --dry-run: exit 0 with no changes, 2 with changes pending')
    .action(act(async () => {
      const [{ planCommand }, { applyCommand }] = await Promise.all([import('../../commands/plan.js'), import('../../commands/apply.js')]);
      return (ctx, options: PlanCommandOptions & ApplyCommandOptions & { dryRun?: boolean }) => (options.dryRun ? planCommand(ctx, options) : applyCommand(ctx, options));
    }));

  maxRps(program.command('pull'))
    .description("write the account's meters, products and prices as a pricing.yaml (active ones; --all for archived too)")
    .option('-o, --out <pricing.yaml>', 'write to this file instead of stdout')
    .option('--force', 'overwrite the output file if it exists')
    .option('--all', 'include archived products and prices')
    .action(act(async () => (await import('../../commands/pull.js')).pullCommand));
}


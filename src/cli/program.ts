import { Command } from 'commander';
import type { Act } from './run.js';
import { VERSION } from './version.js';
import { defineGroup } from './specs/define.js';
import { registerConfigCommands } from './specs/config.js';
import { registerEmulatorCommands } from './specs/emulator.js';
import { registerReconcileCommands } from './specs/reconcile.js';
import { registerCustomerCommands } from './specs/customers.js';
import { registerUsageCommands } from './specs/usage.js';
import { registerEventCommands } from './specs/events.js';
import { registerDemoCommands } from './specs/demo.js';
import { registerClockCommands } from './specs/clock.js';
import { registerCreditCommands } from './specs/credits.js';
import { registerAlertCommands } from './specs/alerts.js';

export { VERSION } from './version.js';

/**
 * The command tree. No command code is imported until a command runs, and given the command line
 * (`argv`), only the groups it names (`usage`, `customers`…) get their subcommands: defining every
 * command and flag was most of the CLI's start-up time (issue 9). Without `argv` the whole tree is
 * there, for the README's reference and shell completion.
 */
export function buildProgram(act: Act, { argv }: { argv?: readonly string[] } = {}): Command {
  const program = new Command('alpaca-billing')
    .description('Provision and operate Stripe usage-based billing from a declarative pricing.yaml.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .option('-f, --file <path>', 'pricing file (default: pricing.yaml, or `file` in the settings)')
    .option('--profile <name>', 'settings profile to use (key variable, API base, pinned account)')
    .option('--api-key <key>', 'Stripe secret key; prefer STRIPE_API_KEY (flags show in process lists)')
    .option('--api-base <url>', 'send every Stripe call to this server, e.g. http://127.0.0.1:12111 (env STRIPE_API_BASE)')
    .option('--live', 'allow a live-mode key (refused otherwise)')
    .option('--json', 'print one JSON document (NDJSON for streams) on stdout and nothing else')
    .option('--no-color', 'no colours')
    .option('--quiet', 'no progress or narration on stderr')
    .option('--verbose', 'more detail on stderr');
  program.addHelpText('after', `
Exit codes: 0 success, 1 error (Stripe API, network, internal), 2 changes pending (plan --detailed-exitcode),
3 invalid input or a refusal for safety.`);

  registerConfigCommands(program, act);
  registerEmulatorCommands(program, act);
  registerReconcileCommands(program, act);
  registerCustomerCommands(program, act);
  registerUsageCommands(program, act);
  registerEventCommands(program, act);
  registerDemoCommands(program, act);
  registerClockCommands(program, act);
  registerCreditCommands(program, act);
  registerAlertCommands(program, act);
  for (const command of program.commands) {
    if (!argv || argv.includes(command.name())) defineGroup(command);
  }
  return program;
}

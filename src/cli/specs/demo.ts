import { Option, type Command } from 'commander';
import type { Act } from '../run.js';

export function registerDemoCommands(program: Command, act: Act): void {
  program
    .command('demo')
    .description("run Alpaca AI's whole billing story against an embedded emulator, narrating each step")
    .option('--keep', 'leave the emulator running at the end and print how to point commands at it')
    .option('--events <n>', 'usage events to send (a day of token usage)', '20000')
    // Self-contained: its own pricing file and emulator, whatever settings the directory has.
    .action(act(async () => (await import('../../commands/demo.js')).demoCommand, { settings: false }));

  program
    .command('init')
    .description('write a new pricing.yaml by answering a few questions (every question also has a flag)')
    .option('-o, --output <path>', 'file to write (default: the pricing file, pricing.yaml)')
    .option('--product <name>', 'product name, e.g. "Alpaca AI"')
    .option('--product-id <id>', 'Stripe product id (default: derived from the name)')
    .option('--meter-event <name>', 'meter event name, e.g. alpaca_ai_tokens')
    .addOption(new Option('--aggregation <formula>', 'how usage adds up').choices(['sum', 'count', 'last']))
    .option('--currency <code>', 'ISO 4217 currency, lowercase (default usd)')
    .addOption(new Option('--interval <interval>', 'billing interval').choices(['day', 'week', 'month', 'year']))
    .addOption(new Option('--price-form <form>', 'how usage becomes money').choices(['package', 'per-unit', 'tiered']))
    .option('--amount <minor>', 'package or per-unit amount in minor units (cents), e.g. 4 or "0.004"')
    .option('--package-size <n>', 'units per package, e.g. 1000')
    .option('--tiers <list>', 'tiered: up_to:unit_amount pairs, graduated, e.g. "1000000:0.005,inf:0.003"')
    .option('-y, --yes', 'accept defaults for every question not given by a flag (no prompts)')
    .option('--force', 'overwrite an existing file')
    .action(act(async () => (await import('../../commands/init.js')).initCommand));

  program
    .command('completion')
    .description('print a shell completion script (bash or zsh)')
    .argument('<shell>', 'bash or zsh')
    .action(act(async () => (await import('../../commands/completion.js')).completionCommand));
}

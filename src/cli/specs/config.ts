import type { Command } from 'commander';
import type { Act } from '../run.js';

export function registerConfigCommands(program: Command, act: Act): void {
  program
    .command('validate')
    .description('check pricing.yaml without calling Stripe; reports every problem with file:line:col')
    .action(act(async () => (await import('../../commands/validate.js')).validateCommand));
  program
    .command('schema')
    .description('print the JSON Schema of pricing.yaml (the same schema the validator uses)')
    .action(act(async () => (await import('../../commands/schema.js')).schemaCommand));
}

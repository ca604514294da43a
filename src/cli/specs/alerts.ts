import type { Command } from 'commander';
import type { Act } from '../run.js';
import { group, intOption } from './define.js';

export function registerAlertCommands(program: Command, act: Act): void {
  group(program, 'alerts', 'usage alerts: a webhook event when a customer\'s usage on a meter reaches a threshold', (alerts) => {
    alerts
      .command('create')
      .description('alert once when one customer\'s usage on a meter reaches a threshold (billing.alert.triggered)')
      .option('--customer <customer>', 'a cus_ id, an email (exact), or your external id (metadata.external_id)')
      .option('--meter <meter>', 'a meter key of pricing.yaml or a meter event name')
      .option('--threshold <n>', 'the usage (in the meter\'s unit) that triggers the alert', intOption('--threshold', { min: 1 }))
      .option('--title <title>', 'shown in the Dashboard and the event (default: the customer and threshold)')
      .addHelpText('after', '\nExit codes: 0 created, 1 Stripe error, 3 invalid flags, unknown customer or meter.')
      .action(act(async () => (await import('../../commands/alerts.js')).createAlertCommand));
    alerts
      .command('list')
      .description('list alerts, newest first')
      .option('--meter <meter>', 'only alerts on this meter (key or event name)')
      .action(act(async () => (await import('../../commands/alerts.js')).listAlertsCommand));
  });
}

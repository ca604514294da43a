import type Stripe from 'stripe';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import { resolveCustomer } from '../customers/resolve.js';
import { loadMeterCatalog, requireMeter } from '../cli/usage-setup.js';

/** The `--json` view of an alert. */
export interface AlertView {
  id: string;
  title: string;
  status: string | null;
  meter: string | null;
  threshold: number | null;
  /** The one customer it watches, or null for every customer of the meter. */
  customer: string | null;
}

export function alertView(a: Stripe.Billing.Alert): AlertView {
  const t = a.usage_threshold;
  const meter = t ? (typeof t.meter === 'string' ? t.meter : t.meter.id) : null;
  const customer = t?.filters?.[0]?.customer ?? null;
  return { id: a.id, title: a.title, status: a.status, meter, threshold: t?.gte ?? null, customer: customer === null ? null : typeof customer === 'string' ? customer : customer.id };
}

const describe = (a: AlertView) => `${a.id}  ${a.status}  ≥ ${a.threshold} on ${a.meter}  ${a.customer ?? 'every customer'}  "${a.title}"`;

export interface AlertsCreateOptions {
  customer?: string;
  meter?: string;
  threshold?: number;
  title?: string;
}

/** `alerts create`: a one-time usage alert for one customer. Exit 0 created, 1 Stripe error, 3 invalid flags, unknown customer or meter. */
export async function createAlertCommand(ctx: CommandContext, options: AlertsCreateOptions): Promise<CommandResult> {
  if (!options.customer || !options.meter || options.threshold === undefined) {
    throw new UserError('alerts create needs --customer, --meter and --threshold.', { hint: 'e.g. alerts create --customer user_42 --meter tokens --threshold 1000000' });
  }
  if (options.title !== undefined && options.title.length > 256) throw new UserError(`--title is ${options.title.length} characters; Stripe allows 256.`);
  const { catalog, stripe } = await loadMeterCatalog(ctx);
  const meter = requireMeter(catalog, options.meter);
  if (!meter.id) throw new UserError(`--meter: '${options.meter}' is in pricing.yaml but not in this Stripe account yet.`, { hint: 'Create it with `alpaca-billing apply`.' });
  const customer = await resolveCustomer(stripe!, options.customer);
  const title = options.title ?? `${customer.email ?? customer.id}: ${options.threshold} ${meter.displayName}`;
  const alert: Stripe.Billing.Alert = await stripe!.billing.alerts.create({ alert_type: 'usage_threshold', title, usage_threshold: { gte: options.threshold, meter: meter.id, recurrence: 'one_time', filters: [{ type: 'customer', customer: customer.id }] } });
  const view = alertView(alert);
  return {
    data: { alert: view },
    render: (out) => {
      out.line(`created alert ${describe(view)}`);
      out.info('Stripe sends billing.alert.triggered once, when the customer\'s usage reaches the threshold (not for customers on a test clock)');
    },
  };
}

export interface AlertsListOptions {
  meter?: string;
}

/** `alerts list [--meter M]`: newest first. */
export async function listAlertsCommand(ctx: CommandContext, options: AlertsListOptions): Promise<CommandResult> {
  const { catalog, stripe } = await loadMeterCatalog(ctx);
  const meterId = options.meter === undefined ? undefined : requireMeter(catalog, options.meter).id;
  const alerts: AlertView[] = (await stripe!.billing.alerts.list({ ...(meterId ? { meter: meterId } : {}), limit: 100 }).autoPagingToArray({ limit: 1000 })).map(alertView);
  return {
    data: { alerts },
    render: (out) => {
      if (alerts.length === 0) out.info('no alerts');
      for (const a of alerts) out.line(describe(a));
    },
  };
}

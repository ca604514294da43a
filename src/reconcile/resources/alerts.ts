/**
 * Usage alerts from pricing.yaml's `alerts:` section. Stripe's alerts have no metadata and cannot be
 * edited, so the local key rides in the title ("A big month [alpaca-billing:big_month]"): an alert
 * with such a title is ours, one without (made by `alerts create` or by hand) is never touched. A
 * changed alert is replaced: the new one is created, then the old one archived (archiving is final).
 */
import { found } from '../../stripe/found.js';
import type Stripe from 'stripe';
import { z } from 'zod/mini';
import { alertSchema } from '../../config/pricing-schema.js';
import { alertStripeTitle, parseAlertTitle, type AlertSpec } from '../../config/model.js';
import { UserError, isStripeSdkError } from '../../errors.js';
import type { Change, ChangeOf, DiffInput, FieldChange } from '../types.js';
import { NO_SDK_RETRIES, Phase, createOnce, listAll, newObjectOf, objectOf, type ReadContext, type ResourceKind, type Step } from './kind.js';

/** What apply sends; the meter by event name (it may be created in the same apply). */
const alertPayload = z.strictObject({
  title: z.string().check(z.minLength(1)),
  meter: z.string().check(z.minLength(1)),
  gte: alertSchema.shape.threshold,
  customer: alertSchema.shape.customer,
  /** An update only reactivates a deactivated alert. */
  activate: z.optional(z.boolean()),
});
export type AlertPayload = z.infer<typeof alertPayload>;

type Alert = Stripe.Billing.Alert;

const meterIdOf = (a: Alert) => {
  const m = a.usage_threshold?.meter;
  return m == null ? undefined : typeof m === 'string' ? m : m.id;
};
const customerOf = (a: Alert) => {
  const c = a.usage_threshold?.filters?.[0]?.customer;
  return c == null ? undefined : typeof c === 'string' ? c : c.id;
};

/** The fields as plan shows them: the meter by event name, the title as written in the file. */
type Shown = Record<'title' | 'meter' | 'threshold' | 'customer', string | number | undefined>;

function shown(spec: AlertSpec, eventName: string): Shown {
  return { title: spec.title, meter: eventName, threshold: spec.threshold, customer: spec.customer };
}

export function diffAlerts({ desired, state, options }: DiffInput): Change[] {
  const eventNameById = new Map(state.objects.meter.map((m) => [m.id, m.event_name]));
  // Archived alerts are gone for good; of several with one key, an active one is the match.
  const ours = (state.objects.alert ?? []).filter((a) => a.status !== 'archived' && parseAlertTitle(a.title)).sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active'));
  const claimed = new Set<string>();
  const changes: Change[] = [];
  for (const [key, spec] of Object.entries(desired.alerts ?? {})) {
    const eventName = desired.meters[spec.meter]?.event_name ?? spec.meter;
    const payload: AlertPayload = { title: alertStripeTitle(key, spec.title), meter: eventName, gte: spec.threshold, ...(spec.customer ? { customer: spec.customer } : {}) };
    const want = shown(spec, eventName);
    const alert = ours.find((a) => parseAlertTitle(a.title)!.key === key && !claimed.has(a.id));
    if (!alert) {
      const fields = Object.entries(want).filter(([, v]) => v !== undefined).map(([field, after]) => ({ field, after }));
      changes.push(withCustomerCheck({ action: 'create', type: 'alert', key, fields, notes: ["counts usage reported from its creation on; Stripe does not evaluate alerts for customers on a test clock"], payload: { ...payload } }, spec, state.missingCustomers));
      continue;
    }
    claimed.add(alert.id);
    const meterId = meterIdOf(alert);
    const have: Shown = { title: parseAlertTitle(alert.title)!.title, meter: (meterId && eventNameById.get(meterId)) ?? meterId, threshold: alert.usage_threshold?.gte, customer: customerOf(alert) };
    const fields: FieldChange[] = (Object.keys(want) as (keyof Shown)[]).filter((f) => want[f] !== have[f]).map((field) => ({ field, before: have[field], after: want[field] }));
    if (fields.length) {
      changes.push(withCustomerCheck({ action: 'replace', type: 'alert', key, id: alert.id, fields, notes: ['alerts cannot be edited: a new alert is created and this one archived; the new one counts usage from its creation on, so it can trigger again for customers the old one already warned'], payload: { ...payload } }, spec, state.missingCustomers));
    } else if (alert.status === 'inactive') {
      changes.push({ action: 'update', type: 'alert', key, id: alert.id, fields: [{ field: 'status', before: 'inactive', after: 'active' }], payload: { ...payload, activate: true } });
    } else {
      changes.push({ action: 'noop', type: 'alert', key, id: alert.id, fields: [] });
    }
  }
  if (options.prune) {
    for (const alert of ours) {
      if (claimed.has(alert.id)) continue;
      changes.push({ action: 'archive', type: 'alert', key: parseAlertTitle(alert.title)!.key, id: alert.id, fields: [{ field: 'status', before: alert.status, after: 'archived' }], notes: ['no longer in the file: archived (alerts cannot be deleted, and archiving is final)'] });
    }
  }
  return changes;
}

/** A create naming a customer the account lacks would fail half-way through apply: blocked instead. */
function withCustomerCheck(change: Change, spec: AlertSpec, missing: string[] | undefined): Change {
  if (!spec.customer || !missing?.includes(spec.customer)) return change;
  return { ...change, blocked: `no customer '${spec.customer}' in this Stripe account`, notes: [`Fix alerts.${change.key}.customer in pricing.yaml, or drop it to watch every customer of the meter.`] };
}

/** The customers the plan's alert creates name: the only ones plan needs to look up. */
export function alertCustomers(changes: Change[]): string[] {
  const ids = changes.filter((c): c is ChangeOf<'alert'> => c.type === 'alert' && (c.action === 'create' || c.action === 'replace')).map((c) => c.payload!.customer);
  return [...new Set(ids.filter((id): id is string => Boolean(id)))];
}

/** Of these customer ids, the ones the account does not have (one retrieve each; deleted customers count as missing). */
export async function findMissingCustomers(ctx: ReadContext, ids: string[]): Promise<string[]> {
  const exists = await Promise.all(ids.map(async (id) => {
    const customer = await found(ctx.call(() => ctx.client.customers.retrieve(id, {}, NO_SDK_RETRIES)));
    return customer !== undefined && !customer.deleted;
  }));
  return ids.filter((_, i) => !exists[i]);
}

function createStep(change: ChangeOf<'alert'>): Step {
  const p = change.payload!;
  // After the meters phase: the meter may be created by this same apply.
  return {
    phase: Phase.prices,
    name: 'create',
    writes: [{ object: newObjectOf(change), fields: ['*'] }],
    run: async (ctx) => {
      const params: Stripe.Billing.AlertCreateParams = {
        alert_type: 'usage_threshold',
        title: p.title,
        usage_threshold: { gte: p.gte, meter: ctx.resolve('meter', p.meter), recurrence: 'one_time', ...(p.customer ? { filters: [{ type: 'customer', customer: p.customer }] } : {}) },
      };
      let alert: Alert;
      try {
        alert = await createOnce(ctx, change, params,
          (idempotencyKey) => ctx.client.billing.alerts.create(params, { ...NO_SDK_RETRIES, idempotencyKey }),
          (id) => ctx.client.billing.alerts.retrieve(id, {}, NO_SDK_RETRIES));
      } catch (err) {
        // The file's customer id is the one thing validate cannot check offline: say which field it is.
        if (p.customer && isStripeSdkError(err) && err.code === 'resource_missing' && err.param?.includes('customer')) {
          throw new UserError(`alerts.${change.key}.customer: no customer '${p.customer}' in this Stripe account.`, { hint: 'Fix the id in pricing.yaml (see `alpaca-billing customers show <email>`), or drop customer to watch every customer of the meter.' });
        }
        throw err;
      }
      ctx.record('alert', change.key, alert.id);
    },
  };
}

const archiveStep = (id: string, name: string): Step => ({
  phase: Phase.archives,
  name,
  writes: [{ object: `alert:${id}`, fields: ['status'] }],
  run: async (ctx) => { await ctx.call(() => ctx.client.billing.alerts.archive(id, {}, NO_SDK_RETRIES)); },
});

function alertSteps(change: ChangeOf<'alert'>): Step[] {
  switch (change.action) {
    case 'create':
      return [createStep(change)];
    case 'replace':
      // The new alert first, so a failure in between leaves the key watched (by the old alert).
      return [createStep(change), archiveStep(change.id!, 'archive old')];
    case 'update':
      return [{ phase: Phase.prices, name: 'activate', writes: [{ object: objectOf(change), fields: ['status'] }], run: async (ctx) => { await ctx.call(() => ctx.client.billing.alerts.activate(change.id!, {}, NO_SDK_RETRIES)); } }];
    case 'archive':
      return [archiveStep(change.id!, 'archive')];
    default:
      return [];
  }
}

export const alerts: ResourceKind<'alert'> = {
  type: 'alert',
  read: (ctx) => listAll(ctx, (params) => ctx.client.billing.alerts.list(params, NO_SDK_RETRIES)),
  diff: diffAlerts,
  steps: alertSteps,
  payloads: { create: alertPayload, replace: alertPayload, update: alertPayload },
  pull: ({ state }) => {
    const meterKeyById = new Map(state.objects.meter.map((m) => [m.id, m.event_name]));
    const pulled = pullAlerts(state.objects.alert ?? [], meterKeyById);
    const ids = [...meterKeyById].filter(([, key]) => Object.values(pulled.alerts).some((a) => a.meter === key)).map(([id]) => id);
    return { file: { alerts: pulled.alerts }, meters: ids, skipped: pulled.skipped, unmanaged: 0 };
  },
};

/**
 * The `alerts:` section for `pull`: our alerts (by the key in their title), with their meters.
 * Alerts made some other way (`alerts create`, the Dashboard) stay out: the file would replace them.
 */
export function pullAlerts(list: Alert[], meterKeyById: ReadonlyMap<string, string>): { alerts: Record<string, { meter: string; threshold: number; customer?: string; title: string }>; skipped: string[] } {
  const out: ReturnType<typeof pullAlerts> = { alerts: {}, skipped: [] };
  let others = 0;
  for (const a of [...list].sort((x, y) => (x.id < y.id ? -1 : 1))) {
    if (a.status === 'archived') continue;
    const parsed = parseAlertTitle(a.title);
    if (!parsed) { others++; continue; }
    const meterId = meterIdOf(a);
    const meter = meterId ? meterKeyById.get(meterId) : undefined;
    if (!meter || !a.usage_threshold) { out.skipped.push(`alert ${parsed.key} (${a.id}): its meter ${meterId ?? '(none)'} is not in the pulled file`); continue; }
    if (parsed.key in out.alerts) { out.skipped.push(`alert ${parsed.key} (${a.id}): a second alert with this key; apply --prune archives it`); continue; }
    const customer = customerOf(a);
    out.alerts[parsed.key] = { meter, threshold: a.usage_threshold.gte, ...(customer ? { customer } : {}), title: parsed.title };
  }
  if (others) out.skipped.push(`${others} alert${others === 1 ? '' : 's'} not made from a pricing.yaml (e.g. by \`alerts create\`): left out, since the file identifies alerts by the key in their title`);
  return out;
}

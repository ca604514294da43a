/**
 * Meters, matched by `event_name`. Meters carry no metadata, so any meter with a declared event name
 * is ours; only `display_name` can change in place, and nothing can delete a meter (prune deactivates).
 */
import type Stripe from 'stripe';
import { z } from 'zod/mini';
import { meterSchema, type PricingFile } from '../../config/pricing-schema.js';
import type { MeterSpec } from '../../config/model.js';
import { isManaged, type Change, type ChangeOf, type DiffInput, type FieldChange } from '../types.js';
import { NO_SDK_RETRIES, Phase, listAll, type ResourceKind, type Step, newObjectOf, objectOf } from './kind.js';

const meterPayload = z.strictObject({
  display_name: z.string(),
  event_name: z.string().check(z.minLength(1)),
  aggregation: meterSchema.shape.aggregation,
  customer_key: z.string().check(z.minLength(1)),
  value_key: z.string().check(z.minLength(1)),
  /** Updates: the meter is inactive and comes back. */
  reactivate: z.optional(z.boolean()),
});
export type MeterPayload = z.infer<typeof meterPayload>;

function immutableFields(spec: MeterSpec, meter: Stripe.Billing.Meter): FieldChange[] {
  const pairs: [string, unknown, unknown][] = [
    ['aggregation', meter.default_aggregation.formula, spec.aggregation],
    ['customer_key', meter.customer_mapping.event_payload_key, spec.customer_key],
    ['value_key', meter.value_settings.event_payload_key, spec.value_key],
  ];
  return pairs.filter(([, b, a]) => b !== a).map(([field, before, after]) => ({ field, before, after }));
}

export function diffMeters({ desired, state, options }: DiffInput): Change[] {
  const byEvent = new Map(state.objects.meter.map((m) => [m.event_name, m]));
  const changes: Change[] = [];
  const declared = new Set<string>();
  for (const spec of Object.values(desired.meters)) {
    declared.add(spec.event_name);
    const payload: MeterPayload = { display_name: spec.display_name, event_name: spec.event_name, aggregation: spec.aggregation, customer_key: spec.customer_key, value_key: spec.value_key };
    const meter = byEvent.get(spec.event_name);
    if (!meter) {
      const fields = Object.entries(payload).map(([field, after]) => ({ field, after }));
      changes.push({ action: 'create', type: 'meter', key: spec.event_name, fields, payload: { ...payload } });
      continue;
    }
    const fields: FieldChange[] = [];
    if (meter.display_name !== spec.display_name) fields.push({ field: 'display_name', before: meter.display_name, after: spec.display_name });
    if (meter.status !== 'active') fields.push({ field: 'status', before: meter.status, after: 'active' });
    const immutable = immutableFields(spec, meter);
    const change: Change = { action: fields.length || immutable.length ? 'update' : 'noop', type: 'meter', key: spec.event_name, id: meter.id, fields: [...fields, ...immutable], payload: { ...payload, reactivate: meter.status !== 'active' } };
    if (immutable.length) {
      const what = immutable.map((f) => f.field).join(', ');
      change.blocked = `a meter's ${what} cannot change in place (only display_name can)`;
      change.notes = [`Declare a new meter with a new event_name (e.g. ${spec.event_name}_v2), point the prices at it (they will be replaced), and drop the old meter (deactivated with --prune). Usage already sent stays on the old meter.`];
    }
    changes.push(change);
  }
  if (options.prune) {
    // Meters have no ownership tag: prune only those a managed price uses, so a meter some other
    // system created is never deactivated just because this file does not mention it.
    const usedByManaged = new Set(state.objects.price.filter((p) => isManaged(p.metadata) && p.recurring?.meter).map((p) => p.recurring!.meter as string));
    for (const meter of state.objects.meter) {
      if (declared.has(meter.event_name) || meter.status !== 'active' || !usedByManaged.has(meter.id)) continue;
      changes.push({ action: 'archive', type: 'meter', key: meter.event_name, id: meter.id, fields: [{ field: 'status', before: 'active', after: 'inactive' }], notes: ['no longer in the file: deactivated (meters cannot be deleted); new usage events for it will be rejected'] });
    }
  }
  return changes;
}

function meterSteps(change: ChangeOf<'meter'>): Step[] {
  const p = change.payload;
  switch (change.action) {
    case 'create':
      return [{
        phase: Phase.meters,
        name: 'create',
        writes: [{ object: newObjectOf(change), fields: ['*'] }],
        run: async (ctx) => {
          const params: Stripe.Billing.MeterCreateParams = {
            display_name: p!.display_name,
            event_name: p!.event_name,
            default_aggregation: { formula: p!.aggregation },
            customer_mapping: { type: 'by_id', event_payload_key: p!.customer_key },
            value_settings: { event_payload_key: p!.value_key },
          };
          const meter = await ctx.call(() => ctx.client.billing.meters.create(params, { ...NO_SDK_RETRIES, idempotencyKey: ctx.idempotencyKey(change, 'create', params) }));
          ctx.record('meter', change.key, meter.id);
        },
      }];
    case 'update': {
      const steps: Step[] = [];
      const id = change.id!;
      if (p?.reactivate) {
        steps.push({ phase: Phase.meters, name: 'reactivate', writes: [{ object: objectOf(change), fields: ['status'] }], run: async (ctx) => { await ctx.call(() => ctx.client.billing.meters.reactivate(id, {}, NO_SDK_RETRIES)); } });
      }
      if (change.fields.some((f) => f.field === 'display_name')) {
        const params = { display_name: p!.display_name };
        steps.push({ phase: Phase.meters, name: 'update', writes: [{ object: objectOf(change), fields: ['display_name'] }], run: async (ctx) => { await ctx.call(() => ctx.client.billing.meters.update(id, params, NO_SDK_RETRIES)); } });
      }
      return steps;
    }
    case 'archive':
      return [{ phase: Phase.archives, name: 'deactivate', writes: [{ object: objectOf(change), fields: ['status'] }], run: async (ctx) => { await ctx.call(() => ctx.client.billing.meters.deactivate(change.id!, {}, NO_SDK_RETRIES)); } }];
    default:
      return [];
  }
}

type MeterEntry = NonNullable<PricingFile['meters']>[string];

/** A meter as pricing.yaml writes it (keyed by its event name; payload keys only when not Stripe's defaults). */
export function pulledMeter(m: Stripe.Billing.Meter): MeterEntry {
  return {
    display_name: m.display_name,
    event_name: m.event_name,
    aggregation: m.default_aggregation.formula as MeterEntry['aggregation'],
    ...(m.customer_mapping.event_payload_key !== 'stripe_customer_id' ? { customer_key: m.customer_mapping.event_payload_key } : {}),
    ...(m.value_settings.event_payload_key !== 'value' ? { value_key: m.value_settings.event_payload_key } : {}),
  };
}

export const meters: ResourceKind<'meter'> = {
  type: 'meter',
  read: (ctx) => listAll(ctx, (params) => ctx.client.billing.meters.list(params, NO_SDK_RETRIES)),
  diff: diffMeters,
  steps: meterSteps,
  payloads: { create: meterPayload, update: meterPayload, noop: meterPayload },
  // The active ones. An inactive meter is pulled only when a pulled price or alert names it (the
  // file has no way to say "inactive": plan would reactivate it).
  pull: ({ state }) => ({ file: { meters: Object.fromEntries(state.objects.meter.filter((m) => m.status === 'active').map((m) => [m.event_name, pulledMeter(m)])) }, skipped: [], unmanaged: 0 }),
};

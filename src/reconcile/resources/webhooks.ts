/**
 * Webhook endpoints from pricing.yaml's `webhooks:` section, matched by the local key kept in
 * `metadata.alpaca_billing_key` (so the URL can change in place), else by URL. Everything an
 * endpoint declares (url, events, description) is updatable; `--prune` deletes endpoints
 * alpaca-billing created (they cannot be archived). The signing secret exists only in the create
 * response: the create step hands it to `ctx.reveal` and it is never put into the plan or result.
 */
import type Stripe from 'stripe';
import { z } from 'zod/mini';
import type { WebhookSpec } from '../../config/model.js';
import { WEBHOOK_EVENT_TYPES } from '../../core/webhook-event-types.js';
import { MANAGED_BY_KEY, MANAGED_BY_VALUE, isManaged, type Change, type ChangeOf, type DiffInput, type FieldChange } from '../types.js';
import { NO_SDK_RETRIES, Phase, createOnce, listAll, type ResourceKind, type Step, newObjectOf, objectOf } from './kind.js';

/** Which pricing.yaml key an endpoint belongs to. */
export const WEBHOOK_KEY_METADATA = 'alpaca_billing_key';

type EnabledEvent = Stripe.WebhookEndpointCreateParams.EnabledEvent;
const enabledEvent = z.custom<EnabledEvent>((v) => typeof v === 'string' && (v === '*' || WEBHOOK_EVENT_TYPES.has(v)), 'not an event type Stripe knows');

const webhookCreatePayload = z.strictObject({
  url: z.string().check(z.minLength(1)),
  enabled_events: z.array(enabledEvent).check(z.minLength(1)),
  description: z.optional(z.string()),
  metadata: z.record(z.string(), z.string()),
});
export type WebhookCreatePayload = z.infer<typeof webhookCreatePayload>;

/** The update parameters, only the fields that differ. */
const webhookUpdatePayload = z.strictObject({
  url: z.optional(z.string().check(z.minLength(1))),
  enabled_events: z.optional(z.array(enabledEvent).check(z.minLength(1))),
  /** '' unsets. */
  description: z.optional(z.string()),
  disabled: z.optional(z.literal(false)),
  metadata: z.optional(z.record(z.string(), z.string())),
});
export type WebhookUpdatePayload = z.infer<typeof webhookUpdatePayload>;

export type WebhookPayload = WebhookCreatePayload | WebhookUpdatePayload;

const sameEvents = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
const blankToUndefined = (s: string | null | undefined) => (s ? s : undefined);

/** The file's event types, which validate checked against the SDK's list (src/core/webhook-event-types.ts). */
const eventsOf = (spec: WebhookSpec) => [...spec.enabled_events] as EnabledEvent[];

function ownMetadata(key: string): Record<string, string> {
  return { [MANAGED_BY_KEY]: MANAGED_BY_VALUE, [WEBHOOK_KEY_METADATA]: key };
}

function createChange(key: string, spec: WebhookSpec): Change {
  const payload: WebhookCreatePayload = { url: spec.url, enabled_events: eventsOf(spec), metadata: ownMetadata(key) };
  if (spec.description !== undefined) payload.description = spec.description;
  const fields: FieldChange[] = [{ field: 'url', after: spec.url }, { field: 'enabled_events', after: [...spec.enabled_events] }];
  if (spec.description !== undefined) fields.push({ field: 'description', after: spec.description });
  return { action: 'create', type: 'webhook_endpoint', key, fields, notes: ['the signing secret is shown once, or written to --secrets-file'], payload: { ...payload } };
}

function updateChange(key: string, spec: WebhookSpec, endpoint: Stripe.WebhookEndpoint, adopt: boolean): Change {
  const fields: FieldChange[] = [];
  const update: WebhookUpdatePayload = {};
  if (endpoint.url !== spec.url) {
    fields.push({ field: 'url', before: endpoint.url, after: spec.url });
    update.url = spec.url;
  }
  if (!sameEvents(endpoint.enabled_events, spec.enabled_events)) {
    fields.push({ field: 'enabled_events', before: [...endpoint.enabled_events], after: [...spec.enabled_events] });
    update.enabled_events = eventsOf(spec);
  }
  const description = blankToUndefined(endpoint.description);
  if (description !== blankToUndefined(spec.description)) {
    fields.push({ field: 'description', before: description, after: spec.description });
    update.description = spec.description ?? '';
  }
  // Disabled in the Dashboard is drift like any other: the file says this endpoint should receive events.
  if (endpoint.status === 'disabled') {
    fields.push({ field: 'status', before: 'disabled', after: 'enabled' });
    update.disabled = false;
  }
  const wanted = ownMetadata(key);
  const metadataFields = Object.entries(wanted)
    .filter(([k, v]) => endpoint.metadata?.[k] !== v)
    .map(([k, v]) => ({ field: `metadata.${k}`, before: endpoint.metadata?.[k], after: v }));
  if (metadataFields.length) {
    fields.push(...metadataFields);
    update.metadata = wanted;
  }
  return { action: fields.length ? 'update' : 'noop', type: 'webhook_endpoint', key, id: endpoint.id, fields, adopt: adopt || undefined, payload: { ...update } };
}

export function diffWebhooks({ desired, state, options }: DiffInput): Change[] {
  const endpoints = state.objects.webhook_endpoint ?? [];
  const declared = desired.webhooks ?? {};
  const byKey = new Map<string, Stripe.WebhookEndpoint>();
  for (const e of endpoints) {
    const key = e.metadata?.[WEBHOOK_KEY_METADATA];
    if (isManaged(e.metadata) && key && key in declared && !byKey.has(key)) byKey.set(key, e);
  }
  // Endpoints that already belong to a declared key are never taken by another key's URL match.
  const claimed = new Set([...byKey.values()].map((e) => e.id));
  const changes: Change[] = [];
  for (const [key, spec] of Object.entries(declared)) {
    // A renamed key, or an endpoint made by hand for this URL, is found by its URL.
    const endpoint = byKey.get(key) ?? endpoints.find((e) => !claimed.has(e.id) && e.url === spec.url);
    if (!endpoint) {
      changes.push(createChange(key, spec));
      continue;
    }
    claimed.add(endpoint.id);
    const managed = isManaged(endpoint.metadata);
    if (!managed && !options.adopt) {
      changes.push({ action: 'noop', type: 'webhook_endpoint', key, id: endpoint.id, fields: [], unmanaged: true, notes: [`an endpoint for ${spec.url} exists without managed_by=alpaca-billing: left alone (pass --adopt to manage it)`] });
      continue;
    }
    changes.push(updateChange(key, spec, endpoint, !managed));
  }
  if (options.prune) {
    for (const e of endpoints) {
      if (claimed.has(e.id) || !isManaged(e.metadata)) continue;
      const key = e.metadata[WEBHOOK_KEY_METADATA] || e.url;
      changes.push({ action: 'archive', type: 'webhook_endpoint', key, id: e.id, fields: [{ field: 'url', before: e.url }], notes: [`no longer in the file: deleted (webhook endpoints cannot be archived); deliveries to ${e.url} stop`] });
    }
  }
  return changes;
}

function webhookSteps(change: ChangeOf<'webhook_endpoint'>): Step[] {
  switch (change.action) {
    case 'create': {
      const params = change.payload as WebhookCreatePayload;
      // Independent of the catalog, so it runs in the first phase, beside the meters.
      return [{
        phase: Phase.meters,
        name: 'create',
        writes: [{ object: newObjectOf(change), fields: ['*'] }],
        run: async (ctx) => {
          const endpoint = await createOnce(ctx, change, params,
            (idempotencyKey) => ctx.client.webhookEndpoints.create(params, { ...NO_SDK_RETRIES, idempotencyKey }),
            (id) => ctx.client.webhookEndpoints.retrieve(id, {}, NO_SDK_RETRIES));
          ctx.record('webhook_endpoint', change.key, endpoint.id);
          if (endpoint.secret) await ctx.reveal({ type: 'webhook_endpoint', key: change.key, id: endpoint.id, url: endpoint.url, secret: endpoint.secret });
        },
      }];
    }
    case 'update': {
      const params = change.payload as WebhookUpdatePayload;
      return [{ phase: Phase.meters, name: 'update', writes: [{ object: objectOf(change), fields: Object.keys(params) }], run: async (ctx) => { await ctx.call(() => ctx.client.webhookEndpoints.update(change.id!, params, NO_SDK_RETRIES)); } }];
    }
    case 'archive':
      return [{ phase: Phase.archives, name: 'delete', writes: [{ object: objectOf(change), fields: ['*'] }], run: async (ctx) => { await ctx.call(() => ctx.client.webhookEndpoints.del(change.id!, {}, NO_SDK_RETRIES)); } }];
    default:
      return [];
  }
}

export const webhooks: ResourceKind<'webhook_endpoint'> = {
  type: 'webhook_endpoint',
  read: (ctx) => listAll(ctx, (params) => ctx.client.webhookEndpoints.list(params, NO_SDK_RETRIES)),
  diff: diffWebhooks,
  steps: webhookSteps,
  payloads: { create: webhookCreatePayload, update: webhookUpdatePayload, noop: webhookUpdatePayload },
  pull: ({ state }) => {
    const { webhooks: entries, skipped, unmanaged } = pullWebhooks(state.objects.webhook_endpoint ?? []);
    return { file: { webhooks: entries }, skipped, unmanaged };
  },
};

/** A pricing.yaml key for an endpoint nobody named: its host and path, e.g. `example_com_hooks_stripe`. */
export function keyFromUrl(url: string): string {
  let text = url;
  try {
    const u = new URL(url);
    text = `${u.hostname}${u.port ? `_${u.port}` : ''}${u.pathname}`;
  } catch {
    // keep the raw text
  }
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'endpoint';
}

export interface PulledWebhooks {
  webhooks: Record<string, { url: string; events: string[]; description?: string }>;
  skipped: string[];
  unmanaged: number;
}

/**
 * The `webhooks:` section for `pull`: enabled endpoints under their own key (or one made from the
 * URL). Disabled ones are left out, since the file cannot say "disabled" and plan would re-enable them.
 */
export function pullWebhooks(endpoints: Stripe.WebhookEndpoint[]): PulledWebhooks {
  const out: PulledWebhooks = { webhooks: {}, skipped: [], unmanaged: 0 };
  for (const e of [...endpoints].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (e.status === 'disabled') {
      out.skipped.push(`webhook endpoint ${e.url} (${e.id}): disabled, so left out (the file would enable it)`);
      continue;
    }
    const managed = isManaged(e.metadata);
    if (!managed) out.unmanaged++;
    const base = (managed && e.metadata[WEBHOOK_KEY_METADATA]) || keyFromUrl(e.url);
    let key = base;
    for (let n = 2; key in out.webhooks; n++) key = `${base}_${n}`;
    out.webhooks[key] = { url: e.url, events: [...e.enabled_events], ...(e.description ? { description: e.description } : {}) };
  }
  return out;
}

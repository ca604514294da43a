// v1 events: every create, update and delete the emulator announces through `core.emit` becomes a
// stored `event` (kept 30 days, like Stripe) and is handed to the webhook deliverer.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { COLLECTIONS } from '../collection-names.js';

/** The API version our events claim; the pinned version of the SDK we emulate. */
export const EVENT_API_VERSION = '2026-10-28.endive';
const RETENTION_SEC = 30 * 24 * 60 * 60;

/** none: no endpoint wanted it; pending: a delivery is still being tried; ok / failed: all done. */
export type DeliveryState = 'none' | 'pending' | 'ok' | 'failed';

export interface EventRecord {
  id: string;
  event: Stripe.Event;
  delivery: DeliveryState;
}

export function eventRecords(core: EmulatorCore) {
  return core.collection<EventRecord>(COLLECTIONS.events);
}

export function recordEvent(core: EmulatorCore, type: string, object: Record<string, any>, previousAttributes?: Record<string, any>): EventRecord {
  const events = eventRecords(core);
  const created = core.now();
  for (const old of events.values()) {
    if (old.event.created >= created - RETENTION_SEC) break;
    events.delete(old.id);
  }
  const event = {
    id: core.id('evt_'),
    object: 'event',
    api_version: EVENT_API_VERSION,
    created,
    data: previousAttributes ? { object, previous_attributes: previousAttributes } : { object },
    livemode: false,
    pending_webhooks: 0,
    request: { ...core.currentRequest },
    type,
  } as unknown as Stripe.Event;
  return events.insert({ id: event.id, event, delivery: 'none' });
}

/** `type` filters may end in (or contain) `*`, which matches any run of characters. */
export function typeMatcher(pattern: string): (type: string) => boolean {
  if (!pattern.includes('*')) return (t) => t === pattern;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (t) => re.test(t);
}

// v2 core events (the "thin" event family). The emulator only produces the metering error
// events; they are stored in full and served by GET /v2/core/events.
import type { EmulatorCore } from '../core.js';
import { COLLECTIONS } from '../collection-names.js';

export interface V2EventRecord {
  id: string;
  object: 'v2.core.event';
  type: string;
  created: string;
  livemode: false;
  related_object?: { id: string; type: string; url: string };
  data: Record<string, unknown>;
  /** Sort key (ms) so `created` filters need not parse ISO strings. */
  createdMs: number;
}

export function v2Events(core: EmulatorCore) {
  return core.collection<V2EventRecord>(COLLECTIONS.v2Events);
}

export function recordV2Event(core: EmulatorCore, type: string, data: Record<string, unknown>, relatedObject?: V2EventRecord['related_object']): V2EventRecord {
  const ms = core.nowMs();
  const record: V2EventRecord = {
    id: core.id('evt_'),
    object: 'v2.core.event',
    type,
    created: new Date(ms).toISOString(),
    livemode: false,
    ...(relatedObject ? { related_object: relatedObject } : {}),
    data,
    createdMs: ms,
  };
  return v2Events(core).insert(record);
}

/**
 * The wire form, without our sort key. `context` and `reason` are absent, not null: the SDK types
 * them optional and not nullable (events saved by an older emulator still carry nulls).
 */
export function v2EventWire(r: V2EventRecord): Omit<V2EventRecord, 'createdMs'> {
  const { createdMs: _ms, context: _context, reason: _reason, ...wire } = r as V2EventRecord & { context?: null; reason?: null };
  return wire;
}

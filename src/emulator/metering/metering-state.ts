// One MeteringEngine per emulator core, wired to the catalog (meters), the customers and the
// clock, and persisted with --state as a slice (aggregates and the last day's identifiers only).
import type { EmulatorCore } from '../core.js';
import { meters as meterCollection } from '../catalog/store.js';
import { nowFor } from '../billing/store.js';
import { customers } from '../customers/store.js';
import { AggregateStore } from './aggregate-store.js';
import { IdentifierLog } from './identifier-log.js';
import { MeteringEngine } from './metering-engine.js';
import type { SavedMetering } from './saved-metering.js';
import type { MeterLike } from './validate-event.js';
import type { Collection } from '../store.js';

const engines = new WeakMap<EmulatorCore, MeteringEngine>();

export function meteringFor(core: EmulatorCore): MeteringEngine {
  let engine = engines.get(core);
  if (engine) return engine;
  const meters = meterCollection(core) as unknown as Collection<MeterLike>;
  const customerList = customers(core);
  // Meters are updated in place, so a cached object stays current; a miss rescans (new meter).
  const byEventName = new Map<string, MeterLike>();
  const findMeter = (eventName: string): MeterLike | undefined => {
    const cached = byEventName.get(eventName);
    if (cached && cached.event_name === eventName && cached.status === 'active' && meters.get(cached.id) === cached) return cached;
    byEventName.delete(eventName);
    // Several meters can only share a name if one is inactive; the active one wins.
    let found: MeterLike | undefined;
    for (const m of meters.values()) if (m.event_name === eventName && (!found || m.status === 'active')) found = m;
    if (found) byEventName.set(eventName, found);
    return found;
  };
  engine = new MeteringEngine({
    nowMs: () => core.nowMs(),
    delayMs: core.options.aggregationDelayMs,
    findMeter,
    customerExists: (id) => customerList.has(id),
    customerNowSec: (id) => nowFor(core, id),
    // Stripe generates an identifier when none is given; ours are unique per emulator run.
    newIdentifier: () => core.id(''),
    // --state: each accepted event goes into the write-ahead log; the whole slice only into snapshots.
    log: (op) => core.log(op),
  });
  const saved = core.slice<SavedMetering>('metering', () => ({}), true);
  if (saved.aggregates) engine.store = AggregateStore.fromJSON(saved.aggregates);
  if (saved.identifiers) {
    // Events still inside the aggregation delay when state was saved become visible now.
    for (const r of saved.identifiers) {
      if (r.state !== 'pending') continue;
      engine.store.add(r.contribution);
      r.state = 'applied';
    }
    engine.identifiers = IdentifierLog.fromJSON(saved.identifiers);
  }
  for (const c of saved.pending ?? []) engine.store.add(c);
  const live = engine;
  core.onReplay('m.accept', (op) => live.replay(op));
  core.onReplay('m.cancel', (op) => live.replay(op));
  // The slice is written with JSON.stringify: serialise the live engine, not the loaded copy.
  Object.defineProperty(saved, 'toJSON', {
    enumerable: false,
    configurable: true,
    value: (): SavedMetering => ({ aggregates: live.store.toJSON(), identifiers: live.identifiers.toJSON(), pending: live.pendingAnonymous() }),
  });
  engines.set(core, engine);
  return engine;
}

/** The stored meter with this id (the catalog owns the collection). */
export function meterById(core: EmulatorCore, id: string): MeterLike | undefined {
  return (meterCollection(core) as unknown as Collection<MeterLike>).get(id);
}

/** Settings for the behaviours Stripe leaves uncertain (see SPEC.md, "Metering"). */
export interface MeteringSettings {
  /**
   * A repeated identifier within 24 h on v1/v2 meter_events: `error` answers Stripe's 400 (the
   * default); `ignore` answers 200 as if accepted, counting nothing.
   */
  duplicateIdentifier: 'error' | 'ignore';
}

export function meteringSettings(core: EmulatorCore): MeteringSettings {
  return core.slice<MeteringSettings>('metering_settings', () => ({ duplicateIdentifier: 'error' }));
}

/** Changes the uncertain-behaviour settings (tests and embedders call this on `core`). */
export function configureMetering(core: EmulatorCore, patch: Partial<MeteringSettings>): MeteringSettings {
  const settings = meteringSettings(core);
  Object.assign(settings, patch);
  core.markDirty();
  return settings;
}

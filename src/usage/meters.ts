/**
 * Which meters usage can be sent to: Stripe's meters (by event name) and pricing.yaml's meter keys
 * (mapped to their event names). `--meter` and a record's `meter` may be either.
 */
import type Stripe from 'stripe';
import type { MeterSpec, PricingConfig } from '../config/model.js';

export interface MeterInfo {
  /** Absent when known only from pricing.yaml (offline dry run). */
  id?: string;
  eventName: string;
  /** The pricing.yaml key, when it has one. */
  key?: string;
  displayName: string;
  customerKey: string;
  valueKey: string;
  active: boolean;
  formula: 'sum' | 'count' | 'last';
}

export class MeterCatalog {
  private readonly byEventName = new Map<string, MeterInfo>();
  private readonly byKey = new Map<string, MeterInfo>();
  private readonly cache = new Map<string, { eventName: string; countsEvents: boolean } | { reason: string }>();

  constructor(meters: MeterInfo[], readonly fromStripe: boolean) {
    for (const m of meters) {
      // Stripe allows one active meter per event name; prefer the active one if an old one lingers.
      const existing = this.byEventName.get(m.eventName);
      if (!existing || (!existing.active && m.active)) this.byEventName.set(m.eventName, m);
      if (m.key) this.byKey.set(m.key, m);
    }
  }

  find(meter: string): MeterInfo | undefined {
    return this.byKey.get(meter) ?? this.byEventName.get(meter);
  }

  /** For the line parser: the event name, or why the meter cannot take events. Memoised. */
  resolve = (meter: string): { eventName: string; countsEvents: boolean } | { reason: string } => {
    let hit = this.cache.get(meter);
    if (!hit) {
      hit = this.check(meter);
      this.cache.set(meter, hit);
    }
    return hit;
  };

  byEvent(eventName: string): MeterInfo | undefined {
    return this.byEventName.get(eventName);
  }

  names(): string[] {
    return [...new Set([...this.byKey.keys(), ...[...this.byEventName.values()].filter((m) => m.active).map((m) => m.eventName)])].sort();
  }

  private check(meter: string): { eventName: string; countsEvents: boolean } | { reason: string } {
    const info = this.find(meter);
    if (!info) {
      const known = this.names();
      return { reason: `unknown meter '${meter}'${known.length ? ` (known: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''})` : ''}` };
    }
    if (!info.active) return { reason: `meter '${meter}' is inactive in Stripe (reactivate it to record usage)` };
    if (this.fromStripe && !info.id) return { reason: `meter '${meter}' is in pricing.yaml but not in Stripe yet (run apply first)` };
    return { eventName: info.eventName, countsEvents: info.formula === 'count' };
  }
}

export function metersFromPricing(config: PricingConfig | undefined): MeterInfo[] {
  if (!config) return [];
  return Object.entries(config.meters).map(([key, m]: [string, MeterSpec]) => ({
    key,
    eventName: m.event_name,
    displayName: m.display_name,
    customerKey: m.customer_key,
    valueKey: m.value_key,
    active: true,
    formula: m.aggregation,
  }));
}

export function meterFromStripe(m: Stripe.Billing.Meter): MeterInfo {
  return {
    id: m.id,
    eventName: m.event_name,
    displayName: m.display_name,
    customerKey: m.customer_mapping?.event_payload_key ?? 'stripe_customer_id',
    valueKey: m.value_settings?.event_payload_key ?? 'value',
    active: m.status === 'active',
    formula: m.default_aggregation.formula as MeterInfo['formula'],
  };
}

/**
 * Joins both sources: Stripe is the truth for what exists and its payload keys; pricing.yaml
 * contributes the local keys. Without Stripe (offline dry run) pricing.yaml alone is used.
 */
export function buildCatalog(pricing: PricingConfig | undefined, stripeMeters: Stripe.Billing.Meter[] | undefined): MeterCatalog {
  const local = metersFromPricing(pricing);
  if (!stripeMeters) return new MeterCatalog(local, false);
  const remote = stripeMeters.map(meterFromStripe);
  const joined: MeterInfo[] = [...remote];
  for (const l of local) {
    const match = remote.find((r) => r.eventName === l.eventName && r.active) ?? remote.find((r) => r.eventName === l.eventName);
    joined.push(match ? { ...match, key: l.key } : l);
  }
  return new MeterCatalog(joined, true);
}

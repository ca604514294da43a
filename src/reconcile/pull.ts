/**
 * The account as a pricing.yaml (the file as users write it, not the normalised model), so an
 * existing account can be brought under management: pulling and then planning shows no changes.
 * Each resource kind pulls its own section (ResourceKind.pull); this puts them together, with the
 * meters that the pulled prices and alerts name. Pure: state in, file object and notes out.
 */
import type { PricingFile } from '../config/pricing-schema.js';
import { pulledMeter } from './resources/meters.js';
import { kindOf, resourceTypes } from './resources/index.js';
import type { AccountState } from './types.js';

export interface PullOptions {
  /** Include archived products and prices. */
  all?: boolean;
}

export interface PullResult {
  file: PricingFile;
  /** What could not be expressed and was left out, for the user. */
  skipped: string[];
  /** Objects without managed_by: `apply --adopt` takes them over. */
  unmanaged: number;
}

type Sections = Omit<PricingFile, 'version'>;

export function pullPricing(state: AccountState, options: PullOptions = {}): PullResult {
  const sections: { [K in keyof Sections]?: Record<string, unknown> } = {};
  const skipped: string[] = [];
  let unmanaged = 0;
  const named = new Set<string>();
  for (const type of resourceTypes()) {
    const part = kindOf(type).pull?.({ state, all: Boolean(options.all) });
    if (!part) continue;
    for (const [name, entries] of Object.entries(part.file) as [keyof Sections, Record<string, unknown>][]) Object.assign((sections[name] ??= {}), entries);
    for (const id of part.meters ?? []) named.add(id);
    skipped.push(...part.skipped);
    unmanaged += part.unmanaged;
  }
  const meters = (sections.meters ??= {});
  for (const m of state.objects.meter) if (named.has(m.id)) meters[m.event_name] ??= pulledMeter(m);

  // Sections in the file's usual order, each left out when empty; meters sorted by event name.
  const file: PricingFile = { version: 1 };
  const sorted = Object.fromEntries(Object.entries(meters).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (Object.keys(sorted).length) file.meters = sorted as Sections['meters'];
  for (const name of ['products', 'webhooks', 'alerts'] as const) {
    const entries = sections[name];
    if (entries && Object.keys(entries).length) (file as Record<string, unknown>)[name] = entries;
  }
  return { file, skipped, unmanaged };
}

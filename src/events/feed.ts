/**
 * The event feed behind `events tail`: v1 events from `/v1/events` and metering error reports from
 * `/v2/core/events`, oldest first, each exactly once across pages and polls.
 *
 * v1 events come from one server-filtered listing (see v1-listing.ts for the cursor that makes
 * following it gap-free). v2 lists have no such cursor; they are walked newest first down to a time
 * watermark, with the ids at the watermark remembered.
 * A poll commits its cursor only once every request of it has succeeded, so a failed poll is simply
 * repeated and nothing is lost or shown twice.
 */
import type Stripe from 'stripe';
import { matchesAny, matchesCustomer, serverTypeFilter } from './filters.js';
import type { V2EventLike } from './meter-errors.js';
import { V1Listing } from './v1-listing.js';

export interface FeedQuery {
  patterns: string[];
  customer?: string;
  /** Unix seconds. */
  since?: number;
  /** v2 event types to include (metering error reports); empty for none. */
  v2Types: string[];
}

export type FeedItem = { kind: 'v1'; event: Stripe.Event } | { kind: 'v2'; event: V2EventLike };

export interface FeedHooks {
  /** Called once if the v2 events API is unavailable (the feed carries on with v1 only). */
  onWarning?(message: string): void;
}

const PAGE = 100;

function itemTimeMs(item: FeedItem): number {
  if (item.kind === 'v1') return item.event.created * 1000;
  const ms = Date.parse(item.event.created);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Oldest first; Array.prototype.sort is stable, so same-second events keep the server's order. */
function sortOldestFirst(items: FeedItem[]): FeedItem[] {
  return items.sort((a, b) => itemTimeMs(a) - itemTimeMs(b));
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

export class EventFeed {
  /** Absent when every pattern names v2 events (`v1.billing.meter.*`): no v1 event type starts with `v1.`. */
  private readonly v1: V1Listing | undefined;
  private v2Watermark: number;
  /** v2 ids already shown whose time equals the watermark (older ones can no longer be listed). */
  private v2AtWatermark = new Set<string>();
  private v2Enabled: boolean;

  constructor(
    private readonly stripe: Stripe,
    private readonly query: FeedQuery,
    private readonly hooks: FeedHooks = {},
  ) {
    this.v1 = query.patterns.every((p) => /^v[12]\./.test(p)) ? undefined : new V1Listing(stripe, serverTypeFilter(query.patterns), query.since);
    this.v2Watermark = query.since !== undefined ? query.since * 1000 : Number.NEGATIVE_INFINITY;
    this.v2Enabled = query.v2Types.length > 0;
  }

  /** Everything that matches now, oldest first (the first call), then whatever is new (each later call). */
  async poll(): Promise<FeedItem[]> {
    const batch = this.v1 ? await this.v1.next() : { events: [], commit: () => {} };
    const v2 = await this.pollV2();
    // Every request succeeded: only now does the cursor move, so a failed poll is simply repeated.
    batch.commit();
    if (v2) {
      this.v2Watermark = v2.watermark;
      this.v2AtWatermark = v2.atWatermark;
    }
    const v1: FeedItem[] = batch.events
      .filter((e) => matchesAny(e.type, this.query.patterns) && matchesCustomer(e, this.query.customer))
      .map((event) => ({ kind: 'v1', event }));
    return sortOldestFirst([...v1, ...(v2?.events ?? []).map((event) => ({ kind: 'v2' as const, event }))]);
  }

  private async pollV2(): Promise<{ events: V2EventLike[]; watermark: number; atWatermark: Set<string> } | undefined> {
    if (!this.v2Enabled) return undefined;
    const fresh: V2EventLike[] = [];
    try {
      for await (const item of this.stripe.v2.core.events.list({ types: this.query.v2Types, limit: PAGE })) {
        const event = item as unknown as V2EventLike;
        const ms = Date.parse(event.created);
        if (ms < this.v2Watermark) break;
        if (ms === this.v2Watermark && this.v2AtWatermark.has(event.id)) continue;
        fresh.push(event);
      }
      // A listing may carry thin events; the reason codes and samples come with the full event.
      for (let i = 0; i < fresh.length; i++) {
        if (fresh[i].data === undefined) fresh[i] = (await this.stripe.v2.core.events.retrieve(fresh[i].id)) as unknown as V2EventLike;
      }
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || status === 403) {
        this.v2Enabled = false;
        this.hooks.onWarning?.(`metering error reports are unavailable (/v2/core/events answered ${status}); showing v1 events only`);
        return undefined;
      }
      throw err;
    }
    fresh.reverse();
    let watermark = this.v2Watermark;
    const atWatermark = new Set(this.v2AtWatermark);
    for (const event of fresh) {
      const ms = Date.parse(event.created);
      if (ms > watermark) {
        watermark = ms;
        atWatermark.clear();
      }
      if (ms === watermark) atWatermark.add(event.id);
    }
    return { events: fresh, watermark, atWatermark };
  }
}

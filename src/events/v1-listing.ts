/**
 * One server-filtered view of `/v1/events` (`type=invoice.*`, or `types[]=…`), read oldest first
 * and then followed with a cursor: the newest event listed. New events are the pages *before* it
 * (`ending_before`), which Stripe returns adjacent to the cursor, so following them page by page
 * leaves no gap however many arrive between polls. Should the cursor event age out of Stripe's
 * 30 days, listing resumes from its time, skipping the ids already shown at that second.
 */
import type Stripe from 'stripe';

export type ServerFilter = { type?: string; types?: string[] };

interface V1Cursor {
  id: string;
  created: number;
  idsAtCreated: string[];
}

/** New events, oldest first, and a way to move the cursor past them once the caller has them all. */
export interface V1Batch {
  events: Stripe.Event[];
  commit(): void;
}

const PAGE = 100;

/** The cursor after `events` (oldest first, listed after the old cursor). */
function advance(cursor: V1Cursor | undefined, events: Stripe.Event[]): V1Cursor | undefined {
  if (events.length === 0) return cursor;
  const newest = events[events.length - 1];
  const sameSecond = events.filter((e) => e.created === newest.created).map((e) => e.id);
  const carried = cursor && cursor.created === newest.created ? cursor.idsAtCreated : [];
  return { id: newest.id, created: newest.created, idsAtCreated: [...carried, ...sameSecond] };
}

function isMissingCursor(err: unknown): boolean {
  const e = err as { code?: unknown; param?: unknown } | null;
  return e?.code === 'resource_missing' && e?.param === 'ending_before';
}

export class V1Listing {
  private cursor: V1Cursor | undefined;

  constructor(
    private readonly stripe: Stripe,
    private readonly filter: ServerFilter,
    /** Unix seconds; only for the first listing (later ones follow the cursor). */
    private readonly since: number | undefined,
  ) {}

  async next(): Promise<V1Batch> {
    const { events, cursor } = await this.read();
    return { events, commit: () => { this.cursor = cursor; } };
  }

  private async read(): Promise<{ events: Stripe.Event[]; cursor: V1Cursor | undefined }> {
    if (this.cursor === undefined) return this.listFrom(this.since, undefined);
    const events: Stripe.Event[] = [];
    let id = this.cursor.id;
    for (;;) {
      let page: Stripe.ApiList<Stripe.Event>;
      try {
        page = await this.stripe.events.list({ ...this.filter, limit: PAGE, ending_before: id });
      } catch (err) {
        if (events.length === 0 && isMissingCursor(err)) return this.listFrom(this.cursor.created, this.cursor);
        throw err;
      }
      if (page.data.length === 0) break;
      events.push(...[...page.data].reverse());
      id = page.data[0].id;
      if (!page.has_more) break;
    }
    return { events, cursor: advance(this.cursor, events) };
  }

  /** The whole listing from `since` (newest first, turned round), minus what `seen` says was shown. */
  private async listFrom(since: number | undefined, seen: V1Cursor | undefined): Promise<{ events: Stripe.Event[]; cursor: V1Cursor | undefined }> {
    const params: Stripe.EventListParams = { ...this.filter, limit: PAGE };
    if (since !== undefined) params.created = { gte: since };
    const events: Stripe.Event[] = [];
    for await (const event of this.stripe.events.list(params)) {
      if (seen && event.created === seen.created && seen.idsAtCreated.includes(event.id)) continue;
      events.push(event);
    }
    events.reverse();
    return { events, cursor: advance(seen, events) };
  }
}

import type { CommandContext } from '../cli/context.js';
import { EventFeed, type FeedItem } from '../events/feed.js';
import { DEFAULT_TYPE_PATTERNS, parseTypePatterns, wantsMeterErrors } from '../events/filters.js';
import { timeFlag } from '../core/time.js';
import { followFeed } from '../events/follow.js';
import { printFeedItem } from '../events/print.js';

export interface EventsTailOptions {
  type?: string[];
  customer?: string;
  since?: string;
  follow?: boolean;
  /** Seconds between polls with --follow. */
  pollInterval?: number;
}

/** `alpaca-billing events tail`: list events oldest first, then optionally keep following. */
export async function eventsTailCommand(ctx: CommandContext, options: EventsTailOptions): Promise<number> {
  const explicit = Boolean(options.type?.length);
  const patterns = explicit ? parseTypePatterns(options.type ?? []) : DEFAULT_TYPE_PATTERNS;
  const since = options.since === undefined ? undefined : timeFlag('--since', options.since, { ago: Math.floor(Date.now() / 1000) });
  const stripe = await ctx.stripe();
  // Metering error reports name a meter, not a customer, so a customer filter leaves them out.
  const v2Types = options.customer ? [] : wantsMeterErrors(patterns, explicit);
  const feed = new EventFeed(stripe, { patterns, customer: options.customer, since, v2Types }, {
    onWarning: (message) => ctx.out.warn(message),
  });

  let shown = 0;
  const print = (items: FeedItem[]) => {
    for (const item of items) printFeedItem(ctx.out, item);
    shown += items.length;
  };
  print(await feed.poll());
  if (!options.follow) {
    if (shown === 0) ctx.out.info(`no events match ${patterns.join(', ')}${options.customer ? ` for ${options.customer}` : ''}`);
    return 0;
  }
  ctx.out.info(`following ${patterns.join(', ')} (Ctrl-C to stop)`);
  await followFeed(feed, {
    intervalMs: Math.round((options.pollInterval ?? 2) * 1000),
    signal: ctx.interruptible(),
    onItems: print,
    onRetry: (reason, delayMs) => ctx.out.warn(`${reason}; retrying in ${(delayMs / 1000).toFixed(1)} s`),
  });
  return 0;
}

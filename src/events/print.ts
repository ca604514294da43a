import type { Output } from '../output/output.js';
import type { FeedItem } from './feed.js';
import { formatEventLine, formatV2Event, type Painter } from './format.js';

/** Prints one event as `events tail` and `webhooks serve` show it: NDJSON (the event as Stripe sent it) or readable lines. */
export function printFeedItem(out: Output, item: FeedItem): void {
  if (out.json) {
    out.data(item.event, { ndjson: true });
    return;
  }
  const { chalk } = out;
  const paint: Painter = { good: chalk.green, bad: chalk.red, pending: chalk.yellow, dim: chalk.dim };
  const lines = item.kind === 'v1' ? [formatEventLine(item.event, paint)] : formatV2Event(item.event, paint);
  for (const line of lines) out.line(line);
}

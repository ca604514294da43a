/**
 * Renders events as the lines `events tail` and `webhooks serve` print: one line per v1 event,
 * a few lines per metering error report. Renderers return strings; the command prints them.
 */
import type Stripe from 'stripe';
import { formatMeterErrorReport, isMeterErrorType, summarizeMeterError, type V2EventLike } from './meter-errors.js';
import { summarizeEvent, type EventAmount, type EventSummary } from './summary.js';
import { formatMoney } from '../core/money.js';
import { iso } from '../core/time.js';

/** `2026-11-26T18:58:38Z`: UTC so lines from different machines line up. */


export function formatAmount(amount: EventAmount): string {
  return formatMoney(amount.minor, amount.currency);
}

const TYPE_WIDTH = 34;

/** Colours, given by the caller (ctx.out.chalk): this module never decides whether the terminal has them. */
export interface Painter {
  good(text: string): string;
  bad(text: string): string;
  pending(text: string): string;
  dim(text: string): string;
}

const PLAIN: Painter = { good: (t) => t, bad: (t) => t, pending: (t) => t, dim: (t) => t };

const GOOD = new Set(['active', 'trialing', 'paid', 'succeeded', 'complete']);
const BAD = new Set(['past_due', 'unpaid', 'canceled', 'incomplete_expired', 'uncollectible', 'void', 'requires_payment_method', 'expired']);

function paintStatus(status: string, paint: Painter): string {
  return GOOD.has(status) ? paint.good(status) : BAD.has(status) ? paint.bad(status) : paint.pending(status);
}

/** `time  type  object  customer  subscription  status  amount  event-id`, `-` for what the event lacks. */
export function formatSummaryLine(s: EventSummary, paint: Painter = PLAIN): string {
  const status = s.status === undefined ? '-' : s.previousStatus ? `${paintStatus(s.previousStatus, paint)} → ${paintStatus(s.status, paint)}` : paintStatus(s.status, paint);
  return [
    paint.dim(iso(s.created)),
    s.type.padEnd(TYPE_WIDTH),
    s.object ?? '-',
    s.customer ?? '-',
    s.subscription ?? '-',
    status,
    s.amount ? formatAmount(s.amount) : '-',
    paint.dim(s.id),
  ].join('  ');
}

export function formatEventLine(event: Stripe.Event, paint: Painter = PLAIN): string {
  return formatSummaryLine(summarizeEvent(event), paint);
}

/** Any v2 event: metering error reports in full, anything else as a headline. */
export function formatV2Event(event: V2EventLike, paint: Painter = PLAIN): string[] {
  if (isMeterErrorType(event.type)) {
    const [head, ...details] = formatMeterErrorReport(summarizeMeterError(event), iso);
    return [paint.bad(head), ...details];
  }
  const ms = Date.parse(event.created);
  const time = Number.isNaN(ms) ? '-' : iso(Math.floor(ms / 1000));
  return [[time, event.type.padEnd(TYPE_WIDTH), event.related_object?.id ?? '-', event.id].join('  ')];
}

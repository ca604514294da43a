/**
 * Renders events as the lines `events tail` and `webhooks serve` print: one line per v1 event,
 * a few lines per metering error report. Renderers return strings; the command prints them.
 */
import type Stripe from 'stripe';
import { formatMeterErrorReport, isMeterErrorType, summarizeMeterError, type V2EventLike } from './meter-errors.js';
import { summarizeEvent, type EventAmount, type EventSummary } from './summary.js';
import { formatMoney } from '../core/money.js';

/** `2026-11-26T18:58:38Z`: UTC so lines from different machines line up. */
export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function formatAmount(amount: EventAmount): string {
  return formatMoney(amount.minor, amount.currency);
}

const TYPE_WIDTH = 34;

/** `time  type  object  customer  subscription  status  amount  event-id`, `-` for what the event lacks. */
export function formatSummaryLine(s: EventSummary): string {
  const status = s.status === undefined ? '-' : s.previousStatus ? `${s.previousStatus} → ${s.status}` : s.status;
  return [
    formatTime(s.created),
    s.type.padEnd(TYPE_WIDTH),
    s.object ?? '-',
    s.customer ?? '-',
    s.subscription ?? '-',
    status,
    s.amount ? formatAmount(s.amount) : '-',
    s.id,
  ].join('  ');
}

export function formatEventLine(event: Stripe.Event): string {
  return formatSummaryLine(summarizeEvent(event));
}

/** Any v2 event: metering error reports in full, anything else as a headline. */
export function formatV2Event(event: V2EventLike): string[] {
  if (isMeterErrorType(event.type)) return formatMeterErrorReport(summarizeMeterError(event), formatTime);
  const ms = Date.parse(event.created);
  const time = Number.isNaN(ms) ? '-' : formatTime(Math.floor(ms / 1000));
  return [[time, event.type.padEnd(TYPE_WIDTH), event.related_object?.id ?? '-', event.id].join('  ')];
}

// Meter event summaries over [start, end): parameter alignment rules and the summary objects,
// whose ids are derived from what they cover so the SDK's auto-pagination (which sends the last
// id as starting_after) finds its place again on the next request.
import { createHash } from 'node:crypto';
import type { WindowValue } from './aggregate-store.js';

export type GroupingWindow = 'hour' | 'day';
export const WINDOW_SECONDS: Record<GroupingWindow, number> = { hour: 3600, day: 86400 };

export interface SummaryQuery {
  meterId: string;
  customerId: string;
  start: number;
  end: number;
  window?: GroupingWindow;
}

export interface SummaryObject {
  id: string;
  object: 'billing.meter_event_summary';
  aggregated_value: number;
  start_time: number;
  end_time: number;
  livemode: false;
  meter: string;
}

export interface AlignmentProblem {
  param: 'start_time' | 'end_time' | 'value_grouping_window';
  message: string;
}

/** Every alignment rule the query breaks (empty when it is valid). */
export function checkAlignment(q: { start: number; end: number; window?: string }): AlignmentProblem[] {
  const problems: AlignmentProblem[] = [];
  if (q.window !== undefined && q.window !== 'hour' && q.window !== 'day') {
    problems.push({ param: 'value_grouping_window', message: `Invalid value_grouping_window: must be one of hour or day (got '${q.window}').` });
    return problems;
  }
  const [unit, label] = q.window === 'day' ? [86400, 'a UTC day (00:00 UTC)'] : q.window === 'hour' ? [3600, 'an hour'] : [60, 'a minute'];
  const why = q.window ? ` when value_grouping_window is '${q.window}'` : '';
  for (const param of ['start_time', 'end_time'] as const) {
    const v = param === 'start_time' ? q.start : q.end;
    if (v % unit !== 0) problems.push({ param, message: `${param} (${v}) must be aligned to ${label} boundary${why}.` });
  }
  if (problems.length === 0 && q.end <= q.start) problems.push({ param: 'end_time', message: `end_time (${q.end}) must be after start_time (${q.start}).` });
  return problems;
}

export function summaryId(meterId: string, customerId: string, start: number, end: number): string {
  const digest = createHash('sha256').update(`${meterId}|${customerId}|${start}|${end}`).digest('base64url').replace(/[-_]/g, '');
  return `mtrusg_${digest.slice(0, 32)}`;
}

/**
 * Builds the summaries, oldest first. Without a grouping window the whole range is one summary
 * (value 0 when there were no events); with one, only windows that saw events are listed.
 */
export function buildSummaries(q: SummaryQuery, windows: WindowValue[]): SummaryObject[] {
  const make = (start: number, end: number, value: number): SummaryObject => ({
    id: summaryId(q.meterId, q.customerId, start, end),
    object: 'billing.meter_event_summary',
    aggregated_value: value,
    start_time: start,
    end_time: end,
    livemode: false,
    meter: q.meterId,
  });
  if (!q.window) return [make(q.start, q.end, windows[0]?.value ?? 0)];
  return windows.map((w) => make(w.start, w.end, w.value));
}

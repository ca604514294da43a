/**
 * The pure half of the journal: which lines a delivered batch covers, and the filter that skips
 * them on a later run. A range is a run of consecutive lines whose events were all acknowledged,
 * with a digest of those events, so a range whose lines have changed since (an edited file, or
 * another file under the same name) is detected and sent again rather than silently skipped.
 */
import { hash } from 'node:crypto';
import type { UsageEvent } from './event.js';

export interface AckedRange {
  start: number;
  /** Inclusive. */
  end: number;
  count: number;
  /** First 16 hex digits of SHA-256 over the range's events. */
  digest: string;
}

export function digestEvents(events: readonly UsageEvent[]): string {
  let text = '';
  for (const e of events) text += `${e.identifier}\0${e.eventName}\0${e.customer}\0${e.value}\0${e.timestamp}\n`;
  return hash('sha256', text, 'hex').slice(0, 16);
}

/** Splits a batch (events in line order) into ranges of consecutive lines. */
export function rangesOf(events: readonly UsageEvent[]): AckedRange[] {
  const ranges: AckedRange[] = [];
  let from = 0;
  for (let i = 1; i <= events.length; i++) {
    if (i === events.length || events[i].line !== events[i - 1].line + 1) {
      const run = events.slice(from, i);
      if (run.length) ranges.push({ start: run[0].line, end: run[run.length - 1].line, count: run.length, digest: digestEvents(run) });
      from = i;
    }
  }
  return ranges;
}

/**
 * Sorts ranges and drops overlaps, keeping the one recorded later (it reflects the file as it was
 * most recently delivered). `ranges` is in the order recorded.
 */
export function normaliseRanges(ranges: readonly AckedRange[]): AckedRange[] {
  const indexed = ranges.map((r, seq) => ({ r, seq })).sort((a, b) => a.r.start - b.r.start || b.seq - a.seq);
  const kept: { r: AckedRange; seq: number }[] = [];
  for (const item of indexed) {
    const last = kept[kept.length - 1];
    if (last && item.r.start <= last.r.end) {
      if (item.seq > last.seq) kept[kept.length - 1] = item;
      continue;
    }
    kept.push(item);
  }
  return kept.map((k) => k.r);
}

/**
 * Fed the events of a source in line order, passes on those not yet delivered. Events inside a
 * recorded range are held (at most one batch's worth) until the range is complete; if they still
 * match its count and digest they are skipped, otherwise they are passed on to be sent.
 */
export class ResumeFilter {
  skipped = 0;
  /** Events on recorded lines whose content differs from what was delivered. */
  changed = 0;
  private index = 0;
  private held: UsageEvent[] = [];

  constructor(private readonly ranges: readonly AckedRange[]) {}

  push(event: UsageEvent): UsageEvent[] {
    const out: UsageEvent[] = [];
    while (this.index < this.ranges.length && this.ranges[this.index].end < event.line) out.push(...this.close());
    const range = this.ranges[this.index];
    if (range && range.start <= event.line) this.held.push(event);
    else out.push(event);
    return out;
  }

  /** At the end of the source: whatever is still held. */
  end(): UsageEvent[] {
    const out: UsageEvent[] = [];
    while (this.index < this.ranges.length) out.push(...this.close());
    return out;
  }

  private close(): UsageEvent[] {
    const range = this.ranges[this.index++];
    const held = this.held;
    this.held = [];
    if (held.length === range.count && digestEvents(held) === range.digest) {
      this.skipped += held.length;
      return [];
    }
    this.changed += held.length;
    return held;
  }
}

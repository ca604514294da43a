// Bookkeeping for events dropped during asynchronous validation. Problems accumulate per meter
// (or, for unknown event names, in one "no meter" group) and are released as one report per
// group once they are due, the way Stripe batches them into error-report events.
import type { MeterErrorCode } from './validate-event.js';

/** Stripe shows a few examples per error type rather than every failure. */
export const MAX_SAMPLES_PER_CODE = 5;

export interface ErrorReport {
  /** null for the `v1.billing.meter.no_meter_found` group. */
  meterId: string | null;
  validationStartMs: number;
  validationEndMs: number;
  errorCount: number;
  errorTypes: Array<{ code: MeterErrorCode; error_count: number; sample_errors: Array<{ error_message: string; request: { identifier: string } }> }>;
}

interface Pending {
  dueMs: number;
  meterId: string | null;
  code: MeterErrorCode;
  message: string;
  identifier: string;
  atMs: number;
}

export class ErrorReportBook {
  private readonly pending: Pending[] = [];

  add(p: Pending): void {
    this.pending.push(p);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Removes and returns the reports whose problems are all due by `nowMs`, oldest group first. */
  takeDue(nowMs: number): ErrorReport[] {
    // Problems arrive with a constant delay, so `pending` is ordered by dueMs: the due ones are a prefix.
    let n = 0;
    while (n < this.pending.length && this.pending[n].dueMs <= nowMs) n++;
    if (n === 0) return [];
    const due = this.pending.splice(0, n);
    const groups = new Map<string | null, ErrorReport>();
    for (const p of due) {
      let r = groups.get(p.meterId);
      if (!r) groups.set(p.meterId, (r = { meterId: p.meterId, validationStartMs: p.atMs, validationEndMs: p.atMs, errorCount: 0, errorTypes: [] }));
      r.validationStartMs = Math.min(r.validationStartMs, p.atMs);
      r.validationEndMs = Math.max(r.validationEndMs, p.atMs);
      r.errorCount++;
      let t = r.errorTypes.find((x) => x.code === p.code);
      if (!t) r.errorTypes.push((t = { code: p.code, error_count: 0, sample_errors: [] }));
      t.error_count++;
      if (t.sample_errors.length < MAX_SAMPLES_PER_CODE) t.sample_errors.push({ error_message: p.message, request: { identifier: p.identifier } });
    }
    return [...groups.values()];
  }
}

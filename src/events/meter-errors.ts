/**
 * Metering error reports: Stripe's only signal that usage was dropped. They are v2 events
 * (`v1.billing.meter.error_report_triggered`, `v1.billing.meter.no_meter_found`) whose details
 * (reason codes, counts, sample errors) exist only on the fully fetched event. Pure.
 */

export const METER_ERROR_EVENT_TYPES = ['v1.billing.meter.error_report_triggered', 'v1.billing.meter.no_meter_found'] as const;

/** The parts of a fetched v2 event this module reads (the SDK's union type is too wide to narrow usefully). */
export interface V2EventLike {
  id: string;
  type: string;
  /** ISO 8601. */
  created: string;
  related_object?: { id?: string; type?: string; url?: string } | null;
  data?: {
    developer_message_summary?: string;
    validation_start?: string;
    validation_end?: string;
    reason?: {
      error_count?: number;
      error_types?: Array<{
        code?: string;
        error_count?: number;
        sample_errors?: Array<{ error_message?: string; request?: { identifier?: string } | null }>;
      }>;
    };
  };
}

export interface MeterErrorType {
  code: string;
  count: number;
  samples: Array<{ message: string; identifier?: string }>;
}

export interface MeterErrorReport {
  id: string;
  type: string;
  /** Unix seconds, so reports sort together with v1 events. */
  created: number;
  meter?: string;
  summary?: string;
  validationStart?: string;
  validationEnd?: string;
  errorCount: number;
  errorTypes: MeterErrorType[];
  /** False when only the thin notification was available (no API key to fetch the event). */
  detailed: boolean;
}

export function isMeterErrorType(type: string): boolean {
  return (METER_ERROR_EVENT_TYPES as readonly string[]).includes(type);
}

export function summarizeMeterError(event: V2EventLike): MeterErrorReport {
  const reason = event.data?.reason;
  const errorTypes: MeterErrorType[] = (reason?.error_types ?? []).map((t) => ({
    code: t.code ?? 'unknown',
    count: t.error_count ?? 0,
    samples: (t.sample_errors ?? []).map((s) => ({
      message: s.error_message ?? '',
      ...(s.request?.identifier ? { identifier: s.request.identifier } : {}),
    })),
  }));
  const created = Date.parse(event.created);
  return {
    id: event.id,
    type: event.type,
    created: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
    ...(event.related_object?.id ? { meter: event.related_object.id } : {}),
    ...(event.data?.developer_message_summary ? { summary: event.data.developer_message_summary } : {}),
    ...(event.data?.validation_start ? { validationStart: event.data.validation_start } : {}),
    ...(event.data?.validation_end ? { validationEnd: event.data.validation_end } : {}),
    errorCount: reason?.error_count ?? errorTypes.reduce((n, t) => n + t.count, 0),
    errorTypes,
    detailed: event.data !== undefined,
  };
}

const MAX_SAMPLES = 3;

/** A headline plus one line per reason code and up to three sample errors under each. */
export function formatMeterErrorReport(report: MeterErrorReport, formatTime: (unixSeconds: number) => string): string[] {
  const what = report.type === 'v1.billing.meter.no_meter_found' ? 'no meter found' : 'meter error report';
  const head = [formatTime(report.created), report.type.padEnd(34), report.meter ?? '-'];
  if (!report.detailed) {
    head.push(`${what} (fetch ${report.id} with an API key for details)`);
    return [head.join('  ')];
  }
  head.push(`${report.errorCount} dropped meter event${report.errorCount === 1 ? '' : 's'}`);
  if (report.validationStart && report.validationEnd) head.push(`(${report.validationStart} → ${report.validationEnd})`);
  const lines = [head.join('  ')];
  if (report.summary) lines.push(`    ${report.summary}`);
  for (const t of report.errorTypes) {
    lines.push(`    ${t.code} ×${t.count}`);
    for (const s of t.samples.slice(0, MAX_SAMPLES)) {
      lines.push(`      - ${s.message}${s.identifier ? ` [identifier ${s.identifier}]` : ''}`);
    }
    if (t.samples.length > MAX_SAMPLES) lines.push(`      … ${t.samples.length - MAX_SAMPLES} more sample${t.samples.length - MAX_SAMPLES === 1 ? '' : 's'}`);
  }
  return lines;
}

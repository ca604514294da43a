// Turns due error reports into v2 core events (`v1.billing.meter.error_report_triggered` for a
// known meter, `v1.billing.meter.no_meter_found` otherwise), the way Stripe reports problems
// found while validating stream events asynchronously.
import type { EmulatorCore } from '../core.js';
import { recordV2Event } from '../events/v2-event-store.js';
import type { ErrorReport } from './error-reports.js';
import { meteringFor } from './metering-state.js';

export function publishDueReports(core: EmulatorCore): void {
  for (const report of meteringFor(core).tick()) publishReport(core, report);
}

function publishReport(core: EmulatorCore, r: ErrorReport): void {
  const iso = (ms: number) => new Date(ms).toISOString();
  const what = r.meterId ? `meter ${r.meterId}` : 'an unknown or missing meter';
  const data = {
    developer_message_summary: `${r.errorCount} meter event${r.errorCount === 1 ? ' was' : 's were'} dropped for ${what} between ${iso(r.validationStartMs)} and ${iso(r.validationEndMs)}: ${r.errorTypes.map((t) => `${t.code} (${t.error_count})`).join(', ')}.`,
    reason: { error_count: r.errorCount, error_types: r.errorTypes },
    validation_start: iso(r.validationStartMs),
    validation_end: iso(r.validationEndMs),
  };
  if (r.meterId) {
    recordV2Event(core, 'v1.billing.meter.error_report_triggered', data, { id: r.meterId, type: 'billing.meter', url: `/v1/billing/meters/${r.meterId}` });
  } else {
    recordV2Event(core, 'v1.billing.meter.no_meter_found', data);
  }
}

/** Human rendering for the customer commands: returns lines, never prints. */
import type { CustomerView, SubscriptionView } from './views.js';
import { describeItems, formatDate, formatDateTime } from './views.js';

/** Left-aligned columns separated by two spaces (the last column is not padded). */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, [...cell].length); });
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - [...cell].length))).join('  ').trimEnd());
}

export function customerRows(customers: readonly CustomerView[]): string[] {
  if (customers.length === 0) return [];
  return columns([
    ['ID', 'EMAIL', 'NAME', 'EXTERNAL ID', 'CREATED'],
    ...customers.map((c) => [c.id, c.email ?? '-', c.name ?? '-', c.external_id ?? '-', formatDate(c.created)]),
  ]);
}

export function subscriptionRows(subs: readonly SubscriptionView[], options: { customer?: boolean } = {}): string[] {
  if (subs.length === 0) return [];
  const head = ['ID', ...(options.customer ? ['CUSTOMER'] : []), 'STATUS', 'PRICES', 'CURRENT PERIOD'];
  return columns([
    head,
    ...subs.map((s) => [
      s.id,
      ...(options.customer ? [s.customer] : []),
      s.status + (s.cancel_at_period_end ? ' (cancels at period end)' : ''),
      describeItems(s),
      s.current_period_start == null ? '-' : `${formatDate(s.current_period_start)} → ${formatDate(s.current_period_end)}`,
    ]),
  ]);
}

export function customerDetail(c: CustomerView): string[] {
  const extra = Object.entries(c.metadata).filter(([k]) => k !== 'external_id');
  return [
    `${c.id}  ${c.email ?? '(no email)'}`,
    ...columns([
      ['  name', c.name ?? '-'],
      ['  external id', c.external_id ?? '-'],
      ['  created', formatDate(c.created)],
      ...(c.test_clock ? [['  test clock', `${c.test_clock}${c.test_clock_time !== null ? ` (now ${formatDateTime(c.test_clock_time)})` : ''}`]] : []),
      ...extra.map(([k, v]) => [`  metadata.${k}`, v]),
    ]),
  ];
}

import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import type { Output } from '../output/output.js';
import { unitName } from '../customers/invoice-preview.js';
import { resolveCustomer } from '../customers/resolve.js';
import { renderCreditLine, upcomingCreditOn } from '../customers/credit-applied.js';
import { formatMoney, formatQuantity, minorUnitExponent, toMajorUnits } from '../core/money.js';
import { priceCost } from '../core/price-cost.js';
import { loadMeterCatalog, loadPricingIfPresent, requireMeter } from '../cli/usage-setup.js';
import { GROUP_SECONDS, alignPeriod, currentUtcMonth, sparkline, type Grouping, type Period } from '../usage/summary-period.js';
import { fetchTotal, fetchWindows, findMeterPrice, findMeteredItem } from '../usage/summary.js';
import { iso, timeFlag } from '../core/time.js';

export interface UsageSummaryOptions {
  customer: string;
  meter: string;
  from?: string;
  to?: string;
  group?: Grouping;
  csv?: boolean;
}

/** Major units with the currency's digits, as a decimal string: ("4940", "usd") → "49.40". */
export function majorAmount(minor: string, currency: string): string {
  const digits = minorUnitExponent(currency);
  const text = toMajorUnits(minor, currency);
  const [whole, frac = ''] = text.split('.');
  return digits ? `${whole}.${frac.padEnd(digits, '0')}` : whole;
}

/** `usage summary`: usage per window, the total and its estimated cost. */
export async function usageSummaryCommand(ctx: CommandContext, options: UsageSummaryOptions): Promise<CommandResult> {
  if (ctx.settings.json && options.csv) throw new UserError('--json and --csv are exclusive; pick one.');
  const now = Math.floor(Date.now() / 1000);
  const flagFrom = options.from !== undefined ? timeFlag('--from', options.from) : undefined;
  const flagTo = options.to !== undefined ? timeFlag('--to', options.to) : undefined;
  const { catalog, stripe } = await loadMeterCatalog(ctx);
  const meter = requireMeter(catalog, options.meter);
  const customer = await resolveCustomer(stripe!, options.customer);
  const item = await findMeteredItem(stripe!, customer.id, meter.id!);

  let period: Period;
  if (flagFrom !== undefined || flagTo !== undefined) {
    const to = flagTo ?? now;
    period = { from: flagFrom ?? currentUtcMonth(to - 1).from, to, source: 'flags' };
  } else if (item) {
    period = { from: item.from, to: item.to, source: 'subscription' };
  } else {
    period = { ...currentUtcMonth(now), source: 'month' };
  }
  if (period.from >= period.to) throw new UserError(`--from (${iso(period.from)}) must be before --to (${iso(period.to)}).`);
  const q = alignPeriod(period, options.group);

  const total = await fetchTotal(stripe!, meter.id!, customer.id, q.totalFrom, q.totalTo);
  const found = await fetchWindows(stripe!, meter.id!, customer.id, q.windowsFrom, q.windowsTo, q.grouping);
  // Stripe may leave out empty windows; show every window so the chart's x-axis is time.
  const byStart = new Map(found.map((w) => [w.start, w.value]));
  const step = GROUP_SECONDS[q.grouping];
  const windows: Array<{ start: number; end: number; value: number }> = [];
  for (let t = q.windowsFrom; t < q.windowsTo; t += step) windows.push({ start: t, end: t + step, value: byStart.get(t) ?? 0 });

  const { price, note: priceNote } = item ? { price: item.price, note: undefined } : await findMeterPrice(stripe!, meter, await loadPricingIfPresent(ctx));
  // The unit named as the invoice preview names it: the product's unit label, else the meter's name.
  const cost = price ? priceCost(price, String(total), { unitLabel: await unitName(stripe!, price, meter.displayName) }) : undefined;
  // Credit applies to the subscription's invoice, so only a summary of its current period shows it.
  const credit = item && period.source === 'subscription' ? await upcomingCreditOn(stripe!, customer.id, item.subscription, item.price.id) : null;
  const notes = [...q.notes];
  if (priceNote) notes.push(priceNote);
  if (q.totalTo > now - 10 * 60 && q.totalFrom < now) notes.push('the last few minutes may not be aggregated yet (Stripe aggregates usage asynchronously)');

  const data = {
    customer: customer.id,
    meter: meter.eventName,
    // Unix seconds, as every --json document; the ISO form beside it under *_iso.
    from: q.totalFrom,
    to: q.totalTo,
    from_iso: iso(q.totalFrom),
    to_iso: iso(q.totalTo),
    total,
    estimated_cost: cost && price ? { amount: majorAmount(cost.amount, price.currency), currency: price.currency } : null,
    credit: credit ? { amount: majorAmount(String(credit.credit), credit.currency), currency: credit.currency, category: credit.kind } : null,
    due: credit ? { amount: majorAmount(String(credit.due), credit.currency), currency: credit.currency } : null,
    windows: windows.map((w) => ({ start: w.start, end: w.end, value: w.value })),
  };
  if (options.csv) {
    const csv = (out: Output) => {
      out.line('start,end,value');
      for (const w of windows) out.line(`${iso(w.start)},${iso(w.end)},${w.value}`);
    };
    return { data, render: csv };
  }
  const render = (out: Output) => {
    const source = period.source === 'subscription' ? `current period of ${item!.subscription}` : period.source === 'month' ? 'current UTC month (no subscription on this meter)' : 'from the flags';
    out.line(`${meter.eventName} for ${customer.id}${customer.email ? ` (${customer.email})` : ''}`);
    out.line(`${iso(q.totalFrom)} to ${iso(q.totalTo)}, ${source}`);
    out.line('');
    const label = (t: number) => (q.grouping === 'day' ? iso(t).slice(0, 10) : iso(t).slice(0, 16).replace('T', ' '));
    // A month by hour is ~745 windows, mostly empty: the table lists the ones with usage (CSV and JSON keep every window).
    const used = windows.filter((w) => w.value !== 0);
    const values = used.map((w) => formatQuantity(String(w.value)));
    const width = Math.max(5, ...values.map((v) => v.length));
    const unit = q.grouping === 'day' ? 'day' : 'hour';
    if (used.length) {
      out.line(`${q.grouping === 'day' ? 'day (UTC)  ' : 'hour (UTC)      '}  ${'value'.padStart(width)}`);
      used.forEach((w, i) => out.line(`${label(w.start)}  ${values[i].padStart(width)}`));
    }
    const empty = windows.length - used.length;
    if (!used.length) out.line(`no usage in ${windows.length === 1 ? `this ${unit}` : `these ${windows.length} ${unit}s`}`);
    else if (empty) out.line(`${empty} ${unit}${empty === 1 ? '' : 's'} without usage not shown; --csv or --json lists every window`);
    out.line('');
    out.line(`total      ${formatQuantity(String(total))}`);
    if (cost && price) out.line(`estimated  ${formatMoney(cost.amount, price.currency)}  (${cost.explanation})`);
    if (credit) out.line(`credit     ${renderCreditLine(credit)}`);
    if (out.stdoutSink.isTTY && windows.length > 1) out.line(`trend      ${sparkline(windows.map((w) => w.value))}`);
    for (const n of notes) out.info(`note: ${n}`);
  };
  return { data, render };
}

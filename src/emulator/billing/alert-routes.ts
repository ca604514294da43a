// Usage-threshold alerts (/v1/billing/alerts). An active alert triggers `billing.alert.triggered`
// once per customer when the customer's aggregated usage on the meter since the alert was created
// reaches `gte`. Alerts are evaluated as aggregation runs (a short timer) and whenever alerts are
// read, through core.usage, so usage still inside the aggregation delay does not count. See SPEC.md.
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { invalid } from '../http/errors.js';
import { listResponse } from '../http/list.js';
import { asInt, asObject, asString, checkNested, required, str } from '../http/params.js';
import { customers } from '../customers/store.js';
import { meterOf } from '../catalog/store.js';
import { nowFor } from './store.js';
import { meters } from '../catalog/store.js';
import type { EmuRequest, Route } from '../types.js';
import { COLLECTIONS } from '../collection-names.js';

type Alert = Stripe.Billing.Alert;

/** A stored alert: the wire object (Stripe's has no `created`), when it was created, and the customers it has triggered for (one_time: once each). */
interface AlertRecord {
  id: string;
  alert: Alert;
  created: number;
  triggered: string[];
}

const alerts = (core: EmulatorCore) => core.collection<AlertRecord>(COLLECTIONS.alerts);

/** How often active alerts are evaluated against the aggregates when nobody reads them. */
const EVALUATE_INTERVAL_MS = 100;

function meterId(alert: Alert): string {
  const m = alert.usage_threshold!.meter;
  return typeof m === 'string' ? m : m.id;
}

function filterCustomer(alert: Alert): string | null {
  const c = alert.usage_threshold!.filters?.[0]?.customer;
  return c == null ? null : typeof c === 'string' ? c : c.id;
}

function create(req: EmuRequest): Alert {
  const { core, body } = req;
  asString(required(body.alert_type, 'alert_type'), 'alert_type', { oneOf: ['usage_threshold'] });
  const title = asString(required(body.title, 'title'), 'title', { max: 256 });
  const threshold = checkNested(required(body.usage_threshold, 'usage_threshold'), 'usage_threshold', ['gte', 'meter', 'recurrence', 'filters']);
  const gte = asInt(required(threshold.gte, 'usage_threshold[gte]'), 'usage_threshold[gte]', { min: 1 });
  const meter = meters(core).require(asString(required(threshold.meter, 'usage_threshold[meter]'), 'usage_threshold[meter]'), 'billing.meter', 'usage_threshold[meter]');
  asString(required(threshold.recurrence, 'usage_threshold[recurrence]'), 'usage_threshold[recurrence]', { oneOf: ['one_time'] });
  let filters: Stripe.Billing.Alert.UsageThreshold.Filter[] | null = null;
  if (threshold.filters !== undefined) {
    const list = Array.isArray(threshold.filters) ? threshold.filters : Object.values(asObject(threshold.filters, 'usage_threshold[filters]'));
    if (list.length > 1) throw invalid('usage_threshold[filters]', 'An alert takes at most one filter.');
    filters = list.map((entry, i) => {
      const f = checkNested(entry, `usage_threshold[filters][${i}]`, ['type', 'customer']);
      asString(required(f.type, `usage_threshold[filters][${i}][type]`), `usage_threshold[filters][${i}][type]`, { oneOf: ['customer'] });
      const param = `usage_threshold[filters][${i}][customer]`;
      const customer = customers(core).require(asString(required(f.customer, param), param), 'customer', param);
      return { type: 'customer' as const, customer: customer.id };
    });
  }
  const alert: Alert = { id: core.id('alrt_'), object: 'billing.alert', alert_type: 'usage_threshold', livemode: false, status: 'active', title, usage_threshold: { filters, gte, meter: meter.id, recurrence: 'one_time' } };
  // ⚠ "Evaluated on usage data reported after alert creation": usage timestamped from this second on.
  alerts(core).insert({ id: alert.id, alert, created: core.now(), triggered: [] });
  return alert;
}

/**
 * Triggers each active alert for every customer whose aggregated usage has reached it. ⚠ Customers
 * on a test clock are skipped: Stripe documents that alerts do not work with test clocks.
 */
export function evaluateAlerts(core: EmulatorCore): void {
  for (const rec of alerts(core).scan()) {
    if (rec.alert.status !== 'active') continue;
    const meter = meterOf(core, meterId(rec.alert));
    const only = filterCustomer(rec.alert);
    for (const customer of customers(core).scan()) {
      if ((only && customer.id !== only) || customer.test_clock || rec.triggered.includes(customer.id)) continue;
      const value = core.usage.aggregate(meter, customer.id, rec.created, nowFor(core, customer.id) + 60);
      if (value < rec.alert.usage_threshold!.gte) continue;
      rec.triggered.push(customer.id);
      core.markDirty();
      core.emit('billing.alert.triggered', { object: 'billing.alert_triggered', alert: rec.alert, created: core.now(), customer: customer.id, livemode: false, value });
    }
  }
}

function requireAlert(req: EmuRequest): AlertRecord {
  evaluateAlerts(req.core);
  return alerts(req.core).require(req.params.id, 'billing.alert');
}

function setStatus(req: EmuRequest, status: 'active' | 'inactive' | 'archived'): Alert {
  const rec = requireAlert(req);
  if (rec.alert.status === 'archived') throw invalid(undefined, `Alert ${rec.id} is archived; archiving cannot be undone.`);
  rec.alert.status = status;
  req.core.markDirty();
  return rec.alert;
}

function list(req: EmuRequest) {
  evaluateAlerts(req.core);
  const type = str(req, 'alert_type', { oneOf: ['usage_threshold'] });
  const meter = str(req, 'meter');
  const all = alerts(req.core).all().map((r) => r.alert).filter((a) => (!type || a.alert_type === type) && (!meter || meterId(a) === meter));
  return listResponse(all, req.body, req.path);
}

export const routes: Route[] = [
  { method: 'POST', path: '/v1/billing/alerts', params: ['alert_type', 'title', 'usage_threshold'], handler: create },
  { method: 'GET', path: '/v1/billing/alerts', params: ['limit', 'starting_after', 'ending_before', 'alert_type', 'meter'], handler: list },
  { method: 'GET', path: '/v1/billing/alerts/:id', params: [], handler: (req) => requireAlert(req).alert },
  { method: 'POST', path: '/v1/billing/alerts/:id/activate', params: [], handler: (req) => setStatus(req, 'active') },
  { method: 'POST', path: '/v1/billing/alerts/:id/deactivate', params: [], handler: (req) => setStatus(req, 'inactive') },
  { method: 'POST', path: '/v1/billing/alerts/:id/archive', params: [], handler: (req) => setStatus(req, 'archived') },
];

export function setup(core: EmulatorCore): void {
  const timer = setInterval(() => {
    try {
      evaluateAlerts(core);
    } catch (err) {
      core.options.log(`emulator: evaluating billing alerts failed (a bug, please report it): ${(err as Error).stack ?? String(err)}`);
    }
  }, EVALUATE_INTERVAL_MS);
  timer.unref();
  core.onClose(() => clearInterval(timer));
}

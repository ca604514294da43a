import type Stripe from 'stripe';
import { formatEventLine, formatV2Event } from '../../src/events/format.js';
import { iso as formatTime } from '../../src/core/time.js';
import { summarizeEvent } from '../../src/events/summary.js';
import { summarizeMeterError, type V2EventLike } from '../../src/events/meter-errors.js';

const T = 1795000000; // 2026-11-18T11:06:40Z

function event(type: string, object: Record<string, unknown>, previous?: Record<string, unknown>): Stripe.Event {
  return {
    id: 'evt_1',
    object: 'event',
    api_version: '2026-10-28.endive',
    created: T,
    livemode: false,
    pending_webhooks: 0,
    request: null,
    type,
    data: { object, ...(previous ? { previous_attributes: previous } : {}) },
  } as unknown as Stripe.Event;
}

describe('event lines', () => {
  test('a subscription update shows customer, subscription and the status change', () => {
    const line = formatEventLine(event('customer.subscription.updated', { id: 'sub_1', object: 'subscription', customer: 'cus_1', status: 'active' }, { status: 'incomplete' }));
    expect(line).toBe(`2026-11-18T11:06:40Z  ${'customer.subscription.updated'.padEnd(34)}  sub_1  cus_1  sub_1  incomplete → active  -  evt_1`);
  });

  test('an update that did not touch the status shows the status without an arrow', () => {
    const s = summarizeEvent(event('customer.subscription.updated', { id: 'sub_1', object: 'subscription', customer: 'cus_1', status: 'active' }, { metadata: {} }));
    expect(s.status).toBe('active');
    expect(s.previousStatus).toBeUndefined();
  });

  test('a paid invoice shows the amount paid, in its currency, and the subscription from parent', () => {
    const invoice = { id: 'in_1', object: 'invoice', customer: 'cus_1', status: 'paid', amount_due: 4940, amount_paid: 4940, currency: 'usd', parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_9' } } };
    const line = formatEventLine(event('invoice.paid', invoice, { status: 'open' }));
    expect(line).toContain('in_1  cus_1  sub_9  open → paid  $49.40');
  });

  test('an unpaid invoice shows what is owed; zero-decimal currencies are not divided', () => {
    const s = summarizeEvent(event('invoice.payment_failed', { id: 'in_2', object: 'invoice', customer: { id: 'cus_2', object: 'customer' }, status: 'open', amount_due: 500, amount_paid: 0, currency: 'jpy' }));
    expect(s.customer).toBe('cus_2');
    expect(formatEventLine(event('invoice.payment_failed', { id: 'in_2', object: 'invoice', customer: 'cus_2', status: 'open', amount_due: 500, amount_paid: 0, currency: 'jpy' }))).toContain('¥500');
  });

  test('a customer event names the customer itself; missing fields show as -', () => {
    const line = formatEventLine(event('customer.created', { id: 'cus_3', object: 'customer' }));
    expect(line).toBe(`2026-11-18T11:06:40Z  ${'customer.created'.padEnd(34)}  cus_3  cus_3  -  -  -  evt_1`);
  });

  test('a checkout session shows its total and subscription', () => {
    const s = summarizeEvent(event('checkout.session.completed', { id: 'cs_1', object: 'checkout.session', customer: 'cus_4', subscription: 'sub_4', status: 'complete', amount_total: 0, currency: 'eur' }));
    expect(s).toMatchObject({ customer: 'cus_4', subscription: 'sub_4', status: 'complete', amount: { minor: 0, currency: 'eur' } });
  });

  test('statuses are painted by what they mean, with the painter the caller gives', () => {
    const paint = { good: (t: string) => `<g>${t}</g>`, bad: (t: string) => `<b>${t}</b>`, pending: (t: string) => `<p>${t}</p>`, dim: (t: string) => t };
    const line = formatEventLine(event('customer.subscription.updated', { id: 'sub_1', object: 'subscription', customer: 'cus_1', status: 'past_due' }, { status: 'active' }), paint);
    expect(line).toContain('<g>active</g> → <b>past_due</b>');
    expect(formatEventLine(event('invoice.finalized', { id: 'in_1', object: 'invoice', status: 'open', amount_due: 1, currency: 'usd' }), paint)).toContain('<p>open</p>');
  });

  test('times are UTC without milliseconds', () => {
    expect(formatTime(0)).toBe('1970-01-01T00:00:00Z');
  });
});

describe('metering error reports', () => {
  const report: V2EventLike = {
    id: 'evt_v2_1',
    type: 'v1.billing.meter.error_report_triggered',
    created: '2026-11-18T11:06:40.000Z',
    related_object: { id: 'mtr_1', type: 'billing.meter', url: '/v1/billing/meters/mtr_1' },
    data: {
      developer_message_summary: 'There were 5 invalid meter events',
      validation_start: '2026-11-18T07:40:00.000Z',
      validation_end: '2026-11-18T07:45:00.000Z',
      reason: {
        error_count: 5,
        error_types: [
          {
            code: 'meter_event_customer_not_found',
            error_count: 4,
            sample_errors: [1, 2, 3, 4].map((i) => ({ error_message: `No customer cus_x${i}`, request: { identifier: `req_${i}` } })),
          },
          { code: 'timestamp_too_far_in_past', error_count: 1, sample_errors: [{ error_message: 'Too old', request: { identifier: 'req_9' } }] },
        ],
      },
    },
  };

  test('shows the meter, the count, each reason code with its count and up to three samples', () => {
    const lines = formatV2Event(report);
    expect(lines[0]).toMatch(/^2026-11-18T11:06:40Z {2}v1\.billing\.meter\.error_report_triggered\s+mtr_1 {2}5 dropped meter events/);
    expect(lines).toContain('    meter_event_customer_not_found ×4');
    expect(lines).toContain('      - No customer cus_x1 [identifier req_1]');
    expect(lines).not.toContain('      - No customer cus_x4 [identifier req_4]');
    expect(lines).toContain('      … 1 more sample');
    expect(lines).toContain('    timestamp_too_far_in_past ×1');
  });

  test('a thin notification without data says how to get the details', () => {
    const thin = { id: 'evt_v2_2', type: 'v1.billing.meter.no_meter_found', created: '2026-11-18T11:06:40Z' };
    expect(summarizeMeterError(thin).detailed).toBe(false);
    expect(formatV2Event(thin)[0]).toContain('fetch evt_v2_2 with an API key');
  });

  test('counts fall back to the sum of the reason codes', () => {
    const { data, ...rest } = report;
    const noTotal = { ...rest, data: { ...data, reason: { error_types: data!.reason!.error_types } } };
    expect(summarizeMeterError(noTotal).errorCount).toBe(5);
  });
});

describe('billing credit and alert event lines', () => {
  test('a credit grant shows its customer and amount', () => {
    const grant = { id: 'credgr_1', object: 'billing.credit_grant', customer: 'cus_1', amount: { type: 'monetary', monetary: { currency: 'usd', value: 1000 } } };
    expect(formatEventLine(event('billing.credit_grant.created', grant))).toContain('credgr_1  cus_1  -  -  $10.00');
  });

  test('a credit balance transaction shows what it did and how much', () => {
    const txn = { id: 'cbtxn_1', object: 'billing.credit_balance_transaction', credit_grant: 'credgr_1', type: 'debit', credit: null, debit: { type: 'credits_applied', amount: { type: 'monetary', monetary: { currency: 'usd', value: 615 } } } };
    expect(formatEventLine(event('billing.credit_balance_transaction.created', txn))).toContain('cbtxn_1  -  -  credits_applied  $6.15');
  });

  test('a triggered alert shows the alert, the customer and the usage against the threshold', () => {
    const triggered = { object: 'billing.alert_triggered', alert: { id: 'alrt_1', usage_threshold: { gte: 1000 } }, customer: 'cus_1', value: 1500 };
    expect(formatEventLine(event('billing.alert.triggered', triggered))).toContain('alrt_1  cus_1  -  usage 1500 ≥ 1000  -');
  });
});

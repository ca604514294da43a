import type Stripe from 'stripe';
import type { PricingConfig } from '../../src/config/model.js';
import { diffAlerts } from '../../src/reconcile/resources/alerts.js';
import type { AccountState, PlanOptions } from '../../src/reconcile/types.js';

const meter = { id: 'mtr_1', event_name: 'tokens_v1' } as Stripe.Billing.Meter;
const desired: PricingConfig = {
  version: 1,
  meters: { tokens: { display_name: 'Tokens', event_name: 'tokens_v1', aggregation: 'sum', customer_key: 'stripe_customer_id', value_key: 'value' } },
  products: {},
  webhooks: {},
  alerts: { big: { meter: 'tokens', threshold: 100, title: 'Big' } },
};

function alert(id: string, title: string, status: Stripe.Billing.Alert.Status = 'active', gte = 100): Stripe.Billing.Alert {
  return { id, object: 'billing.alert', alert_type: 'usage_threshold', livemode: false, status, title, usage_threshold: { filters: null, gte, meter: 'mtr_1', recurrence: 'one_time' } };
}

const diff = (alerts: Stripe.Billing.Alert[], options: PlanOptions = {}, missingCustomers?: string[], config = desired) => {
  const state: AccountState = { account: { id: 'acct_1', mode: 'test', apiBase: 'http://x' }, objects: { meter: [meter], product: [], price: [], webhook_endpoint: [], alert: alerts }, activeSubscriptions: {}, missingCustomers };
  return diffAlerts({ desired: config, state, options }).map((c) => `${c.action} ${c.key}${c.id ? ` ${c.id}` : ''}${c.blocked ? ` blocked` : ''}`);
};

describe('alerts plan (pure)', () => {
  it('of two alerts with one key, the active one is kept and the other archived only with --prune', () => {
    const both = [alert('alrt_old', 'Big [alpaca-billing:big]', 'inactive'), alert('alrt_new', 'Big [alpaca-billing:big]')];
    expect(diff(both)).toEqual(['noop big alrt_new']);
    expect(diff(both, { prune: true })).toEqual(['noop big alrt_new', 'archive big alrt_old']);
  });

  it('ignores archived alerts and alerts without a key in their title, even with --prune', () => {
    expect(diff([alert('alrt_a', 'Big [alpaca-billing:big]', 'archived'), alert('alrt_h', 'Big')], { prune: true })).toEqual(['create big']);
  });

  it('a title edited in the file replaces the alert; a changed key is a new alert and the old key is pruned', () => {
    expect(diff([alert('alrt_1', 'Large [alpaca-billing:big]')])).toEqual(['replace big alrt_1']);
    expect(diff([alert('alrt_1', 'Big [alpaca-billing:large]')], { prune: true })).toEqual(['create big', 'archive large alrt_1']);
  });

  it('blocks a create for a customer the account does not have', () => {
    const config = { ...desired, alerts: { big: { meter: 'tokens', threshold: 100, title: 'Big', customer: 'cus_gone' } } };
    expect(diff([], {}, ['cus_gone'], config)).toEqual(['create big blocked']);
    expect(diff([], {}, [], config)).toEqual(['create big']);
  });
});

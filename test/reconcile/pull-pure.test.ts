// pull as each resource kind contributes to it: the meters come with what names them.
import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { alertStripeTitle } from '../../src/config/model.js';
import { pullPricing } from '../../src/reconcile/pull.js';
import type { AccountState } from '../../src/reconcile/types.js';

const meter = (id: string, event_name: string, status: 'active' | 'inactive') =>
  ({ id, object: 'billing.meter', event_name, display_name: event_name, status, default_aggregation: { formula: 'sum' }, customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' }, value_settings: { event_payload_key: 'value' } }) as unknown as Stripe.Billing.Meter;

const alert = (id: string, meterId: string) =>
  ({ id, object: 'billing.alert', status: 'active', title: alertStripeTitle('big', 'A big month'), usage_threshold: { gte: 1000, meter: meterId, recurrence: 'one_time', filters: null } }) as unknown as Stripe.Billing.Alert;

const state = (objects: Partial<AccountState['objects']>): AccountState => ({
  account: { id: 'acct_1', mode: 'test', apiBase: 'http://x' },
  objects: { meter: [], product: [], price: [], webhook_endpoint: [], alert: [], ...objects },
  activeSubscriptions: {},
});

describe('pull', () => {
  it('takes active meters, and an inactive one only when something pulled names it', () => {
    const { file } = pullPricing(state({
      meter: [meter('mtr_b', 'b_events', 'active'), meter('mtr_old', 'old_events', 'inactive'), meter('mtr_a', 'a_events', 'inactive')],
      alert: [alert('alrt_1', 'mtr_a')],
    }));
    expect(Object.keys(file.meters ?? {})).toEqual(['a_events', 'b_events']);
    expect(file.alerts).toEqual({ big: { meter: 'a_events', threshold: 1000, title: 'A big month' } });
    expect(file.products).toBeUndefined();
  });

  it('an empty account is an empty file', () => {
    expect(pullPricing(state({}))).toEqual({ file: { version: 1 }, skipped: [], unmanaged: 0 });
  });
});

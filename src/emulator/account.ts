import type Stripe from 'stripe';
import { EMULATOR_ACCOUNT_ID } from './core.js';
import { resourceMissing } from './http/errors.js';
import type { EmuRequest, Route } from './types.js';

/** The one fixed test account every key belongs to, so settings profiles can pin `acct_emulator…`. */
function account(_req: EmuRequest): Stripe.Account {
  return {
    id: EMULATOR_ACCOUNT_ID,
    object: 'account',
    business_profile: {
      mcc: null,
      minority_owned_business_designation: null,
      name: 'Alpaca Billing Emulator',
      specified_commercial_transactions_act_url: null,
      support_address: null,
      support_email: null,
      support_phone: null,
      support_url: null,
      url: null,
    },
    business_type: 'company',
    charges_enabled: true,
    country: 'US',
    created: 1_700_000_000,
    default_currency: 'usd',
    details_submitted: true,
    email: null,
    payouts_enabled: true,
    settings: null,
    type: 'standard',
    metadata: {},
  };
}

export const routes: Route[] = [
  { method: 'GET', path: '/v1/account', params: [], handler: account },
  {
    method: 'GET',
    path: '/v1/accounts/:id',
    params: [],
    handler: (req) => {
      if (req.params.id !== EMULATOR_ACCOUNT_ID) throw resourceMissing('account', req.params.id);
      return account(req);
    },
  },
];

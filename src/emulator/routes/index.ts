import type { RouteModule } from '../types.js';
import * as account from './account.js';
import * as meters from './meters.js';
import * as prices from './prices.js';
import * as products from './products.js';
import * as customers from './customers.js';
import * as subscriptions from './subscriptions.js';
import * as subscriptionSchedules from './subscription-schedules.js';
import * as setupIntents from './setup-intents.js';
import * as paymentMethods from './payment-methods.js';
import * as paymentIntents from './payment-intents.js';
import * as checkout from './checkout.js';
import * as invoices from './invoices.js';
import * as testClocks from './test-clocks.js';
import * as creditGrants from './credit-grants.js';
import * as alerts from './alerts.js';
import * as metering from '../metering/routes.js';
import * as events from '../events/routes.js';
import * as stripeJs from '../stripe-js/routes.js';

/** Every route module of the emulator; add one import and one entry per module. */
export const routeModules: RouteModule[] = [
  account,
  meters,
  products,
  prices,
  customers,
  subscriptions,
  subscriptionSchedules,
  setupIntents,
  paymentMethods,
  paymentIntents,
  checkout,
  invoices,
  testClocks,
  creditGrants,
  alerts,
  metering,
  events,
  stripeJs,
];

import type { RouteModule } from './types.js';
import * as account from './account.js';
import * as meters from './catalog/meter-routes.js';
import * as prices from './catalog/price-routes.js';
import * as products from './catalog/product-routes.js';
import * as customers from './customers/customer-routes.js';
import * as subscriptions from './billing/subscription-routes.js';
import * as subscriptionSchedules from './billing/schedule-routes.js';
import * as setupIntents from './customers/setup-intent-routes.js';
import * as paymentMethods from './customers/payment-method-routes.js';
import * as paymentIntents from './customers/payment-intent-routes.js';
import * as checkout from './checkout/routes.js';
import * as invoices from './billing/invoice-routes.js';
import * as testClocks from './billing/test-clock-routes.js';
import * as creditGrants from './billing/credit-grant-routes.js';
import * as alerts from './billing/alert-routes.js';
import * as metering from './metering/routes.js';
import * as events from './events/routes.js';
import * as stripeJs from './stripe-js/routes.js';

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

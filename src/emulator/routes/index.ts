import type { RouteModule } from '../types.js';
import * as account from './account.js';
import * as meters from './meters.js';
import * as prices from './prices.js';
import * as products from './products.js';

/** Every route module of the emulator; add one import and one entry per module. */
export const routeModules: RouteModule[] = [
  account,
  meters,
  products,
  prices,
];

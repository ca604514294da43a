import type { RouteModule } from '../types.js';
import * as account from './account.js';

/** Every route module of the emulator; add one import and one entry per module. */
export const routeModules: RouteModule[] = [
  account,
];

// Route module for metering: v1 meter events, adjustments and summaries, and the v2 endpoints.
import type { Route } from '../types.js';
import { routes as v1 } from './v1-routes.js';
import { routes as v2 } from './v2-routes.js';

export const routes: Route[] = [...v1, ...v2];
export { setup } from './v2-routes.js';

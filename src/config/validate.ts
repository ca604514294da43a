import type { ConfigProblem } from '../errors.js';
import type { PricingConfig } from './model.js';

/**
 * Pure validation of pricing.yaml text: every problem at once, each with file:line:col, the YAML
 * path, a message and a hint. (Being implemented: see issue 2.)
 */
export function parsePricing(_text: string, _file: string): { config?: PricingConfig; problems: ConfigProblem[] } {
  throw new Error('parsePricing: not implemented yet');
}

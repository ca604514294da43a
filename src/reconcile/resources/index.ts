/**
 * The resource types plan/apply know, in dependency order (a price needs its meter and product, an alert its meter).
 * To add one: implement `ResourceKind` in a module beside these, add its Stripe object list to
 * `CatalogObjects` in ../types.ts, and add it here.
 */
import type { ResourceType } from '../types.js';
import type { ResourceKind } from './kind.js';
import { meters } from './meters.js';
import { products } from './products.js';
import { prices } from './prices.js';
import { webhooks } from './webhooks.js';
import { alerts } from './alerts.js';

export const RESOURCE_KINDS: { [K in ResourceType]: ResourceKind<K> } = {
  meter: meters,
  product: products,
  price: prices,
  webhook_endpoint: webhooks,
  alert: alerts,
};

export const kindOf = (type: ResourceType): ResourceKind => RESOURCE_KINDS[type] as unknown as ResourceKind;
export const resourceTypes = (): ResourceType[] => Object.keys(RESOURCE_KINDS) as ResourceType[];

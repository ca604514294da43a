/**
 * The JSON Schema of pricing.yaml for editors (`# yaml-language-server: $schema=./pricing.schema.json`),
 * generated from the validator's own zod schema so the two cannot drift. `npm run schema` writes it.
 */
import { z } from 'zod/mini';
import { STRIPE_CURRENCIES } from '../core/stripe-currencies.js';
import { ALERT_KEY, LIMITS, PRODUCT_ID, alertKeySchema, currencySchema, priceSchema, pricingFileSchema, productIdSchema } from './pricing-schema.js';

export function pricingJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(pricingFileSchema, {
    target: 'draft-7',
    unrepresentable: 'any',
    override: (ctx) => {
      // Cross-field rule the zod shape leaves to cross-checks.ts; editors can still flag it.
      if (ctx.zodSchema === priceSchema) {
        ctx.jsonSchema.oneOf = [{ required: ['unit_amount'] }, { required: ['package'] }, { required: ['tiered'] }];
      }
      if (ctx.zodSchema === currencySchema) ctx.jsonSchema.enum = [...STRIPE_CURRENCIES];
      if (ctx.zodSchema === productIdSchema) Object.assign(ctx.jsonSchema, { pattern: PRODUCT_ID.source, maxLength: LIMITS.productIdLength });
      if (ctx.zodSchema === alertKeySchema) ctx.jsonSchema.pattern = ALERT_KEY.source;
    },
  });
  return schema as Record<string, unknown>;
}

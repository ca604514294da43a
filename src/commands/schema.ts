import type { CommandContext } from '../cli/context.js';
import { pricingJsonSchema } from '../config/json-schema.js';

/** `alpaca-billing schema`: the JSON Schema of pricing.yaml, from the validator's own schema. */
export async function schemaCommand(ctx: CommandContext): Promise<number> {
  ctx.out.data(pricingJsonSchema());
  return 0;
}

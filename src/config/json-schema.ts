/** The JSON Schema of pricing.yaml, generated from the validator's zod schema. (Being implemented: issue 2.) */
export function pricingJsonSchema(): Record<string, unknown> {
  throw new Error('pricingJsonSchema: not implemented yet');
}

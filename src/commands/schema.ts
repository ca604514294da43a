import type { CommandResult } from '../cli/command-result.js';
import { pricingJsonSchema } from '../config/json-schema.js';

/** `alpaca-billing schema`: the JSON Schema of pricing.yaml, from the validator's own schema. */
export async function schemaCommand(): Promise<CommandResult> {
  const schema = pricingJsonSchema();
  // The schema is a JSON document with or without --json.
  return { data: schema, render: (out) => out.line(JSON.stringify(schema, null, 2)) };
}

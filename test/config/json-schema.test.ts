import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { pricingJsonSchema } from '../../src/config/json-schema.js';
import { parsePricing } from '../../src/config/validate.js';
import { run } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');

describe('pricing.schema.json', () => {
  it('is up to date with the validator schema (regenerate with `npm run schema`)', () => {
    const shipped = JSON.parse(readFileSync(resolve(root, 'pricing.schema.json'), 'utf8'));
    expect(shipped).toEqual(pricingJsonSchema());
  });

  it('is what `alpaca-billing schema` prints', async () => {
    const result = await run(['schema'], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.json()).toEqual(pricingJsonSchema());
  });

  it('gives editors descriptions, enums and the one-amount rule', () => {
    const schema = pricingJsonSchema() as any;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    const meter = schema.properties.meters.additionalProperties;
    expect(meter.properties.aggregation.enum).toEqual(['sum', 'count', 'last']);
    expect(meter.properties.event_name.maxLength).toBe(100);
    const products = schema.properties.products;
    expect(products.propertyNames.pattern).toBe('^[A-Za-z0-9_-]+$');
    const price = products.additionalProperties.properties.prices.additionalProperties;
    expect(price.oneOf).toEqual([{ required: ['unit_amount'] }, { required: ['package'] }, { required: ['tiered'] }]);
    expect(price.properties.currency.enum).toContain('usd');
    expect(price.properties.lookup_key.description).toMatch(/identity/);
    expect(price.required).toEqual(expect.arrayContaining(['lookup_key', 'currency', 'interval']));
  });

  it('is referenced by the canonical pricing.yaml', () => {
    expect(readFileSync(resolve(root, 'pricing.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/pricing\.schema\.json$/m);
  });
});

describe('editors and the validator agree', () => {
  // What an editor does with pricing.schema.json: a standard JSON Schema validator.
  const check = new Ajv({ allErrors: true, strict: false }).compile(pricingJsonSchema());
  const text = readFileSync(resolve(root, 'pricing.yaml'), 'utf8');
  const price = (extra: string) => `${text}      other:\n        lookup_key: other\n        currency: eur\n        interval: year\n${extra}`;

  it.each([
    ['the canonical file', text],
    ['a decimal unit amount', price('        unit_amount: "0.004"\n')],
    ['graduated tiers', price('        tiered:\n          mode: graduated\n          tiers:\n            - { up_to: 10, unit_amount: 5 }\n            - { up_to: inf, unit_amount: "0.5", flat_amount: 100 }\n')],
    ['a webhook endpoint', `${text}webhooks:\n  main: { url: "https://example.com/h", events: [invoice.paid, "*"] }\n`],
  ])('both accept %s', (_name, yaml) => {
    expect(parsePricing(yaml, 'pricing.yaml').problems).toEqual([]);
    expect(check(parse(yaml))).toBe(true);
  });

  it.each([
    ['an unknown key', price('        unit_amount: 4\n        colour: red\n')],
    ['package and tiers together', price('        package: { amount: 4, size: 10, round: up }\n        tiered: { mode: volume, tiers: [{ up_to: inf, unit_amount: 1 }] }\n')],
    ['no amount', price('')],
    ['an uppercase currency', price('        unit_amount: 4\n').replace('currency: eur', 'currency: EUR')],
    ['a float amount', price('        unit_amount: 0.5\n')],
    ['a product id with a space', text.replace('  alpaca_ai:', '  "alpaca ai":')],
  ])('both refuse %s', (_name, yaml) => {
    expect(parsePricing(yaml, 'pricing.yaml').problems).not.toEqual([]);
    expect(check(parse(yaml))).toBe(false);
  });
});

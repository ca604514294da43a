import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pricingJsonSchema } from '../../src/config/json-schema.js';
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
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
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

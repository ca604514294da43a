import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parsePricing } from '../../src/config/validate.js';
import { run } from '../helpers/cli.js';

const TEN_MISTAKES = `version: 1
meters:
  tokens:
    display_name: Alpaca AI tokens
    event_name: alpaca_ai_tokens
    aggregation: summ
  requests:
    display_name: Requests
    event_name: alpaca_ai_tokens
    aggregation: count
products:
  alpaca_ai:
    name: Alpaca AI
    default_price: tokens_montly
    prices:
      tokens_monthly:
        lookup_key: alpaca_ai_tokens_monthly
        currency: USD
        interval: month
        interval_count: 40
        meter: tokenz
        unit_amount: 0.5
      bundle:
        lookup_key: alpaca_ai_tokens_monthly
        currency: usd
        interval: month
        package: { amount: 4, size: 1000, round: up }
        tiered:
          mode: graduated
          tiers:
            - { up_to: 1000, unit_amount: 2 }
            - { up_to: 2000, unit_amount: 1 }
        descripton: bundle
`;

/** line:col and path of each mistake, in file order. */
const EXPECTED = [
  ['6:18', 'meters.tokens.aggregation', /must be one of sum, count, last/],
  ['9:17', 'meters.requests.event_name', /already used by meters.tokens/],
  ['14:20', 'products.alpaca_ai.default_price', /not a price of this product/],
  ['18:19', 'products.alpaca_ai.prices.tokens_monthly.currency', /not a lowercase ISO 4217 currency code/],
  ['20:25', 'products.alpaca_ai.prices.tokens_monthly.interval_count', /maximum billing period of 3 years/],
  ['21:16', 'products.alpaca_ai.prices.tokens_monthly.meter', /not declared under meters/],
  ['22:22', 'products.alpaca_ai.prices.tokens_monthly.unit_amount', /got the float 0.5/],
  ['24:21', 'products.alpaca_ai.prices.bundle.lookup_key', /already used by products.alpaca_ai.prices.tokens_monthly/],
  ['28:9', 'products.alpaca_ai.prices.bundle.tiered', /package pricing cannot be combined with tiers/],
  ['32:24', 'products.alpaca_ai.prices.bundle.tiered.tiers[1].up_to', /the last tier must be up_to: inf/],
  ['33:9', 'products.alpaca_ai.prices.bundle.descripton', /unknown key 'descripton'/],
] as const;

describe('a file with many different mistakes', () => {
  it('reports every one of them at once, each with its position', () => {
    const { config, problems } = parsePricing(TEN_MISTAKES, 'pricing.yaml');
    expect(config).toBeUndefined();
    expect(problems.map((p) => [`${p.line}:${p.col}`, p.path])).toEqual(EXPECTED.map(([at, path]) => [at, path]));
    problems.forEach((p, i) => expect(p.message).toMatch(EXPECTED[i][2]));
  });

  it('prints them all through `validate`, as file:line:col  path  message, and exits 3', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'alpaca-ten-'));
    writeFileSync(resolve(dir, 'broken.yaml'), TEN_MISTAKES);
    const result = await run(['validate', '-f', 'broken.yaml'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    for (const [at, path] of EXPECTED) expect(result.stderr).toContain(`broken.yaml:${at}  ${path}  `);
    expect(result.stderr).toMatch(/11 problems in broken.yaml/);
    expect(result.stderr).toMatch(/hint: Did you mean 'sum'\?/);
  });
});

describe('the canonical pricing.yaml', () => {
  const text = readFileSync(resolve(import.meta.dirname, '../../pricing.yaml'), 'utf8');

  it('is valid and normalises with defaults filled in', () => {
    const { config, problems } = parsePricing(text, 'pricing.yaml');
    expect(problems).toEqual([]);
    expect(config!.meters.tokens).toEqual({ display_name: 'Alpaca AI tokens', event_name: 'alpaca_ai_tokens', aggregation: 'sum', customer_key: 'stripe_customer_id', value_key: 'value' });
    const product = config!.products.alpaca_ai;
    expect(product).toMatchObject({ name: 'Alpaca AI', active: true, metadata: {}, default_price: 'tokens_monthly' });
    expect(product.prices.tokens_monthly).toMatchObject({
      lookup_key: 'alpaca_ai_tokens_monthly',
      currency: 'usd',
      interval: 'month',
      interval_count: 1,
      active: true,
      meter: 'tokens',
      amount: { kind: 'package', unit_amount: '4', divide_by: 1000, round: 'up' },
    });
    expect(config!.webhooks).toEqual({});
  });
});

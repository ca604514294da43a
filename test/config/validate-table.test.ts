import { parsePricing } from '../../src/config/validate.js';

/** A valid file to break one line at a time; `PRICE` lines sit at lines 10-14 (6-space indent). */
const file = (priceLines: string, extra = '') => `version: 1
meters:
  tokens:
    display_name: Tokens
    event_name: tokens
    aggregation: sum
products:
  api:
    name: API
    prices:
      monthly:
        lookup_key: api_monthly
        currency: usd
        interval: month
${priceLines}${extra}`;

interface Case {
  name: string;
  yaml: string;
  at: string;
  path: string;
  message: RegExp;
  hint?: RegExp;
}

const cases: Case[] = [
  { name: 'float minor-unit amount', yaml: file('        unit_amount: 0.5\n'), at: '15:22', path: 'products.api.prices.monthly.unit_amount', message: /whole number of minor units, got the float 0.5/, hint: /quote it as a decimal string, "0.5"/ },
  { name: 'negative amount', yaml: file('        unit_amount: -4\n'), at: '15:22', path: 'products.api.prices.monthly.unit_amount', message: /must not be negative/ },
  { name: 'negative decimal string', yaml: file('        unit_amount: "-0.5"\n'), at: '15:22', path: 'products.api.prices.monthly.unit_amount', message: /must not be negative/ },
  { name: 'amount with a currency symbol', yaml: file('        unit_amount: $4\n'), at: '15:22', path: 'products.api.prices.monthly.unit_amount', message: /whole number or a decimal string of minor units, got '\$4'/ },
  { name: 'too many decimal places', yaml: file('        unit_amount: "0.0000000000001"\n'), at: '15:22', path: 'products.api.prices.monthly.unit_amount', message: /13 decimal places; Stripe allows at most 12/ },
  { name: 'no amount at all', yaml: file('        nickname: none\n'), at: '11:7', path: 'products.api.prices.monthly', message: /has no amount: give one of unit_amount, package or tiered/ },
  { name: 'two amount forms', yaml: file('        unit_amount: 4\n        package: { amount: 4, size: 10, round: up }\n'), at: '16:9', path: 'products.api.prices.monthly.package', message: /unit_amount and package cannot both be set/ },
  {
    name: 'package combined with tiers',
    yaml: file('        package: { amount: 4, size: 10, round: up }\n        tiered:\n          mode: volume\n          tiers: [{ up_to: inf, unit_amount: 1 }]\n'),
    at: '16:9', path: 'products.api.prices.monthly.tiered', message: /package pricing cannot be combined with tiers/,
  },
  { name: 'package size of zero', yaml: file('        package: { amount: 4, size: 0, round: up }\n'), at: '15:37', path: 'products.api.prices.monthly.package.size', message: /must be at least 1, got 0/ },
  { name: 'bad package rounding', yaml: file('        package: { amount: 4, size: 10, round: upp }\n'), at: '15:48', path: 'products.api.prices.monthly.package.round', message: /must be one of up, down; got 'upp'/, hint: /Did you mean 'up'\?/ },
  {
    name: 'tiers not ending in inf',
    yaml: file('        tiered:\n          mode: graduated\n          tiers:\n            - { up_to: 10, unit_amount: 2 }\n            - { up_to: 20, unit_amount: 1 }\n'),
    at: '19:24', path: 'products.api.prices.monthly.tiered.tiers[1].up_to', message: /the last tier must be up_to: inf, got 20/,
  },
  {
    name: 'tiers not increasing',
    yaml: file('        tiered:\n          mode: graduated\n          tiers:\n            - { up_to: 100, unit_amount: 2 }\n            - { up_to: 50, unit_amount: 1 }\n            - { up_to: inf, unit_amount: 0 }\n'),
    at: '19:24', path: 'products.api.prices.monthly.tiered.tiers[1].up_to', message: /must increase from tier to tier: 50 is not above 100/,
  },
  {
    name: 'inf before the last tier',
    yaml: file('        tiered:\n          mode: volume\n          tiers:\n            - { up_to: inf, unit_amount: 2 }\n            - { up_to: inf, unit_amount: 1 }\n'),
    at: '18:24', path: 'products.api.prices.monthly.tiered.tiers[0].up_to', message: /only the last tier can be up_to: inf/,
  },
  {
    name: 'a tier without any amount',
    yaml: file('        tiered:\n          mode: volume\n          tiers:\n            - up_to: inf\n'),
    at: '18:15', path: 'products.api.prices.monthly.tiered.tiers[0]', message: /a tier needs unit_amount, flat_amount or both/,
  },
  { name: 'bad tiers mode', yaml: file('        tiered: { mode: stepped, tiers: [{ up_to: inf, unit_amount: 1 }] }\n'), at: '15:25', path: 'products.api.prices.monthly.tiered.mode', message: /must be one of graduated, volume; got 'stepped'/ },
  { name: 'uppercase currency', yaml: file('        unit_amount: 4\n').replace('currency: usd', 'currency: USD'), at: '13:19', path: 'products.api.prices.monthly.currency', message: /'USD' is not a lowercase ISO 4217 currency code/, hint: /Write it in lowercase: usd/ },
  { name: 'unknown currency', yaml: file('        unit_amount: 4\n').replace('currency: usd', 'currency: uds'), at: '13:19', path: 'products.api.prices.monthly.currency', message: /'uds' is not a lowercase ISO 4217 currency code/, hint: /Did you mean 'usd'\?/ },
  { name: 'currency that is no code at all', yaml: file('        unit_amount: 4\n').replace('currency: usd', 'currency: dollars'), at: '13:19', path: 'products.api.prices.monthly.currency', message: /'dollars' is not a lowercase ISO 4217 currency code/, hint: /three-letter ISO 4217 code such as usd/ },
  { name: 'bad interval', yaml: file('        unit_amount: 4\n').replace('interval: month', 'interval: monthly'), at: '14:19', path: 'products.api.prices.monthly.interval', message: /must be one of day, week, month, year; got 'monthly'/, hint: /Did you mean 'month'\?/ },
  { name: 'interval_count over three years', yaml: file('        unit_amount: 4\n        interval_count: 37\n'), at: '16:25', path: 'products.api.prices.monthly.interval_count', message: /37 months is longer than Stripe's maximum billing period of 3 years/, hint: /at most 36/ },
  { name: 'interval_count of zero', yaml: file('        unit_amount: 4\n        interval_count: 0\n'), at: '16:25', path: 'products.api.prices.monthly.interval_count', message: /must be at least 1, got 0/ },
  { name: 'undeclared meter', yaml: file('        unit_amount: 4\n        meter: tokenz\n'), at: '16:16', path: 'products.api.prices.monthly.meter', message: /names meter 'tokenz', which is not declared under meters/, hint: /Did you mean 'tokens'\?/ },
  { name: 'unknown key with a suggestion', yaml: file('        unit_amount: 4\n        nicknam: Monthly\n'), at: '16:9', path: 'products.api.prices.monthly.nicknam', message: /unknown key 'nicknam'/, hint: /Did you mean 'nickname'\?/ },
  { name: "Stripe's field name instead of ours", yaml: file('        unit_amount_decimal: "0.5"\n'), at: '15:9', path: 'products.api.prices.monthly.unit_amount_decimal', message: /unknown key 'unit_amount_decimal'/, hint: /Did you mean 'unit_amount'\?/ },
  { name: 'empty string Stripe refuses', yaml: file('        unit_amount: 4\n        nickname: ""\n'), at: '16:19', path: 'products.api.prices.monthly.nickname', message: /must not be empty/, hint: /remove the key/ },
  { name: 'wrong type', yaml: file('        unit_amount: 4\n        active: "no"\n'), at: '16:17', path: 'products.api.prices.monthly.active', message: /must be true or false, got 'no'/ },
  { name: 'number where a string belongs', yaml: file('        unit_amount: 4\n        nickname: 2024\n'), at: '16:19', path: 'products.api.prices.monthly.nickname', message: /must be a string, got 2024/, hint: /Quote it/ },
  { name: 'duplicate YAML key', yaml: file('        unit_amount: 4\n        unit_amount: 5\n'), at: '16:9', path: 'products.api.prices.monthly.unit_amount', message: /duplicate key 'unit_amount' \(first at line 15:9\)/ },
  { name: 'missing required key', yaml: file('        unit_amount: 4\n').replace('        lookup_key: api_monthly\n', ''), at: '11:7', path: 'products.api.prices.monthly.lookup_key', message: /missing required key 'lookup_key'/ },
  {
    name: 'duplicate lookup key',
    yaml: file('        unit_amount: 4\n      yearly:\n        lookup_key: api_monthly\n        currency: usd\n        interval: year\n        unit_amount: 40\n'),
    at: '17:21', path: 'products.api.prices.yearly.lookup_key', message: /lookup_key 'api_monthly' is already used by products.api.prices.monthly/,
  },
  { name: 'lookup key too long', yaml: file('        unit_amount: 4\n').replace('lookup_key: api_monthly', `lookup_key: ${'k'.repeat(201)}`), at: '12:21', path: 'products.api.prices.monthly.lookup_key', message: /201 characters long; Stripe allows at most 200/ },
  { name: 'metadata key with brackets', yaml: file('        unit_amount: 4\n        metadata: { "a[b]": x }\n'), at: '16:21', path: 'products.api.prices.monthly.metadata.a[b]', message: /contains square brackets/ },
  { name: 'metadata key too long', yaml: file(`        unit_amount: 4\n        metadata: { ${'k'.repeat(41)}: x }\n`), at: '16:21', path: `products.api.prices.monthly.metadata.${'k'.repeat(41)}`, message: /41 characters long; Stripe allows at most 40/ },
  { name: 'metadata value too long', yaml: file(`        unit_amount: 4\n        metadata: { k: ${'v'.repeat(501)} }\n`), at: '16:24', path: 'products.api.prices.monthly.metadata.k', message: /501 characters long; Stripe allows at most 500/ },
  {
    name: 'too many metadata keys',
    yaml: file(`        unit_amount: 4\n        metadata: { ${Array.from({ length: 51 }, (_, i) => `k${i}: v`).join(', ')} }\n`),
    at: '16:9', path: 'products.api.prices.monthly.metadata', message: /has 51 keys; Stripe allows at most 50/,
  },
  { name: 'default_price naming an unknown price', yaml: file('        unit_amount: 4\n').replace('    name: API\n', '    name: API\n    default_price: montly\n'), at: '10:20', path: 'products.api.default_price', message: /names 'montly', which is not a price of this product/, hint: /Did you mean 'monthly'\?/ },
  { name: 'product id Stripe rejects', yaml: file('        unit_amount: 4\n').replace('  api:\n', '  "api v2":\n'), at: '8:3', path: 'products.api v2', message: /'api v2' cannot be a Stripe product id/ },
  { name: 'duplicate event name', yaml: file('        unit_amount: 4\n').replace('products:', 'meters2: x\nproducts:').replace('meters2: x\n', '').replace('    aggregation: sum\n', '    aggregation: sum\n  calls:\n    display_name: Calls\n    event_name: tokens\n    aggregation: count\n'), at: '9:17', path: 'meters.calls.event_name', message: /event_name 'tokens' is already used by meters.tokens/ },
  { name: 'event name too long', yaml: file('        unit_amount: 4\n').replace('event_name: tokens', `event_name: ${'e'.repeat(101)}`), at: '5:17', path: 'meters.tokens.event_name', message: /101 characters long; Stripe allows at most 100/ },
  { name: 'display name too long', yaml: file('        unit_amount: 4\n').replace('display_name: Tokens', `display_name: ${'d'.repeat(251)}`), at: '4:19', path: 'meters.tokens.display_name', message: /251 characters long; Stripe allows at most 250/ },
  { name: 'bad aggregation', yaml: file('        unit_amount: 4\n').replace('aggregation: sum', 'aggregation: max'), at: '6:18', path: 'meters.tokens.aggregation', message: /must be one of sum, count, last; got 'max'/ },
  { name: 'wrong version', yaml: file('        unit_amount: 4\n').replace('version: 1', 'version: 2'), at: '1:10', path: 'version', message: /must be 1, got 2/ },
  { name: 'webhook url', yaml: file('        unit_amount: 4\n', 'webhooks:\n  main:\n    url: example.com/hook\n    events: [invoice.paid]\n'), at: '18:10', path: 'webhooks.main.url', message: /'example.com\/hook' is not an http\(s\) URL/ },
  { name: 'webhook event type', yaml: file('        unit_amount: 4\n', 'webhooks:\n  main:\n    url: https://example.com/hook\n    events: [Invoice Paid]\n'), at: '19:14', path: 'webhooks.main.events[0]', message: /'Invoice Paid' is not an event type/ },
  { name: 'YAML syntax error', yaml: 'version: 1\nmeters:\n  tokens: { display_name: x\n  calls: 1\n', at: '4:3', path: '', message: /YAML syntax error/ },
  { name: 'alias without an anchor', yaml: 'version: 1\nmeters: *shared\n', at: '2:9', path: '', message: /YAML error: Unresolved alias/ },
  { name: 'empty file', yaml: '# nothing yet\n', at: '1:1', path: '', message: /the file is empty/ },
];

describe('parsePricing reports each mistake with its position', () => {
  it.each(cases)('$name', ({ yaml, at, path, message, hint }) => {
    const { config, problems } = parsePricing(yaml, 'pricing.yaml');
    expect(config).toBeUndefined();
    const found = problems.find((p) => message.test(p.message));
    expect({ problems }).toEqual({ problems: expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(message) })]) });
    expect(`${found!.line}:${found!.col}`).toBe(at);
    expect(found!.path).toBe(path);
    expect(found!.file).toBe('pricing.yaml');
    if (hint) expect(found!.hint).toMatch(hint);
  });

  it('reports a misspelt required key once, as the unknown key, not also as missing', () => {
    const yaml = file('        unit_amount_decimal: "0.5"\n').replace('        currency: usd\n', '        curency: usd\n');
    const { problems } = parsePricing(yaml, 'pricing.yaml');
    expect(problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual(["13:9 unknown key 'curency'", "15:9 unknown key 'unit_amount_decimal'"]);
  });

  it('accepts each price form, and licensed prices with package or tiers', () => {
    const yaml = file(
      '        meter: tokens\n        unit_amount: "0.004"\n' +
        '      seats:\n        lookup_key: seats\n        currency: eur\n        interval: year\n        interval_count: 3\n        package: { amount: 1000, size: 5, round: down }\n' +
        '      volume:\n        lookup_key: volume\n        currency: jpy\n        interval: week\n        tiered:\n          mode: volume\n          tiers:\n            - { up_to: 10, flat_amount: 100 }\n            - { up_to: inf, unit_amount: "0.5", flat_amount: 0 }\n',
    );
    const { config, problems } = parsePricing(yaml, 'pricing.yaml');
    expect(problems).toEqual([]);
    const prices = config!.products.api.prices;
    expect(prices.monthly.amount).toEqual({ kind: 'per_unit', unit_amount: '0.004' });
    expect(prices.seats.meter).toBeUndefined();
    expect(prices.seats).toMatchObject({ interval_count: 3, amount: { kind: 'package', unit_amount: '1000', divide_by: 5, round: 'down' } });
    expect(prices.volume.amount).toEqual({ kind: 'tiered', mode: 'volume', tiers: [{ up_to: 10, flat_amount: '100' }, { up_to: 'inf', unit_amount: '0.5', flat_amount: '0' }] });
  });
});

describe('parsePricing and YAML features', () => {
  it('lets prices share settings through anchors and merge keys', () => {
    const yaml = `version: 1
products:
  api:
    name: API
    prices:
      monthly: &base
        lookup_key: api_monthly
        currency: eur
        interval: month
        unit_amount: 10
      yearly:
        <<: *base
        lookup_key: api_yearly
        interval: year
`;
    const { config, problems } = parsePricing(yaml, 'pricing.yaml');
    expect(problems).toEqual([]);
    expect(config!.products.api.prices.yearly).toMatchObject({ lookup_key: 'api_yearly', currency: 'eur', interval: 'year', amount: { kind: 'per_unit', unit_amount: '10' } });
  });

  it('refuses an archived default price', () => {
    const yaml = file('        unit_amount: 4\n        active: false\n').replace('    name: API\n', '    name: API\n    default_price: monthly\n');
    const { problems } = parsePricing(yaml, 'pricing.yaml');
    expect(problems).toEqual([expect.objectContaining({ line: 10, col: 20, path: 'products.api.default_price', message: "names 'monthly', which is archived (active: false)" })]);
  });
});

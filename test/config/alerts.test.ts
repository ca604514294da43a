import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePricing } from '../../src/config/validate.js';
import { run } from '../helpers/cli.js';

/** A valid file with one meter; `alert` is the body of alerts.big_month (lines 8 on, 4-space indent). */
const file = (alert: string, key = 'big_month') => `version: 1
meters:
  tokens:
    display_name: Tokens
    event_name: tokens
    aggregation: sum
alerts:
  ${key}:
${alert}`;

const good = '    meter: tokens\n    threshold: 1000000\n    title: A big month\n';

describe('alerts: in pricing.yaml', () => {
  it('accepts an alert for every customer and one for a single customer', () => {
    const { config, problems } = parsePricing(file(good) + '  grace:\n    meter: tokens\n    threshold: 5000\n    customer: cus_Grace1\n    title: Grace is busy\n', 'pricing.yaml');
    expect(problems).toEqual([]);
    expect(config!.alerts).toEqual({
      big_month: { meter: 'tokens', threshold: 1000000, title: 'A big month' },
      grace: { meter: 'tokens', threshold: 5000, customer: 'cus_Grace1', title: 'Grace is busy' },
    });
  });

  it.each([
    { name: 'an unknown meter', body: '    meter: tokenz\n    threshold: 10\n    title: t\n', at: '9:12', path: 'alerts.big_month.meter', message: /names meter 'tokenz', which is not declared under meters/, hint: /Did you mean 'tokens'\?/ },
    { name: 'a threshold of zero', body: '    meter: tokens\n    threshold: 0\n    title: t\n', at: '10:16', path: 'alerts.big_month.threshold', message: /at least 1, got 0/ },
    { name: 'a fractional threshold', body: '    meter: tokens\n    threshold: 2.5\n    title: t\n', at: '10:16', path: 'alerts.big_month.threshold', message: /whole number/ },
    { name: 'a threshold in quotes', body: '    meter: tokens\n    threshold: "100"\n    title: t\n', at: '10:16', path: 'alerts.big_month.threshold', message: /must be a number, got '100'/ },
    { name: 'a customer that is not a customer id', body: '    meter: tokens\n    threshold: 10\n    customer: grace@example.com\n    title: t\n', at: '11:15', path: 'alerts.big_month.customer', message: /grace@example.com/ },
    { name: 'no title', body: '    meter: tokens\n    threshold: 10\n', at: '8:3', path: 'alerts.big_month.title', message: /missing required key 'title'/ },
    { name: 'a title too long with the key apply adds', body: `    meter: tokens\n    threshold: 10\n    title: ${'x'.repeat(250)}\n`, at: '11:12', path: 'alerts.big_month.title', message: /Stripe's limit of 256 is exceeded/, hint: /Keep the title to 229 characters/ },
  ])('names file, line and field for $name', ({ body, at, path, message, hint }) => {
    const { config, problems } = parsePricing(file(body), 'pricing.yaml');
    expect(config).toBeUndefined();
    const found = problems.find((p) => p.path === path && message.test(p.message));
    if (!found) throw new Error(JSON.stringify(problems));
    expect(`${found!.line}:${found!.col}`).toBe(at);
    if (hint) expect(found!.hint).toMatch(hint);
  });

  it('refuses a key that cannot be written into a title', () => {
    const { problems } = parsePricing(file(good, "'big month'"), 'pricing.yaml');
    expect(problems).toEqual([expect.objectContaining({ line: 8, col: 3, path: 'alerts.big month', message: "'big month' cannot be an alert key" })]);
  });

  it('`validate` prints file:line:col, the field and the problem, and exits 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alpaca-alerts-'));
    writeFileSync(join(dir, 'pricing.yaml'), file('    meter: tokenz\n    threshold: -5\n    title: t\n'));
    const result = await run(['validate'], { cwd: dir, env: {} });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/pricing\.yaml:9:12 +alerts\.big_month\.meter +names meter 'tokenz'/);
    expect(result.stderr).toMatch(/pricing\.yaml:10:16 +alerts\.big_month\.threshold +.*-5/);
    writeFileSync(join(dir, 'pricing.yaml'), file(good));
    const ok = await run(['validate'], { cwd: dir, env: {} });
    expect(ok.stdout).toContain('valid: 1 meter, 0 products, 0 prices, 1 alert');
  });
});

import { run } from '../helpers/cli.js';

describe('demo', () => {
  it("runs Alpaca AI's whole story and bills exactly the usage it sent", async () => {
    const res = await run(['demo', '--json', '--quiet', '--events', '3000'], { env: { PATH: process.env.PATH } });
    expect(res.code).toBe(0);
    const result = res.json();
    expect(result).toMatchObject({ ok: true, events: 3000, subscriptionStatus: 'active', invoice: { currency: 'usd' } });
    // Every token sent arrives once: the invoice is 4 cents per started 1,000 of them.
    expect(result.tokens).toBeGreaterThan(3000 * 50);
    expect(result.packages).toBe(Math.ceil(result.tokens / 1000));
    expect(result.invoice.total).toBe(result.packages * 4);
    // It prints the commands it ran, so a reader can repeat them by hand.
    expect(result.commands).toEqual(expect.arrayContaining([
      'alpaca-billing apply --yes',
      'alpaca-billing usage ingest day-of-tokens.ndjson --meter tokens --max-rps 100',
      'alpaca-billing plan -f pricing.changed.yaml',
    ]));
    expect(res.stdout).not.toMatch(/sk_test_[A-Za-z0-9]/);
  }, 60_000);
});

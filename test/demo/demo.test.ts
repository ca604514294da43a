import { run } from '../helpers/cli.js';

describe('demo', () => {
  it("runs Alpaca AI's whole story and bills exactly the usage it sent", async () => {
    const res = await run(['demo', '--json', '--quiet', '--events', '3000'], { env: { PATH: process.env.PATH } });
    expect(res.code).toBe(0);
    const result = res.json();
    expect(result).toMatchObject({ ok: true, events: 3000, subscription_status: 'active', invoice: { currency: 'usd' } });
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
    // The end of the month on a test clock: the renewal is paid for exactly what the preview showed,
    // and the customer whose card fails is past_due with a retry scheduled.
    // Grace's $10.00 promotional sign-up credit comes off the usage on the preview and the renewal.
    expect(result.month_end.preview_total).toBe(40_378 * 4 - 1000);
    expect(result.month_end.renewal).toMatchObject({ status: 'paid', amount_paid: result.month_end.preview_total, credits: 1000 });
    expect(result.month_end.failing).toMatchObject({ subscription_status: 'past_due', invoice_status: 'open', next_payment_attempt: expect.any(Number) });
    expect(result.commands).toEqual(expect.arrayContaining([expect.stringMatching(/^alpaca-billing clock advance clock_\w+ --to \d+$/), expect.stringMatching(/^alpaca-billing events tail --customer cus_\w+$/)]));
  }, 60_000);
});

describe('demo --keep', () => {
  it('leaves the emulator running, says how to reach it, and stops on the signal', async () => {
    const { runCli } = await import('../../src/cli/run.js');
    const { MemorySink } = await import('../../src/output/output.js');
    const { PassThrough } = await import('node:stream');
    const stdout = new MemorySink();
    const controller = new AbortController();
    const done = runCli(['demo', '--keep', '--quiet', '--events', '200'], { stdout, stderr: new MemorySink(), stdin: new PassThrough(), env: { CI: 'true', PATH: process.env.PATH }, cwd: process.cwd(), signal: controller.signal });
    let url: string | undefined;
    for (let i = 0; i < 300 && !url; i++) {
      url = stdout.text.match(/export STRIPE_API_BASE=(http:\/\/\S+)/)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 100));
    }
    expect(url).toBeDefined();
    // The demo's customer is still there for the next command a reader types.
    const list = await run(['customers', 'list', '--json'], { env: { STRIPE_API_BASE: url, STRIPE_API_KEY: 'sk_test_reader' } });
    expect(list.json().customers.map((c: { email: string }) => c.email)).toContain('ada@alpaca.example');
    controller.abort();
    expect(await done).toBe(0);
    await expect(fetch(`${url}/v1/customers`)).rejects.toThrow();
  }, 60_000);
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printResult, type CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import { formatMoney } from '../core/money.js';
import { createStripeClient } from '../stripe/client.js';
import { runStory } from '../demo/story.js';
import { selfCommand, shellQuote } from '../demo/self-command.js';

export interface DemoOptions {
  keep?: boolean;
  events?: string;
}

/** Any test key works with the emulator; this one is never a secret. */
const DEMO_KEY = 'sk_test_alpaca_demo';

/**
 * `alpaca-billing demo`: starts an emulator in-process on a free port, runs the story, stops it
 * (or, with --keep, leaves it running until Ctrl-C).
 */
export async function demoCommand(ctx: CommandContext, opts: DemoOptions): Promise<CommandResult | number> {
  const events = Number(opts.events ?? 20000);
  if (!Number.isInteger(events) || events < 1 || events > 5_000_000) {
    throw new UserError(`--events takes a whole number from 1 to 5000000, got '${opts.events}'`);
  }
  const { startEmulator } = await import('../emulator/index.js');
  let offsetMs = 0;
  const emulator = await startEmulator({ port: 0, quiet: true, aggregationDelayMs: 0, clock: () => Date.now() + offsetMs });
  const dir = await mkdtemp(join(tmpdir(), 'alpaca-billing-demo-'));
  const started = Date.now();
  try {
    ctx.out.info(ctx.out.chalk.bold(`Alpaca AI's usage-based billing, against the embedded Stripe emulator at ${emulator.url}`));
    ctx.out.info(`(files in ${dir}; every command below can be repeated by hand against an emulator)`);
    const stripe = await createStripeClient({ apiKey: DEMO_KEY, apiBase: emulator.url, maxNetworkRetries: 2 });
    const result = await runStory({
      out: ctx.out,
      dir,
      apiBase: emulator.url,
      apiKey: DEMO_KEY,
      stripe,
      events,
      showOutput: !ctx.settings.quiet && !ctx.settings.json,
      setClockOffset: (ms) => { offsetMs = ms; },
    });
    const seconds = (Date.now() - started) / 1000;
    const total = formatMoney(String(result.invoice.total), result.invoice.currency);
    const finished: CommandResult = {
      data: { ok: true, seconds, emulator: opts.keep ? emulator.url : undefined, ...result },
      render: (out) => {
        out.line('');
        out.line(`Done in ${seconds.toFixed(1)} s: ${result.events.toLocaleString('en-US')} events, ${result.tokens.toLocaleString('en-US')} tokens → ${result.packages.toLocaleString('en-US')} packages of 1,000 × $0.04 = ${total} on the upcoming invoice of ${result.subscription} (${result.subscription_status}).`);
        const m = result.month_end;
        out.line(`At the month's end (test clock ${m.clock}): renewal ${m.renewal.id} ${m.renewal.status} for ${formatMoney(String(m.renewal.amount_paid), result.invoice.currency)}, as previewed; the failing card left ${m.failing.customer} ${m.failing.subscription_status}.`);
      },
    };
    if (!opts.keep) return finished;
    // With --keep the demo becomes a server: its result is printed now, before it waits for Ctrl-C.
    printResult(finished, ctx.out);
    // What --keep is for, so it is data (stdout), shown even with --quiet.
    ctx.out.line(`\nThe emulator keeps running at ${emulator.url} (Ctrl-C to stop). Point commands at it with:`);
    ctx.out.line(`  export STRIPE_API_BASE=${emulator.url}`);
    ctx.out.line(`  export STRIPE_API_KEY=<any sk_test_ key>     # the emulator accepts any test key`);
    ctx.out.line(`  cd ${shellQuote(dir)} && ${selfCommand()} usage summary --customer ada@alpaca.example --meter tokens`);
    await new Promise<void>((done) => ctx.interruptible().addEventListener('abort', () => done(), { once: true }));
    return 0;
  } finally {
    await emulator.close();
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Alpaca AI's whole story, step by step, against an emulator: each step is a real alpaca-billing
 * command run in-process (and printed, so a reader can repeat it by hand).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { runCli } from '../cli/run.js';
import { MemorySink, type Output } from '../output/output.js';
import type { StripeClient } from '../stripe/client.js';
import { runMonthEnd, type MonthEndResult } from './month-end.js';
import { generateUsage, type UsageEvent } from './usage.js';
import { DEMO_PRICING_YAML } from './pricing.js';

export interface StoryOptions {
  out: Output;
  /** Working directory for the demo's files (pricing copy, usage file, journal). */
  dir: string;
  /** Emulator URL and a test key it accepts. */
  apiBase: string;
  apiKey: string;
  stripe: StripeClient;
  /** Number of usage events in the day. */
  events: number;
  /** Show each command's own output (off with --quiet / --json). */
  showOutput: boolean;
  /** Moves the emulator's clock (ms offset from now). */
  setClockOffset(ms: number): void;
}

export interface StoryResult {
  customer: string;
  subscription: string;
  subscription_status: string;
  events: number;
  tokens: number;
  packages: number;
  invoice: { total: number; currency: string; period_start: number; period_end: number };
  month_end: MonthEndResult;
  commands: string[];
}

const EMAIL = 'ada@alpaca.example';
const EXTERNAL_ID = 'alpaca_user_42';

export async function runStory(o: StoryOptions): Promise<StoryResult> {
  const commands: string[] = [];
  const say = (text: string) => o.out.info(text);
  const step = (n: number, title: string) => say(`\n${o.out.chalk.bold(`${n}. ${title}`)}`);

  /** Runs one alpaca-billing command in-process against the emulator, printing it first. */
  const cli = async (args: string[], expectCode = 0): Promise<string> => {
    const shown = `alpaca-billing ${args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
    commands.push(shown);
    say(o.out.chalk.cyan(`$ ${shown}`));
    const stdout = new MemorySink();
    const stderr = new MemorySink();
    const code = await runCli(args, {
      stdout: o.showOutput ? tee(stdout, o.out.stderrSink) : stdout,
      stderr: o.showOutput ? tee(stderr, o.out.stderrSink) : stderr,
      // No step reads stdin; the story never opens the process's own.
      stdin: Readable.from([]),
      // Nothing of the user's environment (a profile, another key or API base): the story is self-contained.
      env: { CI: 'true', STRIPE_API_KEY: o.apiKey, STRIPE_API_BASE: o.apiBase, NO_COLOR: '1' },
      cwd: o.dir,
    });
    if (code !== expectCode) {
      throw new Error(`demo step failed: \`${shown}\` exited ${code}\n${stderr.text || stdout.text}`);
    }
    return stdout.text;
  };

  // The story starts a day ago (on the hour), so that a day of usage falls inside the
  // subscription's first billing period: the emulator's clock is moved back, then forward.
  const now = Math.floor(Date.now() / 1000);
  const thisHour = now - (now % 3600);
  const dayStart = thisHour - 24 * 3600;
  o.setClockOffset((dayStart - now) * 1000);

  const pricing = join(o.dir, 'pricing.yaml');
  await writeFile(pricing, DEMO_PRICING_YAML);

  step(1, 'Validate pricing.yaml and provision it (a meter, a product, a package price)');
  await cli(['validate']);
  await cli(['plan']);
  await cli(['apply', '--yes']);

  step(2, 'Create a customer (idempotent: keyed by our own external id)');
  await cli(['customers', 'create', '--email', EMAIL, '--name', 'Ada Lovelace', '--external-id', EXTERNAL_ID]);

  step(3, 'Subscribe the customer to the token price');
  await cli(['subscribe', EXTERNAL_ID, '--price', 'alpaca_ai_tokens_monthly']);
  const customer = (await o.stripe.customers.list({ email: EMAIL, limit: 1 })).data[0];
  const subscription = (await o.stripe.subscriptions.list({ customer: customer.id, status: 'all', limit: 1 })).data[0];

  step(4, 'Collect payment details with a test card');
  say('The front end confirms the client secret with Stripe.js; here the demo confirms it with the test card pm_card_visa.');
  const setupIntent = typeof subscription.pending_setup_intent === 'string' ? subscription.pending_setup_intent : subscription.pending_setup_intent?.id;
  if (setupIntent) await o.stripe.setupIntents.confirm(setupIntent, { payment_method: 'pm_card_visa' });
  const active = await o.stripe.subscriptions.retrieve(subscription.id);
  say(`subscription ${active.id} is now ${active.status}`);

  step(5, `Send a day of token usage (${o.events.toLocaleString('en-US')} events through the meter event stream)`);
  o.setClockOffset(0);
  const usageFile = join(o.dir, 'day-of-tokens.ndjson');
  const totals = await writeUsage(usageFile, generateUsage({ customer: customer.id, start: dayStart, end: thisHour, count: o.events, seed: 7 }));
  await cli(['usage', 'ingest', 'day-of-tokens.ndjson', '--meter', 'tokens', '--max-rps', '100']);

  step(6, 'Usage by hour, with its cost');
  const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  await cli(['usage', 'summary', '--customer', EMAIL, '--meter', 'tokens', '--from', iso(dayStart), '--to', iso(thisHour), '--group', 'hour']);

  step(7, 'Preview the invoice: 0.04 USD per started 1,000 tokens');
  await cli(['invoice', 'preview', EXTERNAL_ID]);
  const preview = await o.stripe.invoices.createPreview({ customer: customer.id });

  step(8, 'The subscription events so far');
  await cli(['events', 'tail']);

  step(9, 'Change the price (4 → 5 cents per 1,000 tokens) in a copy of pricing.yaml and plan it');
  const changed = join(o.dir, 'pricing.changed.yaml');
  const text = await readFile(pricing, 'utf8');
  const edited = text.replace(/package: \{ amount: 4,/, 'package: { amount: 5,');
  if (edited === text) throw new Error('demo: could not find the package amount to change in pricing.yaml');
  await writeFile(changed, edited);
  await cli(['plan', '-f', 'pricing.changed.yaml']);

  let n = 9;
  const monthEnd = await runMonthEnd({ stripe: o.stripe, cli, say, step: (title) => step(++n, title) });

  return {
    customer: customer.id,
    subscription: active.id,
    subscription_status: active.status,
    events: totals.events,
    tokens: totals.tokens,
    packages: Math.ceil(totals.tokens / 1000),
    invoice: { total: preview.total, currency: preview.currency, period_start: preview.period_start, period_end: preview.period_end },
    month_end: monthEnd,
    commands,
  };
}

async function writeUsage(path: string, events: Iterable<UsageEvent>): Promise<{ events: number; tokens: number }> {
  const stream = createWriteStream(path);
  let n = 0;
  let tokens = 0;
  for (const e of events) {
    n++;
    tokens += e.value;
    if (!stream.write(JSON.stringify(e) + '\n')) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  return { events: n, tokens };
}

function tee(a: MemorySink, b: { write(text: string): unknown }) {
  return { isTTY: false, write: (text: string) => (a.write(text), b.write(text)) };
}

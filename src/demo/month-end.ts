/**
 * The demo's end of the month, on a test clock: two customers use tokens, the preview shows the
 * bill, the clock moves past the period end and Stripe's hour of grace, and the renewal invoices
 * arrive: one paid for exactly the previewed amount, one whose card fails (past_due, retries).
 */
import type { StripeClient } from '../stripe/client.js';

export interface MonthEndResult {
  clock: string;
  preview_total: number;
  /** `credits`: the promotional sign-up credit the renewal took off the usage (minor units). */
  renewal: { id: string; status: string | null; amount_paid: number; credits: number };
  failing: { customer: string; subscription_status: string; invoice: string; invoice_status: string | null; next_payment_attempt: number | null };
}

export interface MonthEndSteps {
  stripe: StripeClient;
  /** Runs one alpaca-billing command (printed first) and returns its stdout. */
  cli(args: string[], expectCode?: number): Promise<string>;
  step(title: string): void;
  say(text: string): void;
}

const GRACE = { email: 'grace@alpaca.example', name: 'Grace Hopper', externalId: 'alpaca_user_43', card: 'pm_card_visa' };
const BOB = { email: 'bob@alpaca.example', name: 'Bob Failing-Card', externalId: 'alpaca_user_44', card: 'pm_card_chargeCustomerFail' };

export async function runMonthEnd({ stripe, cli, step, say }: MonthEndSteps): Promise<MonthEndResult> {
  step('The end of the month, on a test clock: two customers live on the clock\'s time');
  await cli(['clock', 'create', '--name', 'alpaca month end']);
  const clock = (await stripe.testHelpers.testClocks.list({ limit: 1 })).data[0];
  const subs: Record<string, { customer: string; subscription: string; periodEnd: number }> = {};
  for (const who of [GRACE, BOB]) {
    await cli(['customers', 'create', '--email', who.email, '--name', who.name, '--external-id', who.externalId, '--test-clock', clock.id]);
    await cli(['subscribe', who.externalId, '--price', 'alpaca_ai_tokens_monthly']);
    const customer = (await stripe.customers.list({ test_clock: clock.id, limit: 3 })).data.find((c) => c.email === who.email);
    if (!customer) throw new Error(`demo: the customer ${who.email} is not on test clock ${clock.id}`);
    const sub = (await stripe.subscriptions.list({ customer: customer.id, limit: 1 })).data[0];
    const setupIntent = typeof sub.pending_setup_intent === 'string' ? sub.pending_setup_intent : sub.pending_setup_intent?.id;
    say(`${who.name} saves the test card ${who.card}${who.card === BOB.card ? ' (it attaches, but every charge fails)' : ''}.`);
    if (setupIntent) await stripe.setupIntents.confirm(setupIntent, { payment_method: who.card });
    subs[who.externalId] = { customer: customer.id, subscription: sub.id, periodEnd: sub.items.data[0].current_period_end };
  }
  say('Grace gets a promotional credit at sign-up: it pays for usage first, when her renewal invoice finalizes.');
  await cli(['credits', 'grant', '--customer', GRACE.externalId, '--amount', '10.00', '--currency', 'usd', '--category', 'promotional', '--name', 'Welcome credit']);
  await cli(['usage', 'send', '--customer', GRACE.externalId, '--meter', 'tokens', '--value', '40377931']);
  await cli(['usage', 'send', '--customer', BOB.externalId, '--meter', 'tokens', '--value', '2500']);

  step('Preview Grace\'s bill, then move the clock past the period end and the hour of grace');
  await cli(['invoice', 'preview', GRACE.externalId]);
  const grace = subs[GRACE.externalId];
  const preview = await stripe.invoices.createPreview({ customer: grace.customer, subscription: grace.subscription });
  await cli(['clock', 'advance', clock.id, '--to', String(grace.periodEnd + 3600 + 60)]);

  step('The renewal invoices: Grace\'s is paid for the previewed amount; Bob\'s card fails');
  await cli(['invoice', 'list', '--customer', GRACE.externalId]);
  const renewal = (await stripe.invoices.list({ subscription: grace.subscription, limit: 10 })).data.find((i) => i.billing_reason === 'subscription_cycle');
  if (!renewal) throw new Error('demo: the clock passed the period end but no renewal invoice was made');
  await cli(['invoice', 'show', renewal.id]);
  if (renewal.status !== 'paid' || renewal.amount_paid !== preview.amount_due) {
    throw new Error(`demo: the renewal invoice is ${renewal.status} for ${renewal.amount_paid}, but the preview showed ${preview.amount_due}`);
  }
  const bob = subs[BOB.externalId];
  await cli(['subscriptions', 'list', '--customer', BOB.externalId]);
  const failed = (await stripe.invoices.list({ subscription: bob.subscription, status: 'open', limit: 1 })).data[0];
  if (!failed) throw new Error('demo: Bob\'s renewal payment did not fail as its test card should make it');
  await cli(['invoice', 'show', failed.id]);
  const bobSub = await stripe.subscriptions.retrieve(bob.subscription);

  step('Bob\'s whole story, in order');
  await cli(['events', 'tail', '--customer', bob.customer]);

  return {
    clock: clock.id,
    preview_total: preview.amount_due,
    renewal: { id: renewal.id, status: renewal.status, amount_paid: renewal.amount_paid, credits: (renewal.total_pretax_credit_amounts ?? []).reduce((sum, c) => sum + c.amount, 0) },
    failing: { customer: bob.customer, subscription_status: bobSub.status, invoice: failed.id, invoice_status: failed.status, next_payment_attempt: failed.next_payment_attempt },
  };
}

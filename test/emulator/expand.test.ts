// Expansion as the stripe SDK's types define it: every field they mark expandable on the objects
// the emulator serves can be expanded (nested hashes and four levels included), and the fields
// Stripe sends only on request are absent until requested.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type Stripe from 'stripe';
import { EXPANDABLE, INCLUDABLE } from '../../src/emulator/http/expandable-fields.js';
import { fail, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { loadSchema } from '../helpers/shapes/derive.js';
import { expandableTable, renderExpandableTable } from '../helpers/shapes/expandable.js';

let emu: TestEmulator;
let stripe: Stripe;
let customer: Stripe.Customer;
let subscription: Stripe.Subscription;
let invoice: Stripe.Invoice;
let tiered: Stripe.Price;
let session: Stripe.Checkout.Session;
let intent: Stripe.PaymentIntent;

beforeAll(async () => {
  emu = await startTestEmulator();
  stripe = emu.stripe;
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: 1_767_225_600 });
  customer = await stripe.customers.create({ email: 'x@example.com', test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const meter = await stripe.billing.meters.create({ display_name: 'Tokens', event_name: 'tokens', default_aggregation: { formula: 'sum' } });
  const seat = await stripe.prices.create({ product_data: { name: 'Seat' }, currency: 'usd', unit_amount: 900, recurring: { interval: 'month' } });
  tiered = await stripe.prices.create({
    product_data: { name: 'Tokens' }, currency: 'usd', billing_scheme: 'tiered', tiers_mode: 'graduated',
    tiers: [{ up_to: 1000, unit_amount: 0 }, { up_to: 'inf', unit_amount: 2 }],
    recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
  });
  await stripe.products.update(seat.product as string, { default_price: seat.id });
  subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: seat.id }, { price: tiered.id }], default_payment_method: customer.invoice_settings.default_payment_method as string });
  invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
  await stripe.billing.creditGrants.create({ customer: customer.id, category: 'promotional', amount: { type: 'monetary', monetary: { currency: 'usd', value: 500 } }, applicability_config: { scope: { price_type: 'metered' } } });
  await stripe.billing.alerts.create({ alert_type: 'usage_threshold', title: 'Big', usage_threshold: { gte: 1000, meter: meter.id, recurrence: 'one_time' } });
  session = await stripe.checkout.sessions.create({ mode: 'subscription', customer: customer.id, line_items: [{ price: seat.id, quantity: 1 }], success_url: 'https://example.com/ok' });
  await stripe.setupIntents.create({ customer: customer.id });
  intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: customer.invoice_settings.default_payment_method as string, allowed_payment_method_types: ['card'], confirm: true });
});
afterAll(() => emu.close());

test("the emulator's table of expandable fields is what the SDK's types say (UPDATE_EXPANDABLE=1 rewrites it)", async () => {
  const file = resolve(import.meta.dirname, '../../src/emulator/http/expandable-fields.ts');
  const expected = renderExpandableTable(expandableTable(await loadSchema()));
  if (process.env.UPDATE_EXPANDABLE) writeFileSync(file, expected);
  expect(readFileSync(file, 'utf8')).toBe(expected);
}, 120_000);

test("the customer's invoice_settings.default_payment_method and subscriptions expand", async () => {
  const got = await stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.default_payment_method', 'subscriptions', 'test_clock'] }) as Stripe.Customer;
  const pm = got.invoice_settings.default_payment_method as Stripe.PaymentMethod;
  expect(pm).toMatchObject({ object: 'payment_method', id: customer.invoice_settings.default_payment_method });
  expect(got.subscriptions).toMatchObject({ object: 'list', has_more: false, data: [{ id: subscription.id, object: 'subscription' }] });
  expect(got.test_clock).toMatchObject({ object: 'test_helpers.test_clock' });
  // Not requested: not sent.
  expect('subscriptions' in (await stripe.customers.retrieve(customer.id))).toBe(false);
});

test("the invoice's default_payment_method and parent.subscription_details.subscription expand, and four levels go through", async () => {
  const got = await stripe.invoices.retrieve(invoice.id, { expand: ['default_payment_method', 'parent.subscription_details.subscription'] });
  expect(got.parent?.subscription_details?.subscription).toMatchObject({ object: 'subscription', id: subscription.id });
  expect(got.default_payment_method).toMatchObject({ object: 'payment_method', id: invoice.default_payment_method });
  const deep = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice.parent.subscription_details.subscription', 'items.data.price.product'] });
  const latest = deep.latest_invoice as Stripe.Invoice;
  expect(latest.parent?.subscription_details?.subscription).toMatchObject({ object: 'subscription', id: subscription.id });
  expect(deep.items.data[0].price.product).toMatchObject({ object: 'product' });
});

test('tiers and total_count are sent only when expanded', async () => {
  const plain = await stripe.prices.retrieve(tiered.id);
  expect('tiers' in plain).toBe(false);
  const withTiers = await stripe.prices.retrieve(tiered.id, { expand: ['tiers'] });
  expect(withTiers.tiers).toHaveLength(2);
  const listed = await stripe.prices.list({ expand: ['data.tiers'] });
  expect(listed.data.find((p) => p.id === tiered.id)?.tiers).toHaveLength(2);
  expect('tiers' in (await stripe.subscriptions.retrieve(subscription.id)).items.data[1].price).toBe(false);
  const found = await stripe.customers.search({ query: 'email:"x@example.com"' });
  expect(found.data).toHaveLength(1);
  expect('total_count' in found).toBe(false);
  expect((await stripe.customers.search({ query: 'email:"x@example.com"', expand: ['total_count'] })).total_count).toBe(1);
});

test('a field that is not expandable is refused, and so is a path over four levels', async () => {
  const notExpandable = await fail(stripe.customers.retrieve(customer.id, { expand: ['email'] }));
  expect(notExpandable).toMatchObject({ type: 'StripeInvalidRequestError', param: 'expand', message: 'This property cannot be expanded (email).' });
  const nested = await fail(stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.footer'] }));
  expect(nested.message).toBe('This property cannot be expanded (invoice_settings.footer).');
  const deep = await fail(stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice.parent.subscription_details.subscription.customer'] }));
  expect(deep).toMatchObject({ param: 'expand', message: 'You cannot expand more than 4 levels of a property. Property: latest_invoice.parent.subscription_details.subscription.customer' });
});

/** How the SDK retrieves one object of each type the fixture has, with `expand`. */
const retrievers: Record<string, (expand: string[]) => Promise<Record<string, any>>> = {
  customer: (expand) => stripe.customers.retrieve(customer.id, { expand }),
  subscription: (expand) => stripe.subscriptions.retrieve(subscription.id, { expand }),
  invoice: (expand) => stripe.invoices.retrieve(invoice.id, { expand }),
  line_item: async (expand) => (await stripe.invoices.listLineItems(invoice.id, { expand: expand.map((p) => `data.${p}`) })).data[0],
  subscription_item: (expand) => stripe.subscriptionItems.retrieve(subscription.items.data[0].id, { expand }),
  price: (expand) => stripe.prices.retrieve(tiered.id, { expand }),
  product: async (expand) => (await stripe.products.list({ expand: expand.map((p) => `data.${p}`) })).data.find((p) => p.default_price)!,
  payment_intent: (expand) => stripe.paymentIntents.retrieve(intent.id, { expand }),
  payment_method: (expand) => stripe.paymentMethods.retrieve(customer.invoice_settings.default_payment_method as string, { expand }),
  setup_intent: async (expand) => (await stripe.setupIntents.list({ customer: customer.id, expand: expand.map((p) => `data.${p}`) })).data[0],
  'checkout.session': (expand) => stripe.checkout.sessions.retrieve(session.id, { expand }),
  'billing.credit_grant': async (expand) => (await stripe.billing.creditGrants.list({ customer: customer.id, expand: expand.map((p) => `data.${p}`) })).data[0],
  'billing.alert': async (expand) => (await stripe.billing.alerts.list({ expand: expand.map((p) => `data.${p}`) })).data[0],
  'billing.credit_balance_summary': (expand) => stripe.billing.creditBalanceSummaries.retrieve({ customer: customer.id, filter: { type: 'applicability_scope', applicability_scope: { price_type: 'metered' } }, expand }),
  account: (expand) => stripe.accounts.retrieveCurrent({ expand }),
};

/** Fields Stripe sends only on request that the emulator does not model (SPEC.md says so). */
const NOT_MODELLED = new Set(['invoice payments']);

const at = (obj: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => {
    const o = Array.isArray(v) ? v[0] : v;
    return o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
  }, obj);

test.each(Object.keys(retrievers))('every field the SDK marks expandable on %s expands: an id to its object, a null stays null', async (object) => {
  const before = await retrievers[object]([]);
  for (const [path, targets] of Object.entries(EXPANDABLE[object] ?? {})) {
    if (NOT_MODELLED.has(`${object} ${path}`)) {
      await expect(retrievers[object]([path])).rejects.toThrow(`The emulator does not model \`${path}\` on ${object} objects`);
      continue;
    }
    const after = await retrievers[object]([path]);
    const [was, now] = [at(before, path), at(after, path)];
    const nowObject = (Array.isArray(now) ? now[0] : now) as { object?: string } | null | undefined;
    if (typeof was === 'string') expect({ path, expandedTo: nowObject?.object }).toEqual({ path, expandedTo: targets.find((t) => t === nowObject?.object) ?? targets.join(' | ') });
    else if (INCLUDABLE[object]?.includes(path)) expect({ path, sent: after[path] !== undefined || path === 'tiers' }).toEqual({ path, sent: true });
    else expect({ path, now: now ?? null }).toEqual({ path, now: was ?? null });
  }
});

// The checker that holds every emulator response of the suite to the stripe SDK's types
// (test/helpers/shapes/, run by test/global-teardown.js) must itself find what is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkResponse } from '../helpers/shapes/check.js';
import { loadSchema, type Schema } from '../helpers/shapes/derive.js';
import { checkRecorded } from '../helpers/shapes/recorded.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let schema: Schema;
let emu: TestEmulator;
let customer: Record<string, any>;
let subscription: Record<string, any>;

beforeAll(async () => {
  // Deriving the schema from the .d.ts files takes ~10 s once; later runs read the cache.
  schema = await loadSchema();
  emu = await startTestEmulator();
  // The wire JSON, as the suite records it (the SDK turns decimal strings into objects).
  const raw = (path: string) => fetch(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${emu.env.STRIPE_API_KEY}` } }).then((r) => r.json() as Promise<Record<string, any>>);
  const c = await emu.stripe.customers.create({ email: 'a@example.com', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const price = await emu.stripe.prices.create({ product_data: { name: 'Seat' }, currency: 'usd', unit_amount: 500, recurring: { interval: 'month' } });
  const sub = await emu.stripe.subscriptions.create({ customer: c.id, items: [{ price: price.id }] });
  customer = await raw(`/v1/customers/${c.id}`);
  subscription = await raw(`/v1/subscriptions/${sub.id}`);
}, 120_000);
afterAll(() => emu.close());

const paths = (body: unknown, expand?: string[]) => checkResponse(schema, body, { expand }).map((d) => `${d.object} ${d.path}: expected ${d.expected}, got ${d.got}`);

test('the emulator’s own customer and subscription pass', () => {
  expect(paths(customer)).toEqual([]);
  expect(paths(subscription)).toEqual([]);
});

test('a missing field, a wrong primitive, a null where none is allowed and a value outside a literal union are each reported with their path', () => {
  const { email: _email, ...noEmail } = customer;
  expect(paths(noEmail)).toEqual(['customer email: expected null | string, got missing']);
  expect(paths({ ...customer, balance: '0' })).toEqual(['customer balance: expected number, got string "0"']);
  expect(paths({ ...customer, created: null })).toEqual(['customer created: expected number, got null']);
  expect(paths({ ...subscription, collection_method: 'by_pigeon' })).toEqual(['subscription collection_method: expected "charge_automatically" | "send_invoice", got string "by_pigeon"']);
});

test('nested objects, list items and fields the type does not have are checked', () => {
  const items = subscription.items;
  const badItem = { ...items.data[0], price: { ...items.data[0].price, recurring: { ...items.data[0].price.recurring, interval: 'fortnight' } } };
  expect(paths({ ...subscription, items: { ...items, data: [badItem] } })).toEqual([
    'subscription items.data[].price.recurring.interval: expected "day" | "month" | "week" | "year", got string "fortnight"',
  ]);
  const { footer: _footer, ...settings } = subscription.invoice_settings;
  expect(paths({ ...subscription, invoice_settings: settings, colour: 'blue' })).toEqual([
    'subscription invoice_settings.footer: expected null | string, got missing',
    'subscription colour: expected no such field on Subscription, got string "blue"',
  ]);
  expect(paths({ object: 'list', data: [{ ...customer, balance: true }], has_more: false, url: '/v1/customers' })).toEqual(['list data[].balance: expected number, got boolean true']);
});

test('an object type the table does not map is a divergence, so new objects cannot escape the check', () => {
  expect(paths({ id: 'pi_1', object: 'payment_intent_unknown' })).toEqual([
    "payment_intent_unknown (root): expected an API object, got object 'payment_intent_unknown', which test/helpers/shapes/object-types.ts does not map to an SDK type (add it there)",
  ]);
});

test('an expandable field is an id unless the request expanded it, and then the object', () => {
  expect(paths({ ...subscription, customer })).toEqual(['subscription customer: expected an id (not requested with expand), got an object']);
  expect(paths(subscription, ['customer'])).toEqual(['subscription customer: expected the expanded object (requested with expand), got id "' + customer.id + '"']);
  expect(paths({ ...subscription, customer }, ['customer'])).toEqual([]);
  // Expanding `a.b` expands `a` too.
  expect(paths({ ...subscription, customer: { ...customer, test_clock: null } }, ['customer.test_clock'])).toEqual([]);
});

test('a field sent only on request is reported when present without the request', () => {
  const result = { object: 'search_result', data: [], has_more: false, next_page: null, url: '/v1/customers/search' };
  expect(paths({ ...result, total_count: 0 })).toEqual(['search_result total_count: expected absent unless expanded (Stripe sends it only on request), got number 0']);
  expect(paths({ ...result, total_count: 0 }, ['total_count'])).toEqual([]);
});

test('the recorded responses of a run are checked and each divergence names the request it came from', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shapes-recorded-'));
  try {
    writeFileSync(join(dir, '1.ndjson'), `${JSON.stringify({ request: 'GET /v1/customers/cus_1 req_abc', expand: [], body: { ...customer, balance: null } })}\n{"cut short`);
    const { responses, report } = await checkRecorded(dir);
    expect(responses).toBe(1);
    expect(report).toContain('customer  balance: expected number, got null  (1× , first in GET /v1/customers/cus_1 req_abc)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

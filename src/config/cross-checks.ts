/**
 * Rules that span fields: references between meters, prices and products, uniqueness of Stripe
 * identities, tier order and interval limits. They run on the raw parsed data whatever zod said,
 * guarding each type themselves, so one broken price does not hide problems elsewhere.
 */
import { ISO_4217_CODES } from './currencies.js';
import { isStripeCurrency, STRIPE_CURRENCIES } from '../core/stripe-currencies.js';
import { didYouMean } from './did-you-mean.js';
import { alertStripeTitle } from './model.js';
import { ALERT_KEY, LIMITS, PRODUCT_ID } from './pricing-schema.js';
import type { RawProblem } from './schema-issues.js';
import { WEBHOOK_EVENT_TYPES } from '../core/webhook-event-types.js';
import type { PathSegment } from './yaml-source.js';

/** The schema's shape of an event type; only such strings are looked up in Stripe's list. */
const EVENT_SHAPE = /^[a-z0-9_]+(\.[a-z0-9_*]+)*$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const entries = (v: unknown): [string, Obj][] => (isObj(v) ? Object.entries(v).filter((e): e is [string, Obj] => isObj(e[1])) : []);

const COMMON_CURRENCIES = ['usd', 'eur', 'gbp', 'jpy', 'cad', 'aud', 'chf', 'inr', 'brl', 'mxn', 'sgd'];

/** Stripe's maximum billing period is three years. */
export const MAX_INTERVAL_COUNT: Record<string, number> = { day: 1095, week: 156, month: 36, year: 3 };


const pathText = (path: PathSegment[]) => path.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[');

export function crossCheck(data: unknown): RawProblem[] {
  const problems: RawProblem[] = [];
  if (!isObj(data)) return problems;
  const meters = entries(data.meters);
  const meterKeys = meters.map(([k]) => k);

  const eventNames = new Map<string, PathSegment[]>();
  for (const [key, meter] of meters) {
    if (typeof meter.event_name !== 'string') continue;
    const path = ['meters', key, 'event_name'];
    const first = eventNames.get(meter.event_name);
    if (first) problems.push({ path, message: `event_name '${meter.event_name}' is already used by ${pathText(first.slice(0, 2))}`, hint: 'Stripe allows one meter per event name: give each meter its own.' });
    else eventNames.set(meter.event_name, path);
  }

  const lookupKeys = new Map<string, PathSegment[]>();
  for (const [productKey, product] of entries(data.products)) {
    const productPath = ['products', productKey];
    if (!PRODUCT_ID.test(productKey) || productKey.length > LIMITS.productIdLength) {
      problems.push({ path: productPath, target: 'key', message: `'${productKey}' cannot be a Stripe product id`, hint: `The key is used as the product id: letters, digits, '_' and '-' only, at most ${LIMITS.productIdLength} characters.` });
    }
    checkMetadata(product.metadata, [...productPath, 'metadata'], problems);
    const prices = entries(product.prices);
    if (typeof product.default_price === 'string' && !prices.some(([k]) => k === product.default_price)) {
      const suggestion = didYouMean(product.default_price, prices.map(([k]) => k));
      problems.push({
        path: [...productPath, 'default_price'],
        message: `names '${product.default_price}', which is not a price of this product`,
        hint: suggestion ?? (prices.length ? `Prices of ${productKey}: ${prices.map(([k]) => k).join(', ')}.` : 'Declare the price under this product\'s prices.'),
      });
    }
    const defaultPrice = prices.find(([k]) => k === product.default_price)?.[1];
    if (defaultPrice?.active === false) {
      problems.push({ path: [...productPath, 'default_price'], message: `names '${product.default_price}', which is archived (active: false)`, hint: 'Stripe does not archive the default price of a product: pick an active price as default_price first.' });
    }
    for (const [priceKey, price] of prices) {
      const path = [...productPath, 'prices', priceKey];
      checkPrice(price, path, meterKeys, problems);
      if (typeof price.lookup_key === 'string') {
        const first = lookupKeys.get(price.lookup_key);
        if (first) problems.push({ path: [...path, 'lookup_key'], message: `lookup_key '${price.lookup_key}' is already used by ${pathText(first)}`, hint: 'A lookup key identifies one price in Stripe: make each one unique.' });
        else lookupKeys.set(price.lookup_key, path);
      }
    }
  }

  for (const [key, hook] of entries(data.webhooks)) {
    if (typeof hook.url !== 'string') continue;
    let ok = false;
    try {
      const url = new URL(hook.url);
      ok = url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ path: ['webhooks', key, 'url'], message: `'${hook.url}' is not an http(s) URL`, hint: 'Write the full URL, e.g. https://example.com/stripe/webhooks.' });
  }
  const hookCount = entries(data.webhooks).length;
  if (hookCount > LIMITS.webhookEndpoints) {
    problems.push({ path: ['webhooks'], target: 'key', message: `declares ${hookCount} webhook endpoints; Stripe allows at most ${LIMITS.webhookEndpoints} on an account`, hint: 'One endpoint can receive many event types: merge endpoints that go to the same application.' });
  }
  for (const [key, hook] of entries(data.webhooks)) {
    if (Array.isArray(hook.events)) hook.events.forEach((event, i) => checkEventType(event, ['webhooks', key, 'events', i], problems));
  }
  for (const [key, alert] of entries(data.alerts)) checkAlert(key, alert, meterKeys, problems);
  return problems;
}

function checkAlert(key: string, alert: Obj, meterKeys: string[], problems: RawProblem[]): void {
  const path = ['alerts', key];
  if (!ALERT_KEY.test(key)) {
    problems.push({ path, target: 'key', message: `'${key}' cannot be an alert key`, hint: "apply writes the key into the alert's title to find it again: letters, digits, '_' and '-' only." });
  }
  if (typeof alert.meter === 'string' && !meterKeys.includes(alert.meter)) {
    const suggestion = didYouMean(alert.meter, meterKeys);
    problems.push({ path: [...path, 'meter'], message: `names meter '${alert.meter}', which is not declared under meters`, hint: suggestion ?? (meterKeys.length ? `Declared meters: ${meterKeys.join(', ')}.` : 'Declare the meter under meters.') });
  }
  if (typeof alert.title === 'string' && alert.title.length <= LIMITS.alertTitle) {
    const sent = alertStripeTitle(key, alert.title).length;
    if (sent > LIMITS.alertTitle) {
      problems.push({ path: [...path, 'title'], message: `is ${alert.title.length} characters; with the ' [alpaca-billing:${key}]' apply adds, Stripe's limit of ${LIMITS.alertTitle} is exceeded`, hint: `Keep the title to ${LIMITS.alertTitle - (sent - alert.title.length)} characters, or use a shorter key.` });
    }
  }
}

/** Stripe refuses an endpoint whose enabled_events has a type it does not know (the SDK's list of them). */
function checkEventType(event: unknown, path: PathSegment[], problems: RawProblem[]): void {
  // Not a dotted lower-case name at all: the schema already says so.
  if (typeof event !== 'string' || event === '*' || WEBHOOK_EVENT_TYPES.has(event) || !EVENT_SHAPE.test(event)) return;
  const group = event.endsWith('.*') ? [...WEBHOOK_EVENT_TYPES].filter((t) => t.startsWith(event.slice(0, -1))) : [];
  const hint = group.length
    ? `Stripe takes '*' or exact types, not groups: list the ones you need, e.g. ${group.slice(0, 6).join(', ')}${group.length > 6 ? ', …' : ''}.`
    : didYouMean(event, WEBHOOK_EVENT_TYPES) ?? 'See the event types in Stripe\'s API reference (e.g. invoice.paid, customer.subscription.updated).';
  problems.push({ path, message: `'${event}' is not a Stripe event type`, hint });
}

function checkPrice(price: Obj, path: PathSegment[], meterKeys: string[], problems: RawProblem[]): void {
  if (typeof price.currency === 'string') {
    const currency = price.currency;
    if (ISO_4217_CODES.has(currency) && !isStripeCurrency(currency)) {
      problems.push({ path: [...path, 'currency'], message: `'${currency}' is an ISO 4217 currency Stripe does not support for prices`, hint: `Stripe's currencies: ${STRIPE_CURRENCIES.join(', ')}.` });
    } else if (!isStripeCurrency(currency)) {
      const lower = currency.toLowerCase();
      // Three-letter codes are all close to each other: only suggest among the common ones.
      const hint = isStripeCurrency(lower) ? `Write it in lowercase: ${lower}.` : didYouMean(lower, COMMON_CURRENCIES) ?? 'Use a three-letter ISO 4217 code such as usd or eur.';
      problems.push({ path: [...path, 'currency'], message: `'${currency}' is not a lowercase ISO 4217 currency code`, hint });
    }
  }
  const max = typeof price.interval === 'string' ? MAX_INTERVAL_COUNT[price.interval] : undefined;
  if (max !== undefined && typeof price.interval_count === 'number' && Number.isInteger(price.interval_count) && price.interval_count > max) {
    problems.push({ path: [...path, 'interval_count'], message: `${price.interval_count} ${price.interval}s is longer than Stripe's maximum billing period of 3 years`, hint: `With interval ${price.interval}, interval_count is at most ${max}.` });
  }
  if (typeof price.meter === 'string' && !meterKeys.includes(price.meter)) {
    const suggestion = didYouMean(price.meter, meterKeys);
    problems.push({
      path: [...path, 'meter'],
      message: `names meter '${price.meter}', which is not declared under meters`,
      hint: suggestion ?? (meterKeys.length ? `Declared meters: ${meterKeys.join(', ')}.` : 'Declare it under meters, or remove meter for a licensed (per-seat) price.'),
    });
  }
  checkMetadata(price.metadata, [...path, 'metadata'], problems);

  const forms = (['unit_amount', 'package', 'tiered'] as const).filter((k) => price[k] !== undefined);
  if (forms.length === 0) {
    problems.push({ path, target: 'key', missing: [[...path, 'unit_amount'], [...path, 'package'], [...path, 'tiered']], message: 'has no amount: give one of unit_amount, package or tiered', hint: 'e.g. unit_amount: 4 (cents per unit), or package: { amount: 4, size: 1000, round: up }.' });
  } else if (forms.includes('package') && forms.includes('tiered')) {
    problems.push({ path: [...path, 'tiered'], target: 'key', message: 'package pricing cannot be combined with tiers', hint: 'Stripe applies transform_quantity only to per-unit prices: keep one of package or tiered.' });
  } else if (forms.length > 1) {
    problems.push({ path: [...path, forms[1]], target: 'key', message: `${forms.join(' and ')} cannot both be set`, hint: 'A price has exactly one of unit_amount, package or tiered.' });
  }
  if (isObj(price.tiered) && Array.isArray(price.tiered.tiers)) checkTiers(price.tiered.tiers, [...path, 'tiered', 'tiers'], problems);
}

function checkTiers(tiers: unknown[], path: PathSegment[], problems: RawProblem[]): void {
  let previous = 0;
  tiers.forEach((tier, i) => {
    if (!isObj(tier)) return;
    const upTo = tier.up_to;
    const isLast = i === tiers.length - 1;
    if (upTo === 'inf' && !isLast) {
      problems.push({ path: [...path, i, 'up_to'], message: "only the last tier can be up_to: inf", hint: 'Move this tier to the end, or give it a number.' });
    } else if (typeof upTo === 'number' && Number.isInteger(upTo) && upTo >= 1) {
      if (upTo <= previous) problems.push({ path: [...path, i, 'up_to'], message: `up_to must increase from tier to tier: ${upTo} is not above ${previous}`, hint: 'List tiers in increasing up_to order.' });
      previous = Math.max(previous, upTo);
      if (isLast) problems.push({ path: [...path, i, 'up_to'], message: `the last tier must be up_to: inf, got ${upTo}`, hint: 'Add a final tier with up_to: inf so every quantity has a price.' });
    }
    if (tier.unit_amount === undefined && tier.flat_amount === undefined) {
      problems.push({ path: [...path, i], message: 'a tier needs unit_amount, flat_amount or both' });
    }
  });
}

/** The key apply adds to everything it creates (reconcile/types.ts MANAGED_BY_KEY; config does not import reconcile). */
const MANAGED_BY_KEY = 'managed_by';

function checkMetadata(metadata: unknown, path: PathSegment[], problems: RawProblem[]): void {
  if (!isObj(metadata)) return;
  const keys = Object.keys(metadata);
  // apply sets managed_by itself (it is how it knows its objects): a value of the user's would be overwritten.
  if (keys.includes(MANAGED_BY_KEY)) {
    problems.push({ path: [...path, MANAGED_BY_KEY], target: 'key', message: `'${MANAGED_BY_KEY}' is the key apply marks its objects with`, hint: `Use another key; apply sets ${MANAGED_BY_KEY}: alpaca-billing on everything it manages.` });
  }
  // apply sends the file's keys plus managed_by: that total is what Stripe counts.
  const sent = keys.length + (keys.includes(MANAGED_BY_KEY) ? 0 : 1);
  if (sent > LIMITS.metadataKeys) {
    problems.push({ path, target: 'key', message: `has ${keys.length} keys; Stripe allows at most ${LIMITS.metadataKeys}, and apply adds ${MANAGED_BY_KEY}`, hint: `Keep at most ${LIMITS.metadataKeys - 1} keys of your own.` });
  }
}

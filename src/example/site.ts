// The example site behind `alpaca-billing serve-example`: the backend half of Stripe's "add a
// payment collection session to your site", with the stripe SDK as a user's server would use it.
// POST /create-subscription makes the customer and a default_incomplete subscription and returns
// the client secret to confirm in the browser; POST /webhook verifies each event's signature.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { renderPage } from './page.js';

export interface ExampleSiteOptions {
  /** A server-side client (secret key). */
  stripe: Stripe;
  publishableKey: string;
  stripeJsUrl: string;
  /** The price new subscriptions are for. */
  price: string;
  /** The webhook endpoint's signing secret; without one the site registers its endpoint at start. */
  webhookSecret?: string;
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Called with each verified event. */
  onEvent?: (event: Stripe.Event) => void;
  /** Test mode: new customers live on this test clock (to see their renewals by advancing it). */
  testClock?: string;
}

export interface ExampleSite {
  url: string;
  /** Verified events, in arrival order. */
  events: Stripe.Event[];
  /** Resolves with the first verified event (past or future) that `match` accepts. */
  waitForEvent(match: (event: Stripe.Event) => boolean): Promise<Stripe.Event>;
  close(): Promise<void>;
}

export const WEBHOOK_EVENTS: Stripe.WebhookEndpointCreateParams.EnabledEvent[] = ['customer.subscription.created', 'customer.subscription.updated', 'setup_intent.succeeded', 'setup_intent.setup_failed', 'invoice.paid', 'invoice.payment_failed'];

export async function startExampleSite(options: ExampleSiteOptions): Promise<ExampleSite> {
  const { stripe } = options;
  const events: Stripe.Event[] = [];
  const waiters = new Set<{ match: (event: Stripe.Event) => boolean; resolve: (event: Stripe.Event) => void }>();
  let webhookSecret = options.webhookSecret;

  async function createSubscription(body: { email?: unknown }) {
    if (typeof body.email !== 'string' || !body.email.includes('@')) return { status: 400, body: { error: 'Enter your email address.' } };
    const customer = await stripe.customers.create({ email: body.email, ...(options.testClock ? { test_clock: options.testClock } : {}) });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: options.price }],
      payment_behavior: 'default_incomplete',
      payment_settings: { save_default_payment_method: 'on_subscription' },
      expand: ['latest_invoice.confirmation_secret', 'pending_setup_intent'],
    });
    const setupIntent = subscription.pending_setup_intent as Stripe.SetupIntent | null;
    const invoice = subscription.latest_invoice as Stripe.Invoice | null;
    const clientSecret = setupIntent?.client_secret ?? invoice?.confirmation_secret?.client_secret;
    return { status: 200, body: { subscriptionId: subscription.id, type: setupIntent ? 'setup' : 'payment', clientSecret } };
  }

  function receiveWebhook(raw: Buffer, signature: string | undefined) {
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(raw, signature ?? '', webhookSecret ?? '');
    } catch (err) {
      return { status: 400, body: { error: `Webhook signature verification failed: ${(err as Error).message}` } };
    }
    events.push(event);
    options.onEvent?.(event);
    for (const waiter of waiters) {
      if (waiter.match(event)) {
        waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
    return { status: 200, body: { received: true } };
  }

  async function route(req: IncomingMessage, raw: Buffer): Promise<{ status: number; body: unknown; html?: boolean }> {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    if (req.method === 'GET' && path === '/') return { status: 200, body: renderPage(options), html: true };
    if (req.method === 'POST' && path === '/create-subscription') return createSubscription(parseJson(raw));
    if (req.method === 'POST' && path === '/webhook') return receiveWebhook(raw, req.headers['stripe-signature'] as string | undefined);
    const sub = /^\/subscription\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && sub) return { status: 200, body: { status: (await stripe.subscriptions.retrieve(sub[1])).status } };
    return { status: 404, body: { error: 'Not found' } };
  }

  const server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      route(req, Buffer.concat(chunks))
        .catch((err: Error) => ({ status: 500, body: { error: err.message }, html: false }))
        .then(({ status, body, html }) => {
          res.writeHead(status, { 'Content-Type': html ? 'text/html; charset=utf-8' : 'application/json' });
          res.end(html ? String(body) : JSON.stringify(body));
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  // What a developer does once in the Dashboard (or `stripe listen` does): register the endpoint.
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  try {
    webhookSecret ??= (await stripe.webhookEndpoints.create({ url: `${url}/webhook`, enabled_events: WEBHOOK_EVENTS })).secret;
  } catch (err) {
    await close();
    throw err;
  }

  return {
    url,
    events,
    waitForEvent: (match) => {
      const seen = events.find(match);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.add({ match, resolve }));
    },
    close,
  };
}

function parseJson(raw: Buffer): { email?: unknown } {
  try {
    return JSON.parse(raw.toString('utf8') || '{}') ?? {};
  } catch {
    return {};
  }
}

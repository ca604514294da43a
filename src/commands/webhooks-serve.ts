import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import type { V2EventLike } from '../events/meter-errors.js';
import { createWebhookVerifier, type VerifiedDelivery } from '../stripe/webhooks.js';
import { startWebhookServer, type RunningWebhookServer } from '../webhooks/server.js';
import { printFeedItem } from '../events/print.js';

export interface WebhooksServeOptions {
  port: number;
  host: string;
  secret?: string;
  forwardTo?: string;
  tolerance: number;
}

function checkForwardUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`--forward-to '${value}' is not a URL`, { hint: 'Give the full address of your endpoint, e.g. http://localhost:3000/webhooks/stripe.' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`--forward-to must be an http or https URL, got '${url.protocol}'`);
  return url.toString();
}

/** Thin notifications carry no details: fetch the event when a key allows, else show the notification. */
async function printDelivery(ctx: CommandContext, delivery: VerifiedDelivery): Promise<void> {
  if (delivery.kind === 'snapshot') {
    printFeedItem(ctx.out, { kind: 'v1', event: delivery.event });
    return;
  }
  let event: V2EventLike = delivery.notification;
  if (delivery.fetchEvent) {
    try {
      event = (await delivery.fetchEvent()) as V2EventLike;
    } catch (err) {
      ctx.out.warn(`could not fetch ${delivery.notification.id}: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  printFeedItem(ctx.out, { kind: 'v2', event });
}

/** `alpaca-billing webhooks serve`: a local receiver that verifies, prints and forwards deliveries until stopped. */
export async function webhooksServeCommand(ctx: CommandContext, options: WebhooksServeOptions): Promise<number> {
  const secret = options.secret ?? ctx.env.STRIPE_WEBHOOK_SECRET;
  if (!secret || !secret.trim()) {
    throw new UserError('No webhook signing secret: set STRIPE_WEBHOOK_SECRET (or pass --secret).', {
      hint: 'The endpoint secret (whsec_…) is shown once when the endpoint is created: `alpaca-billing apply --secrets-file <file>` writes it to a file.',
    });
  }
  if (!secret.startsWith('whsec_')) ctx.out.warn('the webhook secret does not start with whsec_; deliveries will probably fail verification');
  const forwardTo = options.forwardTo === undefined ? undefined : checkForwardUrl(options.forwardTo);
  // With an API key, thin notifications can be fetched in full; without one, they are still verified.
  const client = ctx.settings.apiKey ? await ctx.stripe() : undefined;
  const verify = await createWebhookVerifier({ secret, toleranceSeconds: options.tolerance, client });

  let server: RunningWebhookServer;
  try {
    server = await startWebhookServer({
      host: options.host,
      port: options.port,
      verify,
      forwardTo,
      onDelivery: (delivery) => printDelivery(ctx, delivery),
      onReject: (reason, info) => ctx.out.warn(`rejected ${info.method} ${info.path} from ${info.remote}: ${reason}`),
      onForward: (result, _delivery) => {
        if (result.status === undefined) ctx.out.warn(`forwarding to ${result.url} failed: ${result.error}`);
        else if (result.status >= 300) ctx.out.warn(`forwarded to ${result.url}: ${result.status} (${result.ms} ms)`);
        else ctx.out.info(`forwarded to ${result.url}: ${result.status} (${result.ms} ms)`);
      },
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new UserError(`port ${options.port} on ${options.host} is already in use`, { hint: 'Pick another --port, or --port 0 for a free one.' });
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UserError(`cannot listen on ${options.host}:${options.port} (${code})`, { hint: 'Check --host and --port.' });
    throw err;
  }
  ctx.out.info(`listening on ${server.url} for Stripe webhooks${forwardTo ? `, forwarding to ${forwardTo}` : ''} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    if (ctx.interruptible().aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  ctx.out.info('stopped');
  return 0;
}

import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import { createStripeClient } from '../stripe/client.js';
import { createExampleCatalog } from '../example/catalog.js';
import { startExampleSite } from '../example/site.js';

export interface ServeExampleOptions {
  host: string;
  port: number;
  emulatorPort: number;
}

/** The emulator accepts any test keys; these are never secrets. */
const SECRET_KEY = 'sk_test_alpaca_example';
const PUBLISHABLE_KEY = 'pk_test_alpaca_example';

/**
 * `alpaca-billing serve-example`: an embedded emulator with Alpaca AI's metered price, and the
 * example site (src/example/) that collects payment details with the Stripe.js stand-in; runs
 * until Ctrl-C, printing each webhook event the site verified.
 */
export async function serveExampleCommand(ctx: CommandContext, opts: ServeExampleOptions): Promise<number> {
  const { startEmulator } = await import('../emulator/index.js');
  const emulator = await startEmulator({ host: opts.host, port: opts.emulatorPort, quiet: true, aggregationDelayMs: 0 }).catch((err) => {
    throw listenError(err, opts.host, opts.emulatorPort, '--emulator-port');
  });
  try {
    const stripe = await createStripeClient({ apiKey: SECRET_KEY, apiBase: emulator.url, maxNetworkRetries: 2 });
    const price = await createExampleCatalog(stripe);
    const site = await startExampleSite({
      stripe,
      publishableKey: PUBLISHABLE_KEY,
      stripeJsUrl: `${emulator.url}/v3/`,
      price: price.id,
      host: opts.host,
      port: opts.port,
      onEvent: (event) => {
        const object = event.data.object as { id?: string; status?: string };
        if (ctx.out.json) ctx.out.data({ webhook: event.type, verified: true, object: object.id, status: object.status ?? null }, { ndjson: true });
        else ctx.out.line(`webhook verified: ${event.type} ${object.id ?? ''}${object.status ? ` (${object.status})` : ''}`);
      },
    }).catch((err) => {
      throw listenError(err, opts.host, opts.port, '--port');
    });
    if (ctx.out.json) {
      ctx.out.data({ ok: true, url: site.url, emulator: emulator.url, price: price.id }, { ndjson: true });
    } else {
      ctx.out.line(`Example payment page at ${site.url} (Ctrl-C to stop)`);
      ctx.out.line(`  Stripe emulator at ${emulator.url}: export STRIPE_API_BASE=${emulator.url} and STRIPE_API_KEY=<any sk_test_ key> to look with other commands`);
      ctx.out.line('  Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 0341 is saved but later charges fail');
    }
    await new Promise<void>((resolve) => {
      if (ctx.interruptible().aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await site.close();
    return 0;
  } finally {
    await emulator.close();
  }
}

function listenError(err: unknown, host: string, port: number, flag: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UserError(`Port ${port} on ${host} is already in use.`, { hint: `Pick another with ${flag}, or ${flag} 0 for a free one.` });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new UserError(`Cannot listen on --host ${host}: ${(err as Error).message}`);
  return err;
}

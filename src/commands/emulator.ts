import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';

export interface EmulatorCommandOptions {
  host: string;
  port: number;
  state?: string;
  latency?: number;
  faultRate?: number;
  rateLimit?: number;
  seed?: number;
  aggregationDelay: number;
  sessionTtl: number;
  afterFailedRetries?: 'cancel' | 'unpaid';
}

/**
 * `alpaca-billing emulator`: runs until SIGINT/SIGTERM (ctx.signal), then closes, saving --state.
 * `--api-key` and `--quiet` are the global flags (commander gives them to the program).
 */
export async function emulatorCommand(ctx: CommandContext, opts: EmulatorCommandOptions): Promise<number> {
  const { startEmulator, StateFileError } = await import('../emulator/index.js');
  const apiKey = ctx.settings.apiKeySource === '--api-key' ? ctx.settings.apiKey : undefined;
  if (apiKey && !/^(sk|rk)_test_/.test(apiKey)) {
    throw new UserError('--api-key for the emulator must be a test key (sk_test_… or rk_test_…).');
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      host: opts.host,
      port: opts.port,
      stateFile: opts.state,
      latencyMs: opts.latency,
      faultRate: opts.faultRate,
      rateLimit: opts.rateLimit,
      seed: opts.seed,
      aggregationDelayMs: opts.aggregationDelay,
      sessionTtlSeconds: opts.sessionTtl,
      afterFailedRetries: opts.afterFailedRetries,
      apiKey,
      quiet: ctx.settings.quiet,
      log: (line) => ctx.out.info(line),
    });
  } catch (err) {
    if (err instanceof StateFileError) throw new UserError(err.message, { hint: 'The emulator never discards a state file it cannot read.' });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`Port ${opts.port} on ${opts.host} is already in use.`, { hint: 'Pick another with --port, or --port 0 for a free one.' });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserError(`Cannot listen on --host ${opts.host}: ${(err as Error).message}`);
    throw err;
  }

  if (ctx.out.json) ctx.out.data({ ok: true, url: emulator.url, port: emulator.port, state: opts.state ?? null }, { ndjson: true });
  else ctx.out.line(`Stripe emulator ready at ${emulator.url}${opts.state ? ` (state: ${opts.state})` : ''}`);

  await new Promise<void>((resolve) => {
    if (ctx.interruptible().aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  ctx.out.info(`emulator stopped${opts.state ? `; state saved to ${opts.state}` : ''}`);
  return 0;
}

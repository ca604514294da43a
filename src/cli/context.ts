import { UserError } from '../errors.js';
import type { Settings } from '../config/settings.js';
import { Output } from '../output/output.js';
import type { Prompter } from '../output/prompt.js';
import { isLiveKey } from '../stripe/redact.js';
import { parseApiBase, type StripeClient } from '../stripe/client.js';

/** What a command gets: it never reaches for process globals, so tests run it in-process. */
export interface CommandContext {
  settings: Settings;
  out: Output;
  prompt: Prompter;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadableStream;
  /** The guarded Stripe client, built on first use (live keys refused without --live, account pinning checked). */
  stripe(): Promise<StripeClient>;
  /** 'test' or 'live', from the key; undefined when no key is configured. */
  mode(): 'test' | 'live' | undefined;
  /** A signal that fires on SIGINT/SIGTERM (for long-running commands). */
  signal: AbortSignal;
  /**
   * Declares that from now on the command stops by itself when `signal` fires, finishing the work in
   * flight (apply's steps, ingest's batches and journal, a server's state). Until a command says so,
   * Ctrl-C ends it at once: nothing it does needs finishing. Returns `signal`.
   */
  interruptible(): AbortSignal;
}

export interface StripeGuardOptions {
  settings: Settings;
  create: (apiKey: string, apiBase?: string) => Promise<StripeClient>;
}

/** Checks the key before any call: present, test unless --live, and pinned to the profile's account. */
export async function connectStripe({ settings, create }: StripeGuardOptions): Promise<StripeClient> {
  const key = settings.apiKey;
  if (!key) {
    const variable = settings.profile?.api_key_env;
    if (variable) {
      throw new UserError(`No Stripe API key: profile '${settings.profileName}' reads its key from ${variable}, which is not set.`, {
        hint: `Set ${variable}. STRIPE_API_KEY is not used for a profile that names its own variable, so another account's key is never picked up by mistake.`,
      });
    }
    throw new UserError('No Stripe API key: set STRIPE_API_KEY.', {
      hint: 'Prefer the environment variable to --api-key: flags show up in process lists and shell history.',
    });
  }
  if (!/^(sk|rk)_(test|live)_/.test(key)) {
    throw new UserError(`The key from ${settings.apiKeySource} is not a Stripe secret or restricted key (sk_test_…, rk_test_…).`);
  }
  if (isLiveKey(key) && !settings.live) {
    throw new UserError(`Refusing to use a live-mode key from ${settings.apiKeySource} without --live.`, {
      hint: 'Live mode moves real money. Pass --live if that is what you mean, or use a sk_test_ key.',
    });
  }
  // Checked here, not in the client, so the message can say where the bad value came from.
  if (settings.apiBase) parseApiBase(settings.apiBase, settings.apiBaseSource);
  const client = await create(key, settings.apiBase);
  const pinned = settings.profile?.account;
  if (pinned) {
    const account: { id: string } = await client.accounts.retrieveCurrent();
    if (account.id !== pinned) {
      throw new UserError(`The key from ${settings.apiKeySource} belongs to account ${account.id}, but profile '${settings.profileName}' is pinned to ${pinned}.`, {
        hint: 'Use the key of the pinned account, or fix `account` in the profile.',
      });
    }
  }
  return client;
}

export function keyMode(settings: Settings): 'test' | 'live' | undefined {
  if (!settings.apiKey) return undefined;
  return isLiveKey(settings.apiKey) ? 'live' : 'test';
}

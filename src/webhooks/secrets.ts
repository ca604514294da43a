/**
 * Where a new webhook endpoint's signing secret goes. Stripe returns it once, in the create
 * response, so it must land somewhere the user can find it: a `--secrets-file` (dotenv lines,
 * mode 0600, written atomically the moment the endpoint exists), or, on an interactive terminal
 * only, printed once. It is never put in pricing.yaml, the plan, the JSON result or a log.
 */
import { access, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-write.js';
import { constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { Output } from '../output/output.js';

export interface RevealedSecretInfo {
  key: string;
  id: string;
  url?: string;
  secret: string;
}

/** `app-hooks` → `STRIPE_WEBHOOK_SECRET_APP_HOOKS`: ready for `webhooks serve` or the application's env. */
export function secretEnvName(key: string): string {
  return `STRIPE_WEBHOOK_SECRET_${key.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
}

const HEADER = '# Webhook signing secrets written by alpaca-billing. Keep this file private (mode 0600) and out of version control.';

/** The file's new text: the variable's previous line (and its comment) replaced, everything else kept. */
export function mergeSecretLines(existing: string, info: RevealedSecretInfo): string {
  const name = secretEnvName(info.key);
  const lines = existing ? existing.replace(/\n$/, '').split('\n') : [HEADER];
  const kept: string[] = [];
  for (const line of lines) {
    if (line.startsWith(`${name}=`)) {
      if (kept.length && kept[kept.length - 1].startsWith(`# ${info.key}:`)) kept.pop();
      continue;
    }
    kept.push(line);
  }
  kept.push(`# ${info.key}: ${info.url ? `${info.url} ` : ''}(${info.id})`, `${name}=${info.secret}`);
  return kept.join('\n') + '\n';
}

/** Fails before anything is created if the secrets file could not be written afterwards. */
export async function checkSecretsFile(path: string): Promise<void> {
  try {
    await access(dirname(path), constants.W_OK);
  } catch {
    throw new UserError(`--secrets-file ${path}: the folder ${dirname(path)} does not exist or is not writable`, { hint: 'Create the folder first, or point --secrets-file somewhere writable.' });
  }
  try {
    await access(path, constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`--secrets-file ${path} exists but is not writable`);
  }
}

export async function writeSecret(path: string, info: RevealedSecretInfo): Promise<void> {
  let existing = '';
  try {
    existing = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await writeFileAtomic(path, mergeSecretLines(existing, info), { mode: 0o600 });
}

export interface SecretHandlerOptions {
  secretsFile?: string;
  cwd: string;
  out: Output;
}

/**
 * Checks up front that a secret created by this apply will have somewhere to go, and returns what
 * to do with each one. Without --secrets-file, only an interactive terminal may see it (once).
 */
export async function prepareSecretHandler(willCreate: number, options: SecretHandlerOptions): Promise<(info: RevealedSecretInfo) => Promise<void>> {
  const { out } = options;
  const path = options.secretsFile === undefined ? undefined : resolve(options.cwd, options.secretsFile);
  if (path) await checkSecretsFile(path);
  else if (willCreate > 0 && (!out.interactive || out.json || !out.stdoutSink.isTTY)) {
    throw new UserError(`this apply creates ${willCreate} webhook endpoint${willCreate === 1 ? '' : 's'}, whose signing secret Stripe returns only once: pass --secrets-file <path> to keep it`, {
      hint: 'Without a terminal (CI, pipes, --json) the secret is never printed; --secrets-file writes it to a 0600 file as STRIPE_WEBHOOK_SECRET_<KEY>=whsec_….',
    });
  }
  return async (info) => {
    const name = secretEnvName(info.key);
    if (path) {
      await writeSecret(path, info);
      out.info(`webhook endpoint ${info.key} (${info.id}): signing secret written to ${path} as ${name}`);
      return;
    }
    // The one deliberate exception to redaction: the only moment this secret can be seen, on a terminal.
    out.stdoutSink.write(`webhook endpoint ${info.key} (${info.id}) signing secret, shown once: ${info.secret}\n`);
  };
}

import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { parsePricing } from '../config/validate.js';
import { UserError } from '../errors.js';
import { pullPricing } from '../reconcile/pull.js';
import { readAccountState } from '../reconcile/read-state.js';
import { openSession } from '../cli/session.js';
import { writeFileAtomic } from '../core/atomic-write.js';

export interface PullCommandOptions {
  out?: string;
  force?: boolean;
  all?: boolean;
  maxRps?: number;
}

const exists = (path: string) => access(path).then(() => true, () => false);

/** `alpaca-billing pull`: the account's catalog as a pricing.yaml, on stdout or into a file. */
export async function pullCommand(ctx: CommandContext, opts: PullCommandOptions): Promise<CommandResult> {
  const target = opts.out ? resolve(ctx.cwd, opts.out) : undefined;
  if (target && !opts.force && (await exists(target))) {
    throw new UserError(`${opts.out} already exists; pull does not overwrite it.`, { hint: 'Pass --force to replace it, or -o another path and compare.' });
  }
  const session = await openSession(ctx, { maxRps: opts.maxRps });
  const spinner = await ctx.out.spinner('Reading the account…');
  const state = await readAccountState({ client: session.client, call: session.call, mode: session.mode, apiBase: session.apiBase });
  spinner.stop();
  const { file, skipped, unmanaged } = pullPricing(state, { all: opts.all });
  const header = `# yaml-language-server: $schema=./pricing.schema.json\n# Pulled from ${state.account.id} (${state.account.mode} mode) by alpaca-billing pull.\n`;
  const text = header + stringify(file, { lineWidth: 0 });
  // The file must be one our own validator accepts; anything else is a bug here, not the user's.
  const { problems } = parsePricing(text, opts.out ?? 'pricing.yaml');
  if (problems.length) throw new Error(`pull produced an invalid pricing file: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);

  if (target) await writeFileAtomic(target, text);
  for (const s of skipped) ctx.out.warn(`skipped ${s}`);
  if (unmanaged) ctx.out.info(`${unmanaged} object${unmanaged === 1 ? ' was' : 's were'} not created by alpaca-billing: \`alpaca-billing apply --adopt\` takes ${unmanaged === 1 ? 'it' : 'them'} over.`);
  return {
    data: { file: opts.out ?? null, pricing: file, skipped, unmanaged },
    render: (out) => (target ? out.info(`Wrote ${opts.out}.`) : out.line(text.trimEnd())),
  };
}

import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { loadPricing } from '../config/load.js';
import { countCatalog } from '../config/model.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `alpaca-billing validate`: pure, no network. Problems are thrown as a ConfigError (exit 3). */
export async function validateCommand(ctx: CommandContext): Promise<CommandResult> {
  const { config, path } = await loadPricing(ctx.settings.file, ctx.cwd);
  const counts = countCatalog(config);
  const parts = [plural(counts.meters, 'meter'), plural(counts.products, 'product'), plural(counts.prices, 'price')];
  if (counts.webhooks) parts.push(plural(counts.webhooks, 'webhook endpoint'));
  if (counts.alerts) parts.push(plural(counts.alerts, 'alert'));
  return { data: { ok: true, file: path, ...counts }, render: (out) => out.line(`valid: ${parts.join(', ')}`) };
}

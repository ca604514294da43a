import type { CommandContext } from '../cli/context.js';
import { loadPricing } from '../config/load.js';
import { countCatalog } from '../config/model.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `alpaca-billing validate`: pure, no network. Problems are thrown as a ConfigError (exit 3). */
export async function validateCommand(ctx: CommandContext): Promise<number> {
  const { config, path } = await loadPricing(ctx.settings.file, ctx.cwd);
  const counts = countCatalog(config);
  if (ctx.out.json) {
    ctx.out.data({ ok: true, file: path, ...counts });
  } else {
    const parts = [plural(counts.meters, 'meter'), plural(counts.products, 'product'), plural(counts.prices, 'price')];
    if (counts.webhooks) parts.push(plural(counts.webhooks, 'webhook endpoint'));
    if (counts.alerts) parts.push(plural(counts.alerts, 'alert'));
    ctx.out.line(`valid: ${parts.join(', ')}`);
  }
  return 0;
}

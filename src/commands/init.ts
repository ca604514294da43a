import { writeFile, access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { ConfigError, UserError } from '../errors.js';
import { parsePricing } from '../config/validate.js';
import { parseTiers, renderPricingYaml, slug, type InitAnswers, type PriceForm } from '../init/render.js';

export interface InitOptions {
  output?: string;
  product?: string;
  productId?: string;
  meterEvent?: string;
  aggregation?: InitAnswers['aggregation'];
  currency?: string;
  interval?: InitAnswers['interval'];
  priceForm?: PriceForm;
  amount?: string;
  packageSize?: string;
  tiers?: string;
  yes?: boolean;
  force?: boolean;
}

/** `alpaca-billing init`: asks (or takes flags), renders, validates, and only then writes. */
export async function initCommand(ctx: CommandContext, opts: InitOptions): Promise<CommandResult> {
  const file = opts.output ?? ctx.settings.file;
  const path = resolve(ctx.cwd, file);
  if (!opts.force && (await exists(path))) {
    throw new UserError(`${file} already exists.`, { hint: 'Pass --force to overwrite it, or -o to write another file.' });
  }
  // With --yes every unanswered question takes its default; otherwise ask on a TTY. Without one,
  // an unanswered question is an error naming its flag rather than a silent default.
  const unanswered = (flag: string): never => {
    throw new UserError(`init needs ${flag} when there is no terminal to ask on.`, { hint: `Pass ${flag}, or --yes to take the defaults.` });
  };
  const ask = async (question: string, flag: string, given: string | undefined, def: string) => {
    if (given !== undefined) return given;
    if (opts.yes) return def;
    if (!ctx.prompt.interactive) return unanswered(flag);
    return ctx.prompt.input(question, { flag, default: def });
  };
  const choose = async <T extends string>(question: string, flag: string, given: T | undefined, choices: readonly T[], def: T) => {
    if (given !== undefined) return given;
    if (opts.yes) return def;
    if (!ctx.prompt.interactive) return unanswered(flag);
    return ctx.prompt.select(question, { flag, choices, default: def });
  };

  const product = await ask('Product name', '--product', opts.product, 'Alpaca AI');
  const productId = opts.productId ?? slug(product);
  const meterEvent = await ask('Meter event name (what your app reports usage as)', '--meter-event', opts.meterEvent, `${slug(product)}_tokens`);
  const aggregation = await choose('How does usage add up?', '--aggregation', opts.aggregation, ['sum', 'count', 'last'] as const, 'sum');
  const currency = (await ask('Currency (ISO 4217, lowercase)', '--currency', opts.currency, 'usd')).toLowerCase();
  const interval = await choose('Billing interval', '--interval', opts.interval, ['month', 'year', 'week', 'day'] as const, 'month');
  const priceForm = await choose('Price form', '--price-form', opts.priceForm, ['package', 'per-unit', 'tiered'] as const, 'package');
  let amount = '4';
  let packageSize = 1000;
  let tiers: InitAnswers['tiers'] = [];
  if (priceForm === 'package') {
    amount = await ask('Amount per package, in minor units (4 = 4 cents)', '--amount', opts.amount, '4');
    packageSize = Number(await ask('Units per package', '--package-size', opts.packageSize, '1000'));
    if (!Number.isInteger(packageSize) || packageSize < 1) throw new UserError(`--package-size must be a whole number ≥ 1, got '${opts.packageSize}'`);
  } else if (priceForm === 'per-unit') {
    amount = await ask('Amount per unit, in minor units (e.g. "0.004" for 0.004 cents)', '--amount', opts.amount, '0.004');
  } else {
    const text = await ask('Tiers as up_to:unit_amount pairs', '--tiers', opts.tiers, '1000000:0.005,inf:0.003');
    try {
      tiers = parseTiers(text);
    } catch (err) {
      throw new UserError(`--tiers: ${(err as Error).message}`, { hint: 'Example: --tiers "1000000:0.005,inf:0.003"' });
    }
  }
  if (!/^\d+(\.\d+)?$/.test(amount)) {
    throw new UserError(`--amount takes minor units as a whole number or decimal string (4, "0.004"), got '${amount}'`);
  }

  const text = renderPricingYaml({ product, productId, meterEvent, aggregation, currency, interval, priceForm, amount, packageSize, tiers });
  const { problems } = parsePricing(text, file);
  if (problems.length) throw new ConfigError(problems, `The answers do not make a valid pricing file; nothing was written.`);
  await writeFile(path, text, { flag: opts.force ? 'w' : 'wx' });
  return { data: { ok: true, file: path }, render: (out) => out.line(`wrote ${file}: check it with \`alpaca-billing validate\`, then \`alpaca-billing plan\``) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

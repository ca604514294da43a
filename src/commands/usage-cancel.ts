import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError, isStripeSdkError } from '../errors.js';
import { isMissing } from '../stripe/found.js';
import type { Output } from '../output/output.js';
import { loadMeterCatalog, requireMeter } from '../cli/usage-setup.js';

export interface UsageCancelOptions {
  meter: string;
  identifier: string;
}

/** `usage cancel`: a meter event adjustment; Stripe only cancels events it received in the last 24 hours. */
export async function usageCancelCommand(ctx: CommandContext, options: UsageCancelOptions): Promise<CommandResult> {
  const identifier = options.identifier.trim();
  if (!identifier) throw new UserError('--identifier is empty.');
  const { catalog, stripe } = await loadMeterCatalog(ctx);
  const meter = requireMeter(catalog, options.meter);
  let status: string;
  let alreadyCancelled = false;
  try {
    const adjustment = await stripe!.billing.meterEventAdjustments.create({ event_name: meter.eventName, type: 'cancel', cancel: { identifier } });
    status = adjustment.status;
  } catch (err) {
    if (isStripeSdkError(err) && err.statusCode === 400 && /already been cancel/i.test(err.message)) {
      alreadyCancelled = true;
      status = 'complete';
    } else if (isMissing(err) || (isStripeSdkError(err) && /24 hours/.test(err.message))) {
      throw new UserError(`Cannot cancel event ${identifier} on ${meter.eventName}: Stripe has no such event from the last 24 hours.`, {
        hint: 'Only events received in the last 24 hours can be cancelled. For older usage, send a correcting event with a negative --value (usage send), before the invoice is finalized.',
      });
    } else {
      throw err;
    }
  }
  const render = (out: Output) => {
    if (alreadyCancelled) out.line(`event ${identifier} on ${meter.eventName} was already cancelled`);
    else out.line(`cancelled event ${identifier} on ${meter.eventName} (${status}); it leaves the usage totals once Stripe has processed the adjustment`);
  };
  return { data: { ok: true, event_name: meter.eventName, identifier, status, already_cancelled: alreadyCancelled }, render };
}

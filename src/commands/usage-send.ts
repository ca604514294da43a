import { randomUUID } from 'node:crypto';
import type { CommandResult } from '../cli/command-result.js';
import type { CommandContext } from '../cli/context.js';
import { UserError, isStripeSdkError } from '../errors.js';
import type { Output } from '../output/output.js';
import { resolveCustomer } from '../customers/resolve.js';
import { IDENTIFIER_MAX, parseWholeNumber } from '../usage/event.js';
import { loadMeterCatalog, requireMeter } from '../cli/usage-setup.js';
import { checkWindow } from '../usage/time.js';
import { isoSeconds, parseTimestamp } from '../core/time.js';

export interface UsageSendOptions {
  customer: string;
  meter: string;
  value: string;
  timestamp?: string;
  identifier?: string;
}

/** Checks the flags before anything is sent; every problem names its flag. */
export function checkSendFlags(options: UsageSendOptions, nowSeconds: number): { value: string; timestamp: number; identifier: string; generated: boolean } {
  const value = parseWholeNumber(options.value);
  if (!value.ok) throw new UserError(`--value: ${value.reason}.`, { hint: 'Meter event values are whole numbers (negative ones correct earlier usage).' });
  let timestamp = nowSeconds;
  if (options.timestamp !== undefined) {
    const ts = parseTimestamp(options.timestamp);
    if (!ts.ok) throw new UserError(`--timestamp: ${ts.reason}.`, { hint: 'Use Unix seconds or ISO 8601, e.g. 2026-11-26T10:00:00Z.' });
    timestamp = ts.seconds;
  }
  const outside = checkWindow(timestamp, nowSeconds);
  if (outside) throw new UserError(`--timestamp: ${outside}.`, { hint: 'Stripe accepts meter events from the past 35 days up to 5 minutes ahead.' });
  const given = options.identifier?.trim();
  if (options.identifier !== undefined && !given) throw new UserError('--identifier is empty.');
  if (given && given.length > IDENTIFIER_MAX) throw new UserError(`--identifier is longer than ${IDENTIFIER_MAX} characters.`);
  return { value: value.value, timestamp, identifier: given ?? `alp_${randomUUID()}`, generated: !given };
}

/** Stripe's answer to an identifier it has already seen in the last 24 hours. */
export function isDuplicateIdentifier(err: unknown): boolean {
  return isStripeSdkError(err) && err.statusCode === 400 && (err.param === 'identifier' || err.code === 'duplicate_meter_event') && /already|duplicate/i.test(err.message);
}

/** `usage send`: one event through the v1 endpoint, which validates synchronously. */
export async function usageSendCommand(ctx: CommandContext, options: UsageSendOptions): Promise<CommandResult> {
  const flags = checkSendFlags(options, Math.floor(Date.now() / 1000));
  const { catalog, stripe } = await loadMeterCatalog(ctx);
  const meter = requireMeter(catalog, options.meter);
  const customer = options.customer.startsWith('cus_') ? options.customer : (await resolveCustomer(stripe!, options.customer)).id;
  let duplicate = false;
  try {
    await stripe!.billing.meterEvents.create({
      event_name: meter.eventName,
      payload: { [meter.customerKey]: customer, [meter.valueKey]: flags.value },
      identifier: flags.identifier,
      timestamp: flags.timestamp,
    });
  } catch (err) {
    if (!isDuplicateIdentifier(err)) throw err;
    duplicate = true;
  }
  const result = { ok: true, event_name: meter.eventName, customer, value: flags.value, timestamp: flags.timestamp, identifier: flags.identifier, duplicate };
  const render = (out: Output) => {
    if (duplicate) out.line(`already recorded: Stripe has an event with identifier ${flags.identifier} from the last 24 hours; it counts once.`);
    else out.line(`recorded ${flags.value} on ${meter.eventName} for ${customer} at ${isoSeconds(flags.timestamp)}`);
    out.line(`identifier ${flags.identifier}${flags.generated ? '  (generated: pass --identifier with it to retry safely)' : ''}`);
  };
  return { data: result, render };
}

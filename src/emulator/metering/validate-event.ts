// The rules a meter event must pass, shared by the synchronous endpoints (v1 and v2
// meter_events answer 400) and the asynchronous stream (the event is dropped and counted into an
// error report). Codes are the ones Stripe's error reports use.

export type MeterErrorCode =
  | 'no_meter'
  | 'archived_meter'
  | 'meter_event_no_customer_defined'
  | 'meter_event_customer_not_found'
  | 'meter_event_invalid_value'
  | 'meter_event_value_too_many_digits'
  | 'timestamp_in_future'
  | 'timestamp_too_far_in_past';

/** The parts of a billing meter that validation reads. */
export interface MeterLike {
  id: string;
  event_name: string;
  status: 'active' | 'inactive';
  default_aggregation: { formula: 'sum' | 'count' | 'last' };
  customer_mapping?: { event_payload_key: string } | null;
  value_settings?: { event_payload_key: string } | null;
}

export interface RawMeterEvent {
  event_name: string;
  payload: Record<string, unknown>;
  /** Unix seconds; absent means "now". */
  timestamp?: number;
  identifier?: string;
}

export interface ValidEvent {
  meter: MeterLike;
  customerId: string;
  value: number;
  timestamp: number;
}

export interface EventProblem {
  code: MeterErrorCode;
  message: string;
  /** The request parameter at fault, for synchronous 400s. */
  param: string;
  meter?: MeterLike;
}

export const PAST_WINDOW_SEC = 35 * 24 * 60 * 60;
export const FUTURE_WINDOW_SEC = 5 * 60;
/** Whole numbers beyond 15 digits would lose precision as doubles, so we refuse them. */
const MAX_DIGITS = 15;

export interface ValidateDeps {
  findMeter(eventName: string): MeterLike | undefined;
  customerExists(id: string): boolean;
  nowSec: number;
  /** A customer's own "now" when it differs (a test clock's frozen_time): the time window follows it. */
  customerNowSec?(id: string): number;
}

export function validateMeterEvent(e: RawMeterEvent, deps: ValidateDeps): ValidEvent | EventProblem {
  const meter = deps.findMeter(e.event_name);
  if (!meter) return { code: 'no_meter', param: 'event_name', message: `No active meter was found matching event_name '${e.event_name}'.` };
  if (meter.status !== 'active') {
    return { code: 'archived_meter', param: 'event_name', meter, message: `The meter ${meter.id} for event_name '${e.event_name}' is inactive; reactivate it to record events.` };
  }
  const customerKey = meter.customer_mapping?.event_payload_key || 'stripe_customer_id';
  const valueKey = meter.value_settings?.event_payload_key || 'value';
  const customer = e.payload[customerKey];
  if (typeof customer !== 'string' || customer === '') {
    return { code: 'meter_event_no_customer_defined', param: `payload[${customerKey}]`, meter, message: `The payload must contain the customer key '${customerKey}'.` };
  }
  if (!deps.customerExists(customer)) {
    return { code: 'meter_event_customer_not_found', param: `payload[${customerKey}]`, meter, message: `No such customer: '${customer}'.` };
  }
  const raw = e.payload[valueKey];
  // The SDK sends numbers as strings; whole numbers only, negatives allowed for corrections.
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (meter.default_aggregation.formula !== 'count' || text !== undefined) {
    if (typeof text !== 'string' || !/^-?\d+$/.test(text.trim())) {
      return { code: 'meter_event_invalid_value', param: `payload[${valueKey}]`, meter, message: `The payload key '${valueKey}' must hold a whole number, got ${JSON.stringify(raw ?? null)}.` };
    }
    if (text.trim().replace(/^-/, '').replace(/^0+(?=\d)/, '').length > MAX_DIGITS) {
      return { code: 'meter_event_value_too_many_digits', param: `payload[${valueKey}]`, meter, message: `The value '${text}' has more than ${MAX_DIGITS} digits.` };
    }
  }
  const now = deps.customerNowSec?.(customer) ?? deps.nowSec;
  const timestamp = e.timestamp ?? now;
  if (timestamp > now + FUTURE_WINDOW_SEC) {
    return { code: 'timestamp_in_future', param: 'timestamp', meter, message: `The timestamp ${timestamp} is more than 5 minutes in the future.` };
  }
  if (timestamp < now - PAST_WINDOW_SEC) {
    return { code: 'timestamp_too_far_in_past', param: 'timestamp', meter, message: `The timestamp ${timestamp} is more than 35 days in the past.` };
  }
  const value = text === undefined ? 1 : Number(text.trim());
  return { meter, customerId: customer, value: Object.is(value, -0) ? 0 : value, timestamp };
}

export function isProblem(r: ValidEvent | EventProblem): r is EventProblem {
  return 'code' in r;
}

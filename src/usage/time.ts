/**
 * Timestamps and Stripe's acceptance window for meter events: at most 35 days back and 5 minutes
 * ahead (the allowance is for clock drift). Pure: `now` is always passed in.
 */

export const WINDOW_PAST_SECONDS = 35 * 86_400;
export const WINDOW_FUTURE_SECONDS = 5 * 60;

/** Undefined when Stripe would accept the timestamp now; otherwise why not. */
export function checkWindow(seconds: number, nowSeconds: number): string | undefined {
  if (seconds < nowSeconds - WINDOW_PAST_SECONDS) {
    return `timestamp ${new Date(seconds * 1000).toISOString()} is more than 35 days in the past (Stripe refuses it)`;
  }
  if (seconds > nowSeconds + WINDOW_FUTURE_SECONDS) {
    return `timestamp ${new Date(seconds * 1000).toISOString()} is more than 5 minutes in the future`;
  }
  return undefined;
}

// Raw card details as a payment form (the Stripe.js stand-in) sends them with an intent's confirm.
import type { EmulatorCore } from '../core.js';
import { StripeHttpError, invalid, parameterMissing } from '../http/errors.js';
import { asString } from '../http/params.js';
import { cardFromNumber } from './payment-methods.js';
import type { PaymentMethodRecord } from './store.js';

/** `payment_method_data` with `type: card` and `card[number|exp_month|exp_year]` becomes a card object. */
export function methodFromData(core: EmulatorCore, data: unknown): PaymentMethodRecord {
  const card = (data as { card?: Record<string, unknown> } | null)?.card;
  if (typeof data !== 'object' || data === null || (data as { type?: unknown }).type !== 'card') {
    throw invalid('payment_method_data[type]', "The emulator models card payment methods only: payment_method_data[type] must be 'card'.");
  }
  if (card?.number === undefined) throw parameterMissing('payment_method_data[card][number]');
  const month = Number(card.exp_month);
  const year = Number(card.exp_year);
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new StripeHttpError(402, { type: 'card_error', code: 'invalid_expiry_month', param: 'exp_month', message: "Your card's expiration month is invalid." });
  }
  const now = new Date(core.nowMs());
  if (!Number.isInteger(year) || now.getUTCFullYear() * 100 + now.getUTCMonth() + 1 > year * 100 + month) {
    throw new StripeHttpError(402, { type: 'card_error', code: 'invalid_expiry_year', param: 'exp_year', message: "Your card's expiration year is invalid." });
  }
  return cardFromNumber(core, { number: asString(card.number, 'payment_method_data[card][number]'), exp_month: month, exp_year: year });
}

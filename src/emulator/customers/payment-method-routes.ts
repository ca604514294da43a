import type { EmulatorCore } from '../core.js';
import { StripeHttpError, parameterMissing } from '../http/errors.js';
import { listResponse, listUrl } from '../http/list.js';
import { asString, str } from '../http/params.js';
import { attachPaymentMethod, requirePaymentMethod, resolvePaymentMethod } from './payment-methods.js';
import { customers, paymentMethods, type PaymentMethodRecord } from './store.js';
import type { EmuRequest, Route } from '../types.js';

/** A test token (`pm_card_visa`, …) on a pm_ route means a fresh card object, as on Stripe. */
function methodFromPath(core: EmulatorCore, id: string): PaymentMethodRecord {
  return id.startsWith('pm_card_') ? resolvePaymentMethod(core, id, 'id') : requirePaymentMethod(core, id);
}

function attach(req: EmuRequest): PaymentMethodRecord {
  const core = req.core;
  if (req.body.customer === undefined) throw parameterMissing('customer');
  const customer = customers(core).require(asString(req.body.customer, 'customer'), 'customer', 'customer');
  return attachPaymentMethod(core, methodFromPath(core, req.params.id), customer.id);
}

function detach(req: EmuRequest): PaymentMethodRecord {
  const core = req.core;
  const pm = requirePaymentMethod(core, req.params.id);
  if (!pm.customer) {
    throw new StripeHttpError(400, { type: 'invalid_request_error', code: 'payment_method_unexpected_state', message: 'The payment method you provided is not attached to a customer so detachment is impossible.' });
  }
  const customer = customers(core).get(pm.customer as string);
  if (customer && customer.invoice_settings.default_payment_method === pm.id) {
    const previous = { invoice_settings: { ...customer.invoice_settings } };
    customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: null };
    core.emit('customer.updated', customer, previous);
  }
  paymentMethods(core).update(pm.id, { customer: null });
  core.emit('payment_method.detached', pm);
  return pm;
}

function list(req: EmuRequest, customerId: string | undefined) {
  const core = req.core;
  if (customerId === undefined) throw parameterMissing('customer');
  customers(core).require(customerId, 'customer', req.params.id ? 'id' : 'customer');
  const type = str(req, 'type');
  const items = paymentMethods(core)
    .all()
    .filter((pm) => pm.customer === customerId && (type === undefined || pm.type === type));
  return listResponse(items, req.body, listUrl(req));
}

const LIST_PARAMS = ['customer', 'type', 'limit', 'starting_after', 'ending_before', 'allow_redisplay'];

export const routes: Route[] = [
  { method: 'GET', path: '/v1/payment_methods/:id', params: [], handler: (req) => methodFromPath(req.core, req.params.id) },
  { method: 'POST', path: '/v1/payment_methods/:id/attach', params: ['customer'], handler: attach },
  { method: 'POST', path: '/v1/payment_methods/:id/detach', params: [], handler: detach },
  { method: 'GET', path: '/v1/payment_methods', params: LIST_PARAMS, handler: (req) => list(req, str(req, 'customer')) },
  { method: 'GET', path: '/v1/customers/:id/payment_methods', params: LIST_PARAMS, handler: (req) => list(req, req.params.id) },
];

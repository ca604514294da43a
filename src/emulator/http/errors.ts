/**
 * Errors in Stripe's wire shape. A handler throws one; the server turns it into
 * `{"error": {type, code, message, param, doc_url, request_log_url}}` with the given status, which
 * the SDK maps to the same error class it would raise against Stripe.
 */
export interface StripeErrorBody {
  type: string;
  code?: string;
  message: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  request_log_url?: string;
  [extra: string]: unknown;
}

export class StripeHttpError extends Error {
  readonly status: number;
  readonly body: StripeErrorBody;
  /** Extra response headers (e.g. Stripe-Should-Retry). */
  readonly headers?: Record<string, string>;

  constructor(status: number, body: StripeErrorBody, headers?: Record<string, string>) {
    super(body.message);
    this.name = 'StripeHttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** Stripe's page for an error code: `https://stripe.com/docs/error-codes/resource-missing`. */
export function docUrlOf(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

const RESOURCE_LABELS: Record<string, string> = {};

/** 404 for a retrieved id (param `id`), 400 when a parameter names a missing object. */
export function resourceMissing(resource: string, id: string, param?: string): StripeHttpError {
  const label = RESOURCE_LABELS[resource] ?? resource;
  return new StripeHttpError(param ? 400 : 404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param: param ?? 'id',
    message: `No such ${label}: '${id}'`,
  });
}

export function parameterMissing(param: string): StripeHttpError {
  return new StripeHttpError(400, {
    type: 'invalid_request_error',
    code: 'parameter_missing',
    param,
    message: `Missing required param: ${param}.`,
  });
}

export function parameterUnknown(param: string): StripeHttpError {
  return new StripeHttpError(400, {
    type: 'invalid_request_error',
    code: 'parameter_unknown',
    param,
    message: `Received unknown parameter: ${param}`,
  });
}

export function invalid(param: string | undefined, message: string, code?: string): StripeHttpError {
  return new StripeHttpError(400, {
    type: 'invalid_request_error',
    ...(code ? { code } : {}),
    ...(param ? { param } : {}),
    message,
  });
}

export function authenticationError(message: string): StripeHttpError {
  return new StripeHttpError(401, { type: 'invalid_request_error', message });
}

export function apiError(status: number, message: string): StripeHttpError {
  return new StripeHttpError(status, { type: 'api_error', message });
}

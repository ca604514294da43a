import type { EmulatorCore } from './core.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 12111; 0 picks a free port. */
  port?: number;
  /** Load state from this file at start and save it (atomically) after changes and on close. */
  stateFile?: string;
  /** Delay added to every response. */
  latencyMs?: number;
  /** Share (0..1) of requests answered with a 500, a 503 or a dropped connection. */
  faultRate?: number;
  /** Requests per second before answering 429 (0/undefined: no limit). */
  rateLimit?: number;
  /** Makes ids and fault decisions repeatable. */
  seed?: number;
  /** How long meter events take to show up in aggregates (default 1000). */
  aggregationDelayMs?: number;
  /** Lifetime of v2 meter event session tokens (default 900). */
  sessionTtlSeconds?: number;
  /** Accept only this key (default: any sk_test_/rk_test_ key). */
  apiKey?: string;
  /** No request log. */
  quiet?: boolean;
  /** Request log sink (one line per request; default stderr). */
  log?: (line: string) => void;
  /**
   * Let an inactive meter's event_name be taken by a new meter (default false: inactive meters keep
   * their name; Stripe does not document which it does).
   */
  releaseInactiveMeterNames?: boolean;
  /** What a subscription becomes when the last retry of a failed renewal payment fails (default cancel). */
  afterFailedRetries?: 'cancel' | 'unpaid';
  /** Clock in ms (default Date.now); tests inject one to cross day-long windows. */
  clock?: () => number;
}

/** Options after defaults are applied. */
export interface ResolvedOptions extends Required<Omit<EmulatorOptions, 'stateFile' | 'seed' | 'apiKey' | 'log' | 'rateLimit' | 'afterFailedRetries'>> {
  afterFailedRetries?: 'cancel' | 'unpaid';
  stateFile?: string;
  seed?: number;
  apiKey?: string;
  rateLimit: number;
  log: (line: string) => void;
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
  core: EmulatorCore;
}

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface EmuRequest {
  params: Record<string, string>;
  /** Parsed v1 form (qs) or v2 JSON body; for GET and DELETE the query string is merged in. */
  body: Record<string, any>;
  headers: Record<string, string | string[] | undefined>;
  core: EmulatorCore;
  method: HttpMethod;
  /** The path without the query string. */
  path: string;
  /** The bearer token the request authenticated with (secret key or session token). */
  apiKey: string;
  requestId: string;
}

export interface Route {
  method: HttpMethod;
  /** e.g. '/v1/customers/:id' */
  path: string;
  /**
   * Default 'secret'. 'session' routes authenticate through the core's session authenticator;
   * 'client' routes also take a publishable key (the handler then checks the client secret).
   */
  auth?: 'secret' | 'session' | 'client' | 'none';
  /**
   * The top-level parameters this endpoint accepts (besides `expand`); anything else is a 400
   * `parameter_unknown`. Omit to let the handler check for itself.
   */
  params?: readonly string[];
  handler(req: EmuRequest): unknown | Promise<unknown>;
}

/** What a route module exports; `setup` runs once per emulator (register expanders, listeners). */
export interface RouteModule {
  routes: Route[];
  setup?(core: EmulatorCore): void;
}

/** A non-JSON response (e.g. the hosted checkout page). */
export class RawResponse {
  constructor(
    readonly body: string,
    readonly contentType = 'text/html; charset=utf-8',
    readonly status = 200,
    readonly headers: Record<string, string> = {},
  ) {}
}

export interface UsageSource {
  aggregate(meter: { id: string; default_aggregation: { formula: 'sum' | 'count' | 'last' } }, customerId: string, startSec: number, endSec: number): number;
}

export type EventListener = (type: string, object: Record<string, any>, previousAttributes?: Record<string, any>) => void;

/**
 * Expands one field of an object: `value` is the field's current value (usually an id), `parent` the
 * object holding it. Returns the expanded value (an object), or undefined when the id is unknown.
 */
export type Expander = (value: unknown, parent: Record<string, any>, core: EmulatorCore) => unknown;

/** Validates a v2 session token for `auth: 'session'` routes; throws a StripeHttpError to refuse. */
export type SessionAuthenticator = (token: string, req: EmuRequest) => void;

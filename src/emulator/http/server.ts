import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import qs from 'qs';
import type { EmulatorCore } from '../core.js';
import { RawResponse, type EmuRequest, type HttpMethod } from '../types.js';
import { authenticateClient, authenticateSecret, bearerToken } from './auth.js';
import { StripeHttpError, authenticationError, docUrlOf, invalid, type StripeErrorBody } from './errors.js';
import { applyExpansions, omitIncludable } from './expand.js';
import { pickFault, RateLimiter, type Fault } from './faults.js';
import { IdempotencyStore } from './idempotency.js';
import { responseRecorder } from './record.js';
import { checkParams } from './params.js';
import type { Router } from './router.js';

const QS_OPTIONS = { depth: 20, arrayLimit: 1000, parameterLimit: 10_000 } as const;
const METHODS = new Set(['GET', 'POST', 'DELETE']);

interface Outcome {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * The wire pipeline: rate limit → route → auth → parse → fault → idempotency → handler → expand →
 * store for replay → latency → wait until durable (--state) → answer (or drop). One function per request, no middleware chain, to
 * keep the per-request cost low for the meter event stream.
 */
export function createRequestHandler(core: EmulatorCore, router: Router): (req: IncomingMessage, res: ServerResponse) => void {
  const options = core.options;
  const limiter = new RateLimiter(options.rateLimit);
  const idempotency = new IdempotencyStore();
  const requestPrefix = core.faultRandom.base62(6);
  let requestCount = 0;
  const record = responseRecorder();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = `req_${requestPrefix}${(++requestCount).toString(36).padStart(8, '0')}`;
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = q < 0 ? '' : rawUrl.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    // As api.stripe.com: any page may call the client-side endpoints (Stripe.js, the /v3/ stand-in).
    const headers: Record<string, string> = { 'Request-Id': requestId, 'Access-Control-Allow-Origin': '*' };
    const stripeVersion = req.headers['stripe-version'];
    if (typeof stripeVersion === 'string') headers['Stripe-Version'] = stripeVersion;
    const idemKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    if (idemKey) headers['Idempotency-Key'] = idemKey;

    let outcome: Outcome;
    let expand: unknown;
    let fault: Fault | undefined;
    // --latency is spent while the request "runs" (so a concurrent retry sees its key in flight);
    // requests refused before that point are delayed just before answering.
    let delayed = false;
    const wait = async () => {
      if (!delayed) {
        delayed = true;
        await delay(options.latencyMs);
      }
    };
    try {
      const raw = await readBody(req);
      const match = METHODS.has(method) ? router.match(method as HttpMethod, path) : undefined;
      const auth = match?.route.auth ?? 'secret';
      if (limiter.exceeded()) {
        throw new StripeHttpError(429, { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.' });
      }
      let apiKey = '';
      if (auth === 'secret') apiKey = authenticateSecret(header(req, 'authorization'), options);
      if (!match) {
        throw new StripeHttpError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}). This emulator serves the endpoints listed in src/emulator/SPEC.md.` });
      }
      const isV2 = path.startsWith('/v2/');
      const body = parseBody(method, isV2, raw, query);
      expand = body.expand;
      if (auth === 'client') apiKey = authenticateClient(header(req, 'authorization'), body, options);
      const emuReq: EmuRequest = { params: match.params, body, headers: req.headers, core, method: method as HttpMethod, path, apiKey, requestId };
      if (auth === 'session') {
        const token = bearerToken(header(req, 'authorization'));
        const check = core.sessionAuthenticator;
        if (!token || !check) throw authenticationError('This endpoint needs a meter event session token (POST /v2/billing/meter_event_session).');
        apiKey = emuReq.apiKey = token;
        check(token, emuReq);
      }

      fault = pickFault(options.faultRate, core.faultRandom);
      if (fault === 'error-500' || fault === 'error-503') {
        throw new StripeHttpError(fault === 'error-500' ? 500 : 503, { type: 'api_error', message: `Injected fault (--fault-rate): the emulator answered ${fault === 'error-500' ? 500 : 503} without running the request. Retry it.` });
      }
      if (fault === 'drop-before') {
        await wait();
        dropConnection(req, res);
        log(core, method, path, 'dropped before running', started, requestId);
        return;
      }

      // v1 keys apply to POST only; the SDK also sends keys on v2 DELETE (GET keys mean nothing).
      const idempotent = idemKey !== undefined && (method === 'POST' || (isV2 && method === 'DELETE'));
      const scope = apiKey;
      if (idempotent) {
        const fingerprint = IdempotencyStore.fingerprint(method, path, raw);
        const seen = idempotency.lookup(scope, idemKey);
        if (seen === 'in-flight') {
          throw new StripeHttpError(409, { type: 'idempotency_error', code: 'idempotency_key_in_use', message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${idemKey}. Please try again later.` });
        }
        if (seen) {
          if (seen.path !== path) {
            throw new StripeHttpError(400, { type: 'idempotency_error', message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${path}' vs '${seen.path}'). Try using a key other than '${idemKey}' if you meant to execute a different request.` });
          }
          if (seen.fingerprint !== fingerprint) {
            throw new StripeHttpError(400, { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.` });
          }
          outcome = { status: seen.status, body: seen.body, contentType: seen.contentType, headers: { 'Idempotent-Replayed': 'true' } };
        } else {
          idempotency.begin(scope, idemKey);
          let stored: Outcome | undefined;
          try {
            await wait();
            stored = await execute(emuReq, match.route.handler, match.route.params, idemKey);
          } catch (err) {
            stored = errorOutcome(err, core, requestId, isV2);
          }
          // Validation failures (4xx other than card errors) are not stored: they can be retried.
          const keep = stored.status < 300 || stored.status === 402 || (!isV2 && stored.status >= 500);
          idempotency.finish(scope, idemKey, keep ? { status: stored.status, body: stored.body, contentType: stored.contentType, fingerprint, path, storedAtMs: core.nowMs() } : undefined, core.nowMs());
          outcome = stored;
        }
      } else {
        await wait();
        outcome = await execute(emuReq, match.route.handler, match.route.params);
      }
    } catch (err) {
      if (err instanceof ClientGoneError) {
        // Nobody is left to answer (the client hung up, or close() cut the connection).
        log(core, method, path, 'closed by the client before its body arrived', started, requestId);
        return;
      }
      outcome = errorOutcome(err, core, requestId, path.startsWith('/v2/'));
    }

    await wait();
    // With --state, nothing is answered (or dropped "after commit") before its changes are on disk.
    const durable = core.durable();
    if (durable) {
      try {
        await durable;
      } catch (err) {
        outcome = { status: 500, body: JSON.stringify({ error: { type: 'api_error', message: `The emulator could not save this change to its --state file (${(err as Error).message}); it is not durable.` } }) };
      }
    }
    if (fault === 'drop-after-commit') {
      dropConnection(req, res);
      log(core, method, path, `dropped after running (${outcome.status})`, started, requestId);
      return;
    }
    if (record && outcome.status < 300 && (outcome.contentType ?? 'application/json').startsWith('application/json')) record(`${method} ${path} ${requestId}`, expand, outcome.body);
    res.writeHead(outcome.status, { ...headers, ...outcome.headers, 'Content-Type': outcome.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(outcome.body) });
    res.end(outcome.body);
    log(core, method, path, String(outcome.status), started, requestId);
  };

  return (req, res) => {
    handle(req, res).catch((err) => {
      // Only reachable if writing the response itself failed; nothing more to tell the client.
      core.options.log(`emulator: failed to answer ${req.method} ${req.url}: ${(err as Error).message}`);
      res.destroy();
    });
  };
}

async function execute(req: EmuRequest, handler: (req: EmuRequest) => unknown, allowed: readonly string[] | undefined, idempotencyKey?: string): Promise<Outcome> {
  if (allowed) checkParams(req.body, allowed);
  let result = req.core.withRequest({ id: req.requestId, idempotency_key: idempotencyKey ?? null }, () => handler(req));
  if (result instanceof Promise) result = await result;
  if (result instanceof RawResponse) return { status: result.status, body: result.body, contentType: result.contentType, headers: result.headers };
  const expanded = req.body.expand === undefined ? result : applyExpansions(result, req.body.expand, req.core);
  return { status: 200, body: JSON.stringify(omitIncludable(expanded, req.body.expand)) };
}

function errorOutcome(err: unknown, core: EmulatorCore, requestId: string, isV2: boolean): Outcome {
  if (err instanceof StripeHttpError) {
    // ⚠ v2 errors have their own shape, without the v1 links.
    const body: { error: StripeErrorBody } = { error: isV2 ? err.body : withLinks(err, core, requestId) };
    return { status: err.status, body: JSON.stringify(body), headers: err.headers };
  }
  const e = err as Error;
  core.options.log(`emulator: internal error in ${requestId}: ${e?.stack ?? String(err)}`);
  return { status: 500, body: JSON.stringify({ error: { type: 'api_error', message: `Internal emulator error: ${e?.message ?? String(err)}` } }) };
}

/**
 * Stripe links a coded error to its page (`doc_url`) and, once the request reached an account (not
 * a 401), to the request's page in the Dashboard's log (`request_log_url`).
 */
function withLinks(err: StripeHttpError, core: EmulatorCore, requestId: string): StripeErrorBody {
  const body = { ...err.body };
  if (body.code && body.doc_url === undefined) body.doc_url = docUrlOf(body.code);
  if (err.status !== 401 && body.request_log_url === undefined) body.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}?t=${core.now()}`;
  return body;
}

function parseBody(method: string, isV2: boolean, raw: string, query: string): Record<string, any> {
  if (method === 'GET' || method === 'DELETE') {
    const fromQuery = query ? (qs.parse(query, QS_OPTIONS) as Record<string, any>) : {};
    if (!raw) return fromQuery;
    return { ...parseBody('POST', isV2, raw, ''), ...fromQuery };
  }
  if (!raw) return {};
  if (isV2) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      throw invalid(undefined, `Invalid JSON body: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(undefined, 'The request body must be a JSON object.');
    return parsed as Record<string, any>;
  }
  return qs.parse(raw, QS_OPTIONS) as Record<string, any>;
}

/** Far above any Stripe request (a 100-event stream batch is ~15 KB); protects the emulator's memory. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new StripeHttpError(413, { type: 'invalid_request_error', message: `Request body larger than ${MAX_BODY_BYTES / 1024 / 1024} MB.` }));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => reject(new ClientGoneError()));
    req.on('close', () => {
      if (!req.complete) reject(new ClientGoneError());
    });
  });
}

/** The connection closed while the request's body was still being read. */
class ClientGoneError extends Error {}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Resets the connection (TCP RST) rather than closing it: a reset is what a dropped connection
 * looks like on the wire and every client fails the request on it at once, whereas a graceful close
 * can leave a client (or a proxy between) waiting for an answer until its own timeout.
 */
function dropConnection(req: IncomingMessage, res: ServerResponse): void {
  const socket = res.socket ?? req.socket;
  if (!socket.destroyed) socket.resetAndDestroy();
}

function delay(ms: number): Promise<void> | void {
  // Unreferenced: a closed emulator (a test's) does not stay alive for a response nobody awaits.
  if (ms > 0) return sleep(ms, undefined, { ref: false });
}

function log(core: EmulatorCore, method: string, path: string, status: string, started: number, requestId: string): void {
  if (core.options.quiet) return;
  // Path only: query strings can carry customer emails; never headers (they carry the key).
  core.options.log(`${method} ${path} ${status} ${(performance.now() - started).toFixed(1)}ms ${requestId}`);
}

/**
 * POSTs to Stripe's v2 meter event stream with a JSON body the caller already built, over a
 * keep-alive connection pool of node:http(s), bypassing the SDK's request path for this one
 * endpoint. Why: `usage ingest` sends 10,000 such requests per million events, and profiling showed
 * the SDK's generic path (JSON.stringify with a replacer over every event, request-event bookkeeping,
 * a new object per event for coercion) costing more CPU than reading and checking the events
 * themselves (BENCHMARKS.md). Everything else (sessions, other endpoints) stays on the SDK.
 *
 * The host, port, protocol, API version and timeout are the SDK client's own (so an emulator base
 * or `meter-events.stripe.com` is used exactly as the SDK would), and failures become the SDK's own
 * error classes, built by the SDK's `generateV2Error` from Stripe's answer, so callers classify and
 * report them exactly as before (a `TemporarySessionExpiredError`, a `StripeConnectionError`, ...).
 */
import http from 'node:http';
import https from 'node:https';
import { VERSION } from '../cli/version.js';
import type { StripeClient } from './client.js';

export const METER_EVENT_STREAM_PATH = '/v2/billing/meter_event_stream';

/** What the SDK exposes at run time but not in its types. */
interface SdkInternals {
  getApiField(key: 'port' | 'protocol' | 'version' | 'timeout'): unknown;
  resolveBaseAddress(apiBase: 'meter_events'): string;
  errors: {
    generateV2Error(raw: Record<string, unknown>): Error;
    StripeAPIError: new (raw: Record<string, unknown>) => Error;
    StripeConnectionError: new (raw: Record<string, unknown>) => Error;
  };
}

export interface MeterEventStreamPoster {
  /** Resolves on a 2xx; rejects with the SDK's error for Stripe's answer or a dropped connection. */
  post(body: string, token: string): Promise<void>;
  /** Closes the idle keep-alive connections. */
  close(): void;
}

export function meterEventStreamPoster(stripe: StripeClient, connections: number): MeterEventStreamPoster {
  const sdk = stripe as unknown as SdkInternals;
  const secure = sdk.getApiField('protocol') !== 'http';
  const client = secure ? https : http;
  const agent = new client.Agent({ keepAlive: true, maxSockets: Math.max(1, connections) });
  const host = sdk.resolveBaseAddress('meter_events');
  const port = Number(sdk.getApiField('port')) || (secure ? 443 : 80);
  const timeoutMs = Number(sdk.getApiField('timeout')) || 80_000;
  const base = {
    'Content-Type': 'application/json',
    'Stripe-Version': String(sdk.getApiField('version')),
    'User-Agent': `alpaca-billing/${VERSION}`,
  };
  const connectionError = (err: Error) => Object.assign(
    new sdk.errors.StripeConnectionError({ message: `An error occurred with our connection to Stripe: ${err.message}`, detail: err }),
    { code: (err as NodeJS.ErrnoException).code },
  );

  const post = (body: string, token: string) => new Promise<void>((resolve, reject) => {
    const req = client.request({
      host, port, method: 'POST', path: METER_EVENT_STREAM_PATH, agent, timeout: timeoutMs,
      headers: { ...base, Authorization: `Bearer ${token}`, 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => { if (status >= 300) chunks.push(c); });
      res.on('error', (err) => reject(connectionError(err)));
      res.on('close', () => { if (!res.complete) reject(connectionError(new Error('the connection closed before the answer was complete'))); });
      res.on('end', () => {
        if (status >= 200 && status < 300) return resolve();
        const requestId = res.headers['request-id'];
        let answer: { error?: Record<string, unknown> } | undefined;
        try {
          answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof answer;
        } catch {
          // not JSON: answered below like the SDK does
        }
        reject(answer?.error && typeof answer.error === 'object'
          ? sdk.errors.generateV2Error({ ...answer.error, statusCode: status, headers: res.headers, requestId })
          : new sdk.errors.StripeAPIError({ message: 'Invalid JSON received from the Stripe API', statusCode: status, requestId }));
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => reject(connectionError(err)));
    req.end(body);
  });

  return { post, close: () => agent.destroy() };
}

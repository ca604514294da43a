/**
 * POSTs to Stripe's v2 meter event stream with a JSON body the caller already built, over a
 * keep-alive pool of plain HTTP/1.1 connections (`http1-pool.ts`), bypassing the SDK's request path
 * for this one endpoint. Why: `usage ingest` sends 10,000 such requests per million events, and profiling showed
 * the SDK's generic path (JSON.stringify with a replacer over every event, request-event bookkeeping,
 * a new object per event for coercion) costing more CPU than reading and checking the events
 * themselves (BENCHMARKS.md); node:http itself then cost about 150 µs of CPU per request (1.5 µs per
 * event), the pool about 80. Everything else (sessions, other endpoints) stays on the SDK.
 *
 * The host, port, protocol, API version and timeout are the SDK client's own (so an emulator base
 * or `meter-events.stripe.com` is used exactly as the SDK would), and failures become the SDK's own
 * error classes, built by the SDK's `generateV2Error` from Stripe's answer, so callers classify and
 * report them exactly as before (a `TemporarySessionExpiredError`, a `StripeConnectionError`, ...).
 */
import net from 'node:net';
import { VERSION } from '../cli/version.js';
import type { StripeClient } from './client.js';
import { Http1Pool, type Http1Response } from './http1-pool.js';

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

/**
 * JSON text in which every character is ASCII (non-ASCII ones are written as \u escapes, which mean
 * the same to any JSON reader). Its length is its size in bytes, so it is sent as Latin-1, a plain
 * copy, without measuring and encoding it as UTF-8 (BENCHMARKS.md, "usage ingest").
 */
export type AsciiJson = string & { readonly asciiJson: true };

const NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII_ALL = /[\u0080-\uffff]/g;

/** `JSON.stringify(value)` as ASCII (for a value JSON can write: not undefined, a function or a symbol). */
export function asciiJson(value: unknown): AsciiJson {
  const json = JSON.stringify(value);
  return (NON_ASCII.test(json) ? json.replace(NON_ASCII_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json) as AsciiJson;
}

export interface MeterEventStreamPoster {
  /** Resolves on a 2xx; rejects with the SDK's error for Stripe's answer or a dropped connection. */
  post(body: AsciiJson, token: string): Promise<void>;
  /** Closes the idle keep-alive connections. */
  close(): void;
}

export function meterEventStreamPoster(stripe: StripeClient, connections: number): MeterEventStreamPoster {
  const sdk = stripe as unknown as SdkInternals;
  const secure = sdk.getApiField('protocol') !== 'http';
  const host = sdk.resolveBaseAddress('meter_events');
  const port = Number(sdk.getApiField('port')) || (secure ? 443 : 80);
  const timeoutMs = Number(sdk.getApiField('timeout')) || 80_000;
  // Constant for the life of the poster: written once, not validated and assembled per request as node:http does.
  const hostName = net.isIPv6(host) ? `[${host}]` : host;
  const head = `POST ${METER_EVENT_STREAM_PATH} HTTP/1.1\r\nHost: ${port === (secure ? 443 : 80) ? hostName : `${hostName}:${port}`}\r\n`
    + `Content-Type: application/json\r\nStripe-Version: ${String(sdk.getApiField('version'))}\r\nUser-Agent: alpaca-billing/${VERSION}\r\n`
    + 'Connection: keep-alive\r\nAuthorization: Bearer ';
  // The pool writes requests as Latin-1: the head must be ASCII like the body (a host is punycode).
  if (NON_ASCII.test(head)) throw new Error(`the meter event stream's address holds characters an HTTP head cannot carry: ${host}`);
  const connectionError = (err: Error) => Object.assign(
    new sdk.errors.StripeConnectionError({ message: `An error occurred with our connection to Stripe: ${err.message}`, detail: err }),
    { code: (err as NodeJS.ErrnoException).code },
  );
  const answerError = (res: Http1Response) => {
    const requestId = res.headers['request-id'];
    let answer: { error?: Record<string, unknown> } | undefined;
    try {
      answer = JSON.parse(res.body.toString('utf8')) as typeof answer;
    } catch {
      // not JSON: answered below like the SDK does
    }
    return answer?.error && typeof answer.error === 'object'
      ? sdk.errors.generateV2Error({ ...answer.error, statusCode: res.status, headers: res.headers, requestId })
      : new sdk.errors.StripeAPIError({ message: 'Invalid JSON received from the Stripe API', statusCode: res.status, requestId });
  };
  const pool = new Http1Pool({ host, port, secure, timeoutMs, connections: Math.max(1, connections) });
  let checkedToken = '';
  return {
    post: async (body, token) => {
      // Written into the head as is: a token is visible ASCII, never a line break (checked once per session).
      if (token !== checkedToken) {
        if (!/^[\x21-\x7e]+$/.test(token)) throw new Error('the meter event session token holds characters a header cannot carry');
        checkedToken = token;
      }
      let res: Http1Response;
      try {
        res = await pool.request(`${head}${token}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      } catch (err) {
        throw connectionError(err as Error);
      }
      if (res.status < 200 || res.status >= 300) throw answerError(res);
    },
    close: () => pool.close(),
  };
}

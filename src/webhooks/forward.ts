/**
 * Passes a verified delivery on to the application's own endpoint byte for byte, with Stripe's
 * headers, so the application's own signature check still passes.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface ForwardResult {
  url: string;
  /** The application's HTTP status; absent when it could not be reached. */
  status?: number;
  error?: string;
  ms: number;
}

/** Per-connection headers that describe our hop, not the delivery (RFC 9110 §7.6.1), plus ones fetch sets itself. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length', 'expect']);

export function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_FORWARDED.has(name.toLowerCase())) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export async function forwardDelivery(url: string, body: Buffer, headers: IncomingHttpHeaders, timeoutMs = 10_000): Promise<ForwardResult> {
  const started = Date.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: forwardedHeaders(headers),
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection is released; its content is the application's business.
    await response.arrayBuffer().catch(() => undefined);
    return { url, status: response.status, ms: Date.now() - started };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
    return { url, error, ms: Date.now() - started };
  }
}

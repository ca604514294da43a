/**
 * The local webhook receiver. Every delivery is verified before anything else happens to it; a
 * delivery that fails gets 400 and a logged reason, and no request, however malformed, can take
 * the server down. Verified deliveries are handed to `onDelivery` and optionally forwarded; the
 * answer to Stripe is then the application's status, so Stripe's retries keep working end to end.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VerifiedDelivery, WebhookVerifier } from '../stripe/webhooks.js';
import { WebhookRejection } from '../stripe/webhooks.js';
import { forwardDelivery, type ForwardResult } from './forward.js';

export interface RequestInfo {
  method: string;
  path: string;
  remote: string;
}

export interface WebhookServerOptions {
  host: string;
  port: number;
  verify: WebhookVerifier;
  forwardTo?: string;
  /** Stripe's payloads stay far below this; anything bigger is not a Stripe delivery. */
  maxBodyBytes?: number;
  onDelivery(delivery: VerifiedDelivery, info: RequestInfo): void | Promise<void>;
  onReject(reason: string, info: RequestInfo): void;
  onForward?(result: ForwardResult, delivery: VerifiedDelivery): void;
}

export interface RunningWebhookServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function deliveryId(delivery: VerifiedDelivery): string {
  return delivery.kind === 'snapshot' ? delivery.event.id : delivery.notification.id;
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<RunningWebhookServer> {
  const limit = options.maxBodyBytes ?? 1024 * 1024;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const info: RequestInfo = { method: req.method ?? '?', path: req.url ?? '/', remote: req.socket.remoteAddress ?? '?' };
    if (req.method !== 'POST') {
      reply(res, 405, { error: 'webhook deliveries are POST requests' }, { allow: 'POST' });
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      const reason = err instanceof BodyTooLarge ? `body larger than ${limit} bytes` : 'request body could not be read';
      options.onReject(reason, info);
      reply(res, err instanceof BodyTooLarge ? 413 : 400, { error: reason }, { connection: 'close' });
      return;
    }
    const header = req.headers['stripe-signature'];
    let delivery: VerifiedDelivery;
    try {
      delivery = options.verify(body, Array.isArray(header) ? header.join(',') : header);
    } catch (err) {
      const reason = err instanceof WebhookRejection ? err.reason : `verification failed: ${(err as Error)?.message ?? String(err)}`;
      options.onReject(reason, info);
      reply(res, 400, { error: reason });
      return;
    }
    try {
      await options.onDelivery(delivery, info);
    } catch {
      // Printing is best effort; the delivery itself was fine and Stripe should not retry it.
    }
    if (!options.forwardTo) {
      reply(res, 200, { received: true, id: deliveryId(delivery) });
      return;
    }
    const result = await forwardDelivery(options.forwardTo, body, req.headers);
    options.onForward?.(result, delivery);
    if (result.status === undefined) reply(res, 502, { error: `forwarding to ${options.forwardTo} failed: ${result.error}` });
    else reply(res, result.status, { received: true, id: deliveryId(delivery), forwarded_status: result.status });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      // Last line of defence: a bug here must cost one request, not the receiver.
      options.onReject(`internal error: ${(err as Error)?.message ?? String(err)}`, { method: req.method ?? '?', path: req.url ?? '/', remote: req.socket.remoteAddress ?? '?' });
      reply(res, 500, { error: 'internal error' });
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// The stream's own HTTP/1.1 client (src/stripe/http1-pool.ts): answers must be framed exactly
// however the bytes arrive, since a misframed answer would be read as another request's outcome.
// Stripe's behaviour itself is covered against the emulator (stream-sender.test.ts, resilience.test.ts).
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Http1Pool, Http1ResponseParser, type Http1Response } from '../../../src/stripe/http1-pool.js';

/** Feeds `text` to a new parser in pieces cut at `cuts`, collecting the answers. */
function feedInPieces(text: string, cuts: number[]): { answers: Http1Response[]; parser: Http1ResponseParser } {
  const parser = new Http1ResponseParser();
  const bytes = Buffer.from(text, 'utf8');
  const answers: Http1Response[] = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    const res = parser.feed(bytes.subarray(from, at));
    if (res) answers.push(res);
    from = at;
  }
  return { answers, parser };
}

const everyCut = (text: string) => Array.from({ length: Buffer.byteLength(text) + 1 }, (_, i) => [i]);

describe('Http1ResponseParser', () => {
  const sized = 'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nRequest-Id: req_1\r\nContent-Length: 27\r\n\r\n{"error":{"type":"invalid"}';
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n3;ext=1\r\n1}\n\r\n0\r\nX-Trailer: t\r\n\r\n';

  it.each(everyCut(sized))('reads an answer framed by Content-Length, cut at byte %i', (cut) => {
    const { answers } = feedInPieces(sized, [cut]);
    expect(answers).toHaveLength(1);
    expect(answers[0].status).toBe(400);
    expect(answers[0].headers['request-id']).toBe('req_1');
    expect(answers[0].body.toString()).toBe('{"error":{"type":"invalid"}');
  });

  it.each(everyCut(chunked))('reads a chunked answer with an extension and trailers, cut at byte %i', (cut) => {
    const { answers, parser } = feedInPieces(chunked, [cut]);
    expect(answers.map((a) => [a.status, a.body.toString()])).toEqual([[200, '{"a":1}\n']]);
    expect(parser.started).toBe(false);
  });

  it('reads answers one after another on a kept-alive connection, skipping an interim 100', () => {
    const two = `HTTP/1.1 100 Continue\r\n\r\n${sized}HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n`;
    const parser = new Http1ResponseParser();
    const first = parser.feed(Buffer.from(two));
    expect(first?.status).toBe(400);
    expect(parser.closeAfter).toBe(false);
    expect(parser.feed(Buffer.alloc(0))).toMatchObject({ status: 202 });
  });

  it('reads an answer without a length to the end of the connection, and marks the connection to close', () => {
    const parser = new Http1ResponseParser();
    expect(parser.feed(Buffer.from('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\nupstream '))).toBeUndefined();
    expect(parser.feed(Buffer.from('failed'))).toBeUndefined();
    const res = parser.end();
    expect([res?.status, res?.body.toString(), parser.closeAfter]).toEqual([502, 'upstream failed', true]);
  });

  it('says an answer cut short by a closed connection is incomplete', () => {
    const parser = new Http1ResponseParser();
    parser.feed(Buffer.from(sized.slice(0, -3)));
    expect(parser.started).toBe(true);
    expect(parser.end()).toBeUndefined();
  });

  it.each([
    ['a status line that is not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a malformed Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['a malformed chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => new Http1ResponseParser().feed(Buffer.from(text))).toThrow();
  });
});

describe('Http1Pool over TLS (as to api.stripe.com)', () => {
  it('verifies the server certificate, keeps one connection alive across requests, and refuses a certificate it does not trust', async () => {
    // A self-signed certificate for localhost, made by Debian's openssl.
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    const sockets = new Set<unknown>();
    const server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      sockets.add(req.socket);
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => res.end(JSON.stringify({ echo: body, path: req.url })));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const request = (body: string) => `POST /v2/billing/meter_event_stream HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    try {
      const pool = new Http1Pool({ host: 'localhost', port, secure: true, timeoutMs: 5000, connections: 2, ca: cert });
      const first = await pool.request(request('{"n":1}'));
      const second = await pool.request(request('{"n":2}'));
      pool.close();
      expect([first.status, JSON.parse(first.body.toString()), JSON.parse(second.body.toString())]).toEqual([200, { echo: '{"n":1}', path: '/v2/billing/meter_event_stream' }, { echo: '{"n":2}', path: '/v2/billing/meter_event_stream' }]);
      expect(sockets.size).toBe(1);

      const untrusting = new Http1Pool({ host: 'localhost', port, secure: true, timeoutMs: 5000, connections: 1 });
      await expect(untrusting.request(request('{}'))).rejects.toThrow(/self-signed certificate/);
      untrusting.close();
    } finally {
      server.close();
    }
  });
});

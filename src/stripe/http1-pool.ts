/**
 * A minimal HTTP/1.1 client for one kind of traffic: requests written whole by the caller (head and
 * body as one ASCII string, written as Latin-1: a copy, no UTF-8 encoding), sent over up to
 * `connections` keep-alive sockets (TLS or plain), one request at a time per socket, answers
 * framed by Content-Length or chunked encoding. Why not node:http: `usage ingest` sends 10,000
 * requests per million events, and node:http's per-request machinery (a ClientRequest and
 * IncomingMessage with their listeners, header validation, the agent's bookkeeping) cost about
 * 150 µs of CPU each on our 2-core machine, against about 80 here (BENCHMARKS.md, "usage
 * ingest"); undici's Pool measured no better than node:http.
 *
 * Not a general client: no redirects, no proxies, no request streaming, no pipelining. A socket that
 * fails or times out mid-request rejects that request (the caller retries); an idle socket the
 * server closed is dropped from the pool, and one closed between our write and its answer fails
 * the request like any dropped connection.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface Http1PoolOptions {
  host: string;
  port: number;
  secure: boolean;
  /** A request without an answer this long fails with ETIMEDOUT; an idle socket is closed after it. */
  timeoutMs: number;
  connections: number;
  /** Certificates to trust besides Node's own (tests; users add theirs with NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer;
}

export interface Http1Response {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
}

interface Pending {
  resolve(res: Http1Response): void;
  reject(err: Error): void;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** Incremental parser of one answer at a time: `feed` bytes, get the answer once it is complete. */
export class Http1ResponseParser {
  private buffered: Buffer | undefined;
  private status = 0;
  private headers: Record<string, string> = {};
  /** Bytes of body still expected (Content-Length), -1 for chunked, -2 until the connection closes, undefined before the head. */
  private remaining: number | undefined;
  private chunks: Buffer[] = [];
  /** The answer asked to close the connection after it. */
  closeAfter = false;

  /** Returns the answer once complete; throws on bytes that are not HTTP/1.1. */
  feed(data: Buffer): Http1Response | undefined {
    this.buffered = this.buffered?.length ? Buffer.concat([this.buffered, data]) : data;
    for (;;) {
      if (this.remaining === undefined && !this.readHead()) return undefined;
      if (this.remaining === -2) {
        this.chunks.push(this.take(this.buffered.length));
        return undefined;
      }
      if (this.remaining! >= 0) {
        const n = Math.min(this.remaining!, this.buffered.length);
        if (n > 0) this.chunks.push(this.take(n));
        this.remaining! -= n;
        if (this.remaining! > 0) return undefined;
        return this.complete();
      }
      // Chunked: a hex size line, that many bytes, CRLF; size 0 then trailers up to an empty line.
      const eol = this.buffered.indexOf(CRLF);
      if (eol < 0) return undefined;
      const size = parseInt(this.buffered.toString('latin1', 0, eol).split(';')[0].trim(), 16);
      if (!Number.isFinite(size) || size < 0) throw new Error('malformed chunked answer');
      if (size === 0) {
        // The size line's CRLF, then either CRLF at once or trailer lines and an empty line.
        const end = this.buffered.indexOf(HEAD_END, eol);
        if (end < 0) return undefined;
        this.take(end + 4);
        return this.complete();
      }
      if (this.buffered.length < eol + 2 + size + 2) return undefined;
      this.take(eol + 2);
      this.chunks.push(this.take(size));
      this.take(2);
    }
  }

  /** The connection closed: completes an answer delimited by the close, else undefined (the answer was cut). */
  end(): Http1Response | undefined {
    return this.remaining === -2 ? this.complete() : undefined;
  }

  /** Whether an answer has begun (bytes received since the last complete one). */
  get started(): boolean {
    return this.remaining !== undefined || Boolean(this.buffered?.length);
  }

  private readHead(): boolean {
    const buf = this.buffered!;
    const end = buf.indexOf(HEAD_END);
    if (end < 0) {
      if (buf.length > 65_536) throw new Error('answer head too large');
      return false;
    }
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    this.take(end + 4);
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!m) throw new Error(`not an HTTP/1.1 answer: ${JSON.stringify(lines[0].slice(0, 40))}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
    }
    if (status < 200) return this.buffered!.length > 0 && this.readHead(); // 1xx: an interim answer, the real one follows
    this.status = status;
    this.headers = headers;
    this.closeAfter = /\bclose\b/i.test(headers.connection ?? '') || lines[0].startsWith('HTTP/1.0');
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) this.remaining = -1;
    else if (headers['content-length'] !== undefined) {
      this.remaining = Number(headers['content-length']);
      if (!Number.isSafeInteger(this.remaining) || this.remaining < 0) throw new Error('malformed Content-Length');
    } else if (status === 204 || status === 304) this.remaining = 0;
    else {
      this.remaining = -2;
      this.closeAfter = true;
    }
    return true;
  }

  private take(n: number): Buffer {
    const part = this.buffered!.subarray(0, n);
    this.buffered = this.buffered!.subarray(n);
    return part;
  }

  private complete(): Http1Response {
    const res = { status: this.status, headers: this.headers, body: this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks) };
    this.remaining = undefined;
    this.chunks = [];
    this.headers = {};
    return res;
  }
}

/** One socket, one request at a time. */
class Connection {
  readonly socket: net.Socket;
  private readonly parser = new Http1ResponseParser();
  private pending: Pending | undefined;
  closed = false;

  constructor(options: Http1PoolOptions, private readonly onIdle: (c: Connection) => void, private readonly onClose: (c: Connection) => void) {
    this.socket = options.secure
      ? tls.connect({ host: options.host, port: options.port, servername: net.isIP(options.host) ? undefined : options.host, ALPNProtocols: ['http/1.1'], ...(options.ca ? { ca: options.ca } : {}) })
      : net.connect({ host: options.host, port: options.port });
    this.socket.setNoDelay(true);
    this.socket.setTimeout(options.timeoutMs);
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('timeout', () => this.fail(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      const res = this.pending ? this.parser.end() : undefined;
      if (res) this.answer(res);
      this.fail(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
    });
  }

  send(request: string, pending: Pending): void {
    this.pending = pending;
    this.socket.ref();
    this.socket.write(request, 'latin1');
  }

  private onData(data: Buffer): void {
    let res: Http1Response | undefined;
    try {
      res = this.parser.feed(data);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (!res) return;
    if (!this.pending || this.parser.started) {
      this.fail(new Error('the server answered more than was asked'));
      return;
    }
    this.answer(res);
  }

  private answer(res: Http1Response): void {
    const pending = this.pending!;
    this.pending = undefined;
    if (this.parser.closeAfter) this.close();
    else {
      // Idle sockets must not keep the process alive (as node:http's agent does).
      this.socket.unref();
      this.onIdle(this);
    }
    pending.resolve(res);
  }

  private fail(err: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    this.close();
    pending?.reject(err);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onClose(this);
  }
}

export class Http1Pool {
  private readonly all = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private readonly waiting: { request: string; pending: Pending }[] = [];
  private closed = false;

  constructor(private readonly options: Http1PoolOptions) {}

  /**
   * Sends a whole request (head and body, ASCII: each character is written as one byte) and
   * resolves with the answer; rejects on a connection failure.
   */
  request(request: string): Promise<Http1Response> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the connection pool is closed'));
      const pending = { resolve, reject };
      const connection = this.idle.pop() ?? (this.all.size < this.options.connections ? this.open() : undefined);
      if (connection) connection.send(request, pending);
      else this.waiting.push({ request, pending });
    });
  }

  close(): void {
    this.closed = true;
    for (const c of [...this.all]) c.close();
    for (const w of this.waiting.splice(0)) w.pending.reject(new Error('the connection pool is closed'));
  }

  private open(): Connection {
    const connection = new Connection(this.options, (c) => this.release(c), (c) => this.forget(c));
    this.all.add(connection);
    return connection;
  }

  private release(connection: Connection): void {
    const next = this.waiting.shift();
    if (next) connection.send(next.request, next.pending);
    else this.idle.push(connection);
  }

  private forget(connection: Connection): void {
    this.all.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    // A request waiting for a socket gets a new one in its place.
    if (this.waiting.length && !this.closed && this.all.size < this.options.connections) {
      const next = this.waiting.shift()!;
      this.open().send(next.request, next.pending);
    }
  }
}

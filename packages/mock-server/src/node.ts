import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, ERROR_TYPES, MAX_REQUEST_BYTES } from '@threadline/protocol';
import type { MockServerConfig } from './config';
import { adapterFailureBody, clientErrorAnswer, clientErrorResponse } from './internal/client-error';
import type { OutboundResponse } from './internal/wire';
import { inboundFrom } from './node-inbound';
import { batchingSink } from './node-sink';
import { responsesUpgradeHandler } from './node-websocket';
import { createMockServer, type MockServer } from './server';
import { FramePump } from './stream/pump';

/** How long the rest of an over-limit body is read and discarded before the socket is closed anyway. */
const LINGER_MS = 5_000;

/**
 * Answers while the request body is still arriving (a 413, or an error before the body was read).
 * The whole answer is written at once; with `connection: close` the rest of the body is then read and
 * discarded before the response ends, so the client gets the answer instead of a connection reset.
 */
function sendBeforeBody(req: IncomingMessage, res: ServerResponse, out: OutboundResponse, payload: Buffer) {
  res.writeHead(out.status, { ...out.headers, 'content-length': String(payload.byteLength) });
  req.resume();
  // Node closes the connection after this answer when either side asked to: the rest of the body is
  // then read first, as a close with upload bytes unread resets the connection, and a client that had
  // not read the answer yet loses it.
  if (expectRejected.has(req) || (out.headers.connection !== 'close' && res.shouldKeepAlive)) {
    res.end(payload);
    return;
  }
  res.write(payload);
  const finish = () => {
    clearTimeout(timer);
    req.off('end', finish);
    req.off('close', finish);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(() => {
    finish();
    res.destroy();
  }, LINGER_MS);
  timer.unref();
  req.once('end', finish);
  req.once('close', finish);
}

function send(req: IncomingMessage, res: ServerResponse, out: OutboundResponse, work?: InFlight): void {
  const body = out.body;
  if (body instanceof FramePump) {
    if (work?.closing) {
      // The server is stopping: this stream would outlive its stores. End it the way a dropped one ends.
      body.cancel();
      res.destroy();
      return;
    }
    res.writeHead(out.status, out.headers);
    res.on('drain', () => body.resume());
    res.on('close', () => body.cancel());
    body.attach(batchingSink(res));
    return;
  }
  if (!req.complete) {
    sendBeforeBody(req, res, out, toBuffer(body));
    return;
  }
  // Text goes to end() as a string: node then sends head and body in one write, where a Buffer body
  // costs a second buffer in a writev.
  // A HEAD answer arrives without its body but with GET's content-length, which stays.
  if (body !== null || req.method !== 'HEAD' || out.headers['content-length'] === undefined) {
    out.headers['content-length'] = String(
      body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    );
  }
  res.writeHead(out.status, out.headers);
  res.end(body ?? undefined);
}

function toBuffer(body: string | Uint8Array | null): Buffer {
  if (body === null) return EMPTY;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

const EMPTY = Buffer.alloc(0);
/** Requests whose `Expect: 100-continue` we refused: their body never comes. */
const expectRejected = new WeakSet<IncomingMessage>();

/** What a listening server is still answering, so that closing it lets those runs end first. */
interface InFlight {
  /** Requests whose answer is not sent yet. */
  requests: Set<Promise<void>>;
  closing: boolean;
}

/** A node:http request listener serving a mock server (to mount on a server of your own). */
export function createNodeListener(server: MockServer): (req: IncomingMessage, res: ServerResponse) => void {
  return listenerFor(server);
}

function listenerFor(
  server: MockServer,
  work?: InFlight,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const answered = server
      .handle(inboundFrom(req, res))
      .then((out) => send(req, res, out, work))
      .catch((error: unknown) => {
        // The core maps every error to a response; reaching here means the adapter itself failed.
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(adapterFailureBody(error));
      });
    if (!work) return;
    work.requests.add(answered);
    answered.finally(() => work.requests.delete(answered));
  };
}

/**
 * Node could not parse a request (or it timed out): answer with a JSON error body instead of node's bare
 * status line, when nothing of another answer went out on this connection yet, then close it. Bytes still
 * arriving are read and dropped meanwhile, so the close does not reset the answer away.
 */
/** Connections already given their parse-error answer. */
const clientErrorAnswered = new WeakSet<Duplex>();

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A response of this connection is under way: raw bytes would corrupt it.
  const responding = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || responding?.headersSent) {
    socket.destroy();
    return;
  }
  // Answer, then read and drop what is still arriving until it stops (or LINGER_MS passes) before
  // closing: closing with upload bytes unread resets the connection, and the reset can overtake the
  // answer. The http parser held the socket's reads, so they are resumed here.
  // Node may report the same broken connection again while its rest is drained: one answer only.
  if (clientErrorAnswered.has(socket)) return;
  clientErrorAnswered.add(socket);
  socket.write(clientErrorResponse(clientErrorAnswer(error.code)));
  socket.on('error', () => {});
  let quiet = setTimeout(() => socket.end(), 50);
  socket.on('data', () => {
    clearTimeout(quiet);
    quiet = setTimeout(() => socket.end(), 50);
  });
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => {
    clearTimeout(timer);
    clearTimeout(quiet);
  });
}

/** A JSON error written by the adapter for a request the core never sees; the connection then closes. */
function refuseBeforeRoute(
  res: ServerResponse,
  status: number,
  code: string,
  param: string,
  message: string,
) {
  const body = JSON.stringify({ error: { message, type: ERROR_TYPES.invalidRequest, param, code } });
  res.shouldKeepAlive = false;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'access-control-allow-origin': '*',
    connection: 'close',
  });
  res.end(body);
}

/** How long closing waits for requests still being answered (a slow tool of the config's, say). */
const SETTLE_MS = 2_000;

/**
 * Stops a listening server: every connection closes (open streams end as cancelled runs). With a `db`
 * file, requests being answered finish first (up to SETTLE_MS), so their runs are recorded before it
 * closes.
 */
async function stopServing(httpServer: Server, work: InFlight | undefined): Promise<void> {
  if (work) work.closing = true;
  await new Promise<void>((done) => {
    httpServer.close(() => done());
    httpServer.closeAllConnections();
  });
  if (!work || work.requests.size === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled([...work.requests]),
    new Promise<void>((done) => {
      timer = setTimeout(done, SETTLE_MS);
    }),
  ]);
  clearTimeout(timer);
}

export interface RunningServer {
  /** The server root, e.g. `http://127.0.0.1:51234` (API under `/v1`, health at `/health`). */
  url: string;
  port: number;
  host: string;
  server: MockServer;
  httpServer: Server;
  /**
   * Stops listening and closes every connection, streams included (their runs end `cancelled`). From
   * `start()` it also closes the server (its `db` file); from `listen()` the server stays yours to close.
   */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export type StartOptions = MockServerConfig & ListenOptions;

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Serves an existing mock server over node:http (and `/v1/responses` over WebSocket). */
export async function listen(server: MockServer, options: ListenOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = await responsesUpgradeHandler(server);
  // Only a db file outlives the process and needs its runs recorded before it closes: an in-memory
  // server keeps the plain, untracked request path.
  const work: InFlight | undefined =
    server.config.input.db === undefined ? undefined : { requests: new Set(), closing: false };
  const listener = listenerFor(server, work);
  // Node's own answers (400 to a missing Host, 417 to an unknown Expect) have no body: these give the
  // protocol's error body instead.
  const httpServer = createServer(
    { requireHostHeader: false, shouldUpgradeCallback: sockets.wantsUpgrade },
    (req, res) => {
      if (req.httpVersion === '1.1' && req.headers.host === undefined) {
        refuseBeforeRoute(
          res,
          400,
          ERROR_CODES.invalidRequest,
          'host',
          'An HTTP/1.1 request needs a Host header.',
        );
        return;
      }
      listener(req, res);
    },
  );
  httpServer.on('checkExpectation', (_req, res) => {
    refuseBeforeRoute(
      res,
      417,
      ERROR_CODES.unsupportedValue,
      'expect',
      'Only "Expect: 100-continue" is supported.',
    );
  });
  httpServer.on('clientError', answerClientError);
  httpServer.on('upgrade', sockets.onUpgrade);
  // `Expect: 100-continue` with a declared body over the limit: answer 413 without inviting the body.
  httpServer.on('checkContinue', (req, res) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) expectRejected.add(req);
    else res.writeContinue();
    listener(req, res);
  });
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', reject);
      const { port } = httpServer.address() as AddressInfo;
      resolve({
        url: `http://${urlHost(host)}:${port}`,
        port,
        host,
        server,
        httpServer,
        close: async () => {
          // Upgraded sockets are no longer the HTTP server's connections: they are closed here.
          await sockets.close();
          await stopServing(httpServer, work);
        },
      });
    });
  });
}

/** Creates a mock server from `config` and serves it on `port` (0: a free one) and `host`. */
export async function start(options: StartOptions = {}): Promise<RunningServer> {
  const { port, host, ...config } = options;
  const server = createMockServer(config);
  const running = await listen(server, { port, host }).catch((error: unknown) => {
    server.close();
    throw error;
  });
  // start() made the server, so closing the port also releases what it holds (the db file).
  const closeHttp = running.close;
  running.close = async () => {
    await closeHttp();
    server.close();
  };
  return running;
}

import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, ERROR_TYPES, HEADERS, MAX_REQUEST_BYTES, parseErrorBody } from '@threadline/protocol';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { authenticate, resolveIdentity } from './auth/identity';
import { peekFaults } from './faults/apply';
import { HttpError, payloadTooLarge } from './internal/errors';
import type { InboundRequest, OutboundResponse } from './internal/wire';
import { ConnectionResponseCache } from './routes/responses/connection-cache';
import type { MockServer } from './server';
import { FramePump } from './stream/pump';

/** The one path that takes a WebSocket upgrade. */
export const RESPONSES_SOCKET_PATH = '/v1/responses';
/** The largest client message: the HTTP body limit (32 MiB). A bigger one closes the socket (1009). */
export const MAX_SOCKET_MESSAGE_BYTES = MAX_REQUEST_BYTES;
/** Messages waiting behind the running turn; one more closes the socket (1008) as abuse. */
export const MAX_QUEUED_MESSAGES = 16;
/** Frames sent but not yet written to the socket before the stream waits (backpressure). */
const MAX_UNWRITTEN_FRAMES = 64;
/** `stream_id`: 1 to 256 of these characters (a plain character class, no backtracking). */
const STREAM_ID = /^[A-Za-z0-9_.-]{1,256}$/;
/** HTTP-only fields: every socket turn streams, and runs in the foreground. */
const HTTP_ONLY_FIELDS = ['stream', 'stream_options', 'background'] as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A refused upgrade: a plain HTTP answer with the protocol's JSON error body, then the socket closes. */
function refuseUpgrade(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}) {
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.on('error', () => {});
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** The error fields of a socket `error` message, from any error body the core answered with. */
function errorOf(status: number, body: unknown): Record<string, unknown> {
  const info = parseErrorBody(body, status);
  return {
    type: info.type ?? (status >= 500 ? ERROR_TYPES.server : ERROR_TYPES.invalidRequest),
    code: info.code ?? (status >= 500 ? ERROR_CODES.serverError : ERROR_CODES.invalidValue),
    message: info.message,
    param: info.param,
  };
}

function badMessage(code: string, param: string | null, message: string): Record<string, unknown> {
  return { type: ERROR_TYPES.invalidRequest, code, message, param };
}

/**
 * Serves `/v1/responses` over WebSocket on a node:http server. Each `response.create` message becomes
 * the same POST the HTTP door takes (with `stream: true`) and goes through the server core, so the socket
 * carries exactly the SSE stream's events, one JSON text frame each. `ws` is loaded here only: the core
 * and the edge builds never import it.
 */
export async function responsesUpgradeHandler(server: MockServer): Promise<{
  wantsUpgrade: (req: IncomingMessage) => boolean;
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  close: () => Promise<void>;
}> {
  const { WebSocketServer: Server } = (await import('ws')) as unknown as {
    WebSocketServer: typeof WebSocketServer;
  };
  const sockets = new Server({ noServer: true, maxPayload: MAX_SOCKET_MESSAGE_BYTES });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const { config } = server.state;
    const errorBody = (error: HttpError) =>
      JSON.stringify(error.body(config.dialect.errorShape, config.dialect.modelNotFoundShape));
    // Reached only on a Node that sends every upgrade here (no shouldUpgradeCallback).
    if (!wantsUpgrade(req)) {
      const notFound = new HttpError({
        status: 404,
        code: ERROR_CODES.notFound,
        message: `No upgrade at ${path.slice(0, 200)}; WebSocket mode is served on ${RESPONSES_SOCKET_PATH}.`,
      });
      refuseUpgrade(socket, 404, errorBody(notFound));
      return;
    }
    const upgrade = upgradeRequest(req);
    try {
      // The same credentials and identity headers as the HTTP door, checked before the socket opens.
      const principal = authenticate(
        config,
        upgrade,
        peekFaults(config.faults, upgrade.header(HEADERS.fault)),
      );
      resolveIdentity(config, principal, upgrade, { user: null, requireAgent: false });
    } catch (error) {
      const http =
        error instanceof HttpError
          ? error
          : new HttpError({ status: 500, code: ERROR_CODES.serverError, message: String(error) });
      refuseUpgrade(socket, http.status, errorBody(http), http.headers ?? {});
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveConnection(server, ws, req));
  };
  // Resolves once every socket's close handler ran, so their turns are cancelled and recorded before
  // the server's stores (a db file) close.
  const close = async () => {
    const closing = [...sockets.clients].map(
      (ws) =>
        new Promise<void>((done) => (ws.readyState === ws.CLOSED ? done() : ws.once('close', () => done()))),
    );
    for (const ws of sockets.clients) ws.terminate();
    sockets.close();
    await Promise.all(closing);
  };
  return { wantsUpgrade, onUpgrade, close };
}

/**
 * Which upgrade requests are WebSocket mode's. Every other one (say `Upgrade: h2c` from `curl --http2`)
 * stays an ordinary HTTP request, as it is on a server without WebSocket mode (on a Node whose http server
 * has `shouldUpgradeCallback`; an older one sends every upgrade here, and those get a JSON 404).
 */
function wantsUpgrade(req: IncomingMessage): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return (
    req.headers.upgrade?.toLowerCase() === 'websocket' &&
    (q === -1 ? url : url.slice(0, q)) === RESPONSES_SOCKET_PATH
  );
}

/** The upgrade request as the core sees a request (for authentication; it has no body). */
function upgradeRequest(req: IncomingMessage): InboundRequest {
  const headers = req.headers;
  return {
    method: 'GET',
    path: RESPONSES_SOCKET_PATH,
    search: '',
    header: (name) => headerValue(headers[name]),
    headerEntries: function* () {
      for (const name in headers) {
        const value = headerValue(headers[name]);
        if (value !== null) yield [name, value] as [string, string];
      }
    },
    readBody: async () => new Uint8Array(0),
    signal: undefined,
  };
}

/** One connection: its messages are served one turn at a time, in the order they came. */
function serveConnection(server: MockServer, ws: WebSocket, req: IncomingMessage): void {
  const held = new ConnectionResponseCache();
  const queue: string[] = [];
  let running = false;
  let closed = false;
  let current: { abort: AbortController; pump: FramePump | null } | null = null;

  const send = (message: Record<string, unknown>) => {
    if (!closed) ws.send(JSON.stringify(message));
  };
  const sendError = (status: number, error: Record<string, unknown>, streamId?: string) =>
    send({ type: 'error', status, error, ...(streamId === undefined ? {} : { stream_id: streamId }) });

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      sendError(400, badMessage(ERROR_CODES.invalidValue, null, 'Messages are JSON text frames.'));
      return;
    }
    if (queue.length >= MAX_QUEUED_MESSAGES) {
      ws.close(1008, 'too many messages waiting');
      return;
    }
    queue.push(rawText(data));
    void drain();
  });
  ws.on('close', () => {
    closed = true;
    queue.length = 0;
    // Closing the socket cancels the running turn, as a dropped HTTP stream does.
    current?.abort.abort();
    current?.pump?.cancel();
  });
  ws.on('error', () => {});

  async function drain(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (!closed && queue.length > 0) {
        await serveMessage(queue.shift()!).catch((error: unknown) => {
          // The core maps every error to an answer; reaching here means this adapter failed.
          const message = `The WebSocket turn failed: ${error instanceof Error ? error.message : String(error)}`;
          sendError(500, { type: ERROR_TYPES.server, code: ERROR_CODES.serverError, message, param: null });
        });
      }
    } finally {
      running = false;
    }
  }

  async function serveMessage(text: string): Promise<void> {
    const checked = checkMessage(text);
    if ('error' in checked) {
      sendError(400, checked.error, checked.streamId);
      return;
    }
    const { body, streamId, previousId } = checked;
    const abort = new AbortController();
    current = { abort, pump: null };
    const evict = () => {
      if (previousId !== null) held.evict(previousId);
    };
    try {
      const out = await server.handle(turnRequest(req, body, abort.signal, held));
      if (out.status >= 400) {
        evict();
        sendError(out.status, errorOf(out.status, parseJson(bodyText(out.body))), streamId);
        return;
      }
      const failed = await relay(out, streamId, (pump) => {
        if (current) current.pump = pump;
      });
      if (failed) evict();
    } finally {
      current = null;
    }
  }

  /**
   * Sends every SSE frame of the answer as one text frame (its `data`, with `stream_id` echoed when the
   * message had one). Resolves when the stream is over; true when it ended failed.
   */
  function relay(
    out: OutboundResponse,
    streamId: string | undefined,
    onPump: (pump: FramePump) => void,
  ): Promise<boolean> {
    let failed = false;
    let pending = '';
    const forward = (bytes: Uint8Array, onSent?: () => void, onWritten?: () => void) => {
      pending += decoder.decode(bytes, { stream: true });
      for (let end = pending.indexOf('\n\n'); end !== -1; end = pending.indexOf('\n\n')) {
        const frame = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const event = sseField(frame, 'event');
        if (event === 'response.failed' || event === 'error') failed = true;
        const data = sseField(frame, 'data');
        if (data === null || closed) continue;
        onSent?.();
        ws.send(streamId === undefined ? data : withStreamId(data, streamId), onWritten);
      }
    };
    const body = out.body;
    if (!(body instanceof FramePump)) {
      if (body !== null) forward(typeof body === 'string' ? encoder.encode(body) : body);
      return Promise.resolve(failed);
    }
    if (closed) {
      // The socket closed while the turn was being decided: its stream is cancelled unsent.
      body.cancel();
      return Promise.resolve(failed);
    }
    onPump(body);
    return new Promise((resolve) => {
      let unwritten = 0;
      let waiting = false;
      const written = () => {
        unwritten--;
        if (waiting && unwritten === 0) {
          waiting = false;
          body.resume();
        }
      };
      const finish = () => resolve(failed);
      ws.once('close', finish);
      body.attach({
        write: (bytes) => {
          forward(bytes, () => unwritten++, written);
          waiting = unwritten >= MAX_UNWRITTEN_FRAMES;
          return !waiting;
        },
        end: () => {
          ws.off('close', finish);
          finish();
        },
        // The drop fault: the connection breaks mid-stream, as an HTTP stream's socket does.
        destroy: () => {
          ws.terminate();
        },
      });
      if (body.ended) finish();
    });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function bodyText(body: OutboundResponse['body']): string {
  if (body === null || body instanceof FramePump) return '';
  return typeof body === 'string' ? body : decoder.decode(body);
}

/** A field of one SSE frame (`event: …`, `data: …`, each on one line as the core writes them). */
function sseField(frame: string, name: string): string | null {
  const prefix = `${name}: `;
  for (const line of frame.split('\n')) if (line.startsWith(prefix)) return line.slice(prefix.length);
  return null;
}

/** The event with the lane's `stream_id` added; a frame that is not JSON (the malformed fault) as is. */
function withStreamId(data: string, streamId: string): string {
  const event = parseJson(data);
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return data;
  return JSON.stringify({ ...event, stream_id: streamId });
}

type CheckedMessage =
  | { body: Uint8Array; streamId: string | undefined; previousId: string | null }
  | { error: Record<string, unknown>; streamId: string | undefined };

/**
 * The envelope checks of a client message. The request inside is the HTTP door's to validate, so a bad
 * field there gets the same error (and `param`) it gets over HTTP.
 */
function checkMessage(text: string): CheckedMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return {
      error: badMessage(ERROR_CODES.invalidJson, null, 'The message is not valid JSON.'),
      streamId: undefined,
    };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return {
      error: badMessage(ERROR_CODES.invalidType, null, 'A message is a JSON object with a "type".'),
      streamId: undefined,
    };
  }
  const { type, stream_id: streamId, ...request } = message as Record<string, unknown>;
  const lane = typeof streamId === 'string' && STREAM_ID.test(streamId) ? streamId : undefined;
  const fail = (code: string, param: string, text: string) => ({
    error: badMessage(code, param, text),
    streamId: lane,
  });
  if (type === undefined) return fail(ERROR_CODES.missingParameter, 'type', 'The message needs a "type".');
  if (type !== 'response.create') {
    return fail(
      ERROR_CODES.unsupportedValue,
      'type',
      `Unknown message type ${JSON.stringify(String(type).slice(0, 80))}; the server takes "response.create".`,
    );
  }
  if (streamId !== undefined && lane === undefined) {
    return fail(ERROR_CODES.invalidValue, 'stream_id', 'stream_id must be 1 to 256 of A-Z a-z 0-9 _ . -');
  }
  for (const field of HTTP_ONLY_FIELDS) {
    if (request[field] !== undefined) {
      return fail(
        ERROR_CODES.unsupportedValue,
        field,
        `${field} is not sent on a WebSocket: every turn streams.`,
      );
    }
  }
  const previous = request.previous_response_id;
  return {
    body: encoder.encode(JSON.stringify({ ...request, stream: true })),
    streamId: lane,
    previousId: typeof previous === 'string' ? previous : null,
  };
}

/** One turn as the HTTP door's request: the upgrade's headers, the message as a JSON body. */
function turnRequest(
  req: IncomingMessage,
  body: Uint8Array,
  signal: AbortSignal,
  held: ConnectionResponseCache,
): InboundRequest {
  const headers = req.headers;
  const header = (name: string): string | null => {
    if (name === 'content-type') return 'application/json';
    if (name === 'content-length') return String(body.byteLength);
    return headerValue(headers[name]);
  };
  return {
    method: 'POST',
    path: RESPONSES_SOCKET_PATH,
    search: '',
    header,
    headerEntries: function* () {
      for (const name in headers) {
        if (name === 'content-type' || name === 'content-length') continue;
        const value = headerValue(headers[name]);
        if (value !== null) yield [name, value] as [string, string];
      }
      yield ['content-type', 'application/json'];
      yield ['content-length', String(body.byteLength)];
    },
    readBody: (limit) =>
      body.byteLength > limit ? Promise.reject(payloadTooLarge(limit)) : Promise.resolve(body),
    signal,
    connectionResponses: held,
  };
}

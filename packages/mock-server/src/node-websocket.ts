import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CODES } from '@threadline/protocol';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { HttpError } from './internal/errors';
import { openConnection } from './internal/socket-connection';
import {
  isResponsesUpgrade,
  MAX_SOCKET_MESSAGE_BYTES,
  RESPONSES_SOCKET_PATH,
  refusalBody,
  refusalOf,
  type UpgradeHeaders,
} from './internal/socket-message';
import type { MockServer } from './server';

export {
  MAX_QUEUED_MESSAGES,
  MAX_SOCKET_MESSAGE_BYTES,
  RESPONSES_SOCKET_PATH,
} from './internal/socket-message';

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function upgradeHeaders(headers: IncomingHttpHeaders): UpgradeHeaders {
  return {
    header: (name) => headerValue(headers[name]),
    entries: function* () {
      for (const name in headers) {
        const value = headerValue(headers[name]);
        if (value !== null) yield [name, value] as [string, string];
      }
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
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

/**
 * Serves `/v1/responses` over WebSocket on a node:http server: the `ws` package's sockets in front of
 * the transport-neutral connection (internal/socket-connection). `ws` is loaded here only: the core and
 * the edge builds never import it.
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
    // Reached only on a Node that sends every upgrade here (no shouldUpgradeCallback).
    if (!wantsUpgrade(req)) {
      const notFound = new HttpError({
        status: 404,
        code: ERROR_CODES.notFound,
        message: `No upgrade at ${pathOf(req).slice(0, 200)}; WebSocket mode is served on ${RESPONSES_SOCKET_PATH}.`,
      });
      refuseUpgrade(socket, 404, refusalBody(server, notFound));
      return;
    }
    const headers = upgradeHeaders(req.headers);
    const refusal = refusalOf(server, headers);
    if (refusal !== null) {
      refuseUpgrade(socket, refusal.status, refusalBody(server, refusal), refusal.headers ?? {});
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveConnection(server, ws, headers));
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
  return isResponsesUpgrade(req.headers.upgrade, pathOf(req));
}

function serveConnection(server: MockServer, ws: WebSocket, headers: UpgradeHeaders): void {
  const connection = openConnection(
    server,
    {
      send: (text, onWritten) => ws.send(text, onWritten),
      close: (code, reason) => ws.close(code, reason),
      terminate: () => ws.terminate(),
    },
    headers,
  );
  ws.on('message', (data: RawData, isBinary: boolean) => connection.message(isBinary ? null : rawText(data)));
  ws.on('close', () => connection.closed());
  ws.on('error', () => {});
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

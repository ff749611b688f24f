import { openConnection, type SocketConnection } from './internal/socket-connection';
import {
  isResponsesUpgrade,
  MAX_SOCKET_MESSAGE_BYTES,
  refusalBody,
  refusalOf,
  type UpgradeHeaders,
} from './internal/socket-message';
import type { MockServer } from './server';

/** What `Bun.serve` passes as `server` to `fetch` (only the part used here; no Bun types needed). */
export interface BunUpgrader {
  upgrade(request: Request, options: { data: BunSocketData }): boolean;
}

/** The part of Bun's `ServerWebSocket` used here. */
export interface BunSocket {
  readonly data: BunSocketData;
  /** Bun's answer: bytes sent, 0 dropped, -1 queued under backpressure (then `drain` follows). */
  send(data: string): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** Per-socket state Bun carries from the upgrade to the socket's handlers. */
export interface BunSocketData {
  headers: UpgradeHeaders;
  connection?: SocketConnection;
  /** Callbacks of frames Bun queued under backpressure, run on its `drain`. */
  unwritten: Array<() => void>;
}

export interface BunWebSocketHandlers {
  /** `Bun.serve`'s `fetch`: upgrades WebSocket mode's requests, serves every other one over HTTP. */
  fetch(request: Request, bunServer: BunUpgrader): Promise<Response | undefined>;
  /** `Bun.serve`'s `websocket` handlers. */
  websocket: {
    maxPayloadLength: number;
    open(ws: BunSocket): void;
    message(ws: BunSocket, message: string | Uint8Array): void;
    drain(ws: BunSocket): void;
    close(ws: BunSocket): void;
  };
}

function headersOf(request: Request): UpgradeHeaders {
  // A copy: the Request is done with once the upgrade answered.
  const headers = new Headers(request.headers);
  return { header: (name) => headers.get(name), entries: () => headers.entries() };
}

/**
 * WebSocket mode under Bun: `Bun.serve({ ...bunWebSocket(server) })` serves `/v1/responses` over
 * WebSocket, with the same connection (turns, store:false cache, error messages, limits) as the node
 * adapter, and every other request through `server.fetch`.
 */
export function bunWebSocket(server: MockServer): BunWebSocketHandlers {
  return {
    async fetch(request, bunServer) {
      const { pathname } = new URL(request.url);
      if (!isResponsesUpgrade(request.headers.get('upgrade'), pathname)) return server.fetch(request);
      const headers = headersOf(request);
      const refusal = refusalOf(server, headers);
      if (refusal !== null) {
        return new Response(refusalBody(server, refusal), {
          status: refusal.status,
          headers: { 'content-type': 'application/json', ...(refusal.headers ?? {}) },
        });
      }
      if (bunServer.upgrade(request, { data: { headers, unwritten: [] } })) return undefined;
      // Not a valid WebSocket handshake (say, no Sec-WebSocket-Key): answered as the HTTP request it is.
      return server.fetch(request);
    },
    websocket: {
      maxPayloadLength: MAX_SOCKET_MESSAGE_BYTES,
      open(ws) {
        ws.data.connection = openConnection(
          server,
          {
            send: (text, onWritten) => {
              if (ws.send(text) === -1 && onWritten) ws.data.unwritten.push(onWritten);
              else onWritten?.();
            },
            close: (code, reason) => ws.close(code, reason),
            terminate: () => ws.terminate(),
          },
          ws.data.headers,
        );
      },
      message(ws, message) {
        ws.data.connection?.message(typeof message === 'string' ? message : null);
      },
      drain(ws) {
        const written = ws.data.unwritten.splice(0);
        for (const onWritten of written) onWritten();
      },
      close(ws) {
        ws.data.unwritten.length = 0;
        ws.data.connection?.closed();
      },
    },
  };
}

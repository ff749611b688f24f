import { encodeSSE, parseErrorBody } from '@threadline/protocol';
import {
  APIConnectionError,
  APIUserAbortError,
  IncompleteStreamError,
  makeAPIError,
  ThreadlineError,
} from '../core/errors';
import { buildHeaders } from '../core/headers';
import { DEFAULTS, mergeOptions, type RequestOptions } from '../core/options';
import { relayedAttempt } from '../core/relay';
import { resolveApiKey } from '../core/request';
import { ResponseStream } from '../core/response-stream';
import { buildURL } from '../core/url';
import type { ClientContext } from './chat';
import type { ResponseCreateParams } from './responses';

/** A turn on the socket: `responses.create`'s params; every turn streams, so `stream` is not sent. */
export type ResponseSocketCreateParams = Omit<
  ResponseCreateParams,
  'stream' | 'stream_options' | 'background'
>;

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);
const encoder = new TextEncoder();

interface Turn {
  message: string;
  body?: ReadableStreamDefaultController<Uint8Array>;
  /** The reader stopped early (`break`, idle timeout): the rest of its frames are dropped. */
  dropped?: boolean;
  events: number;
}

/** What the runtime's WebSocket constructor is, where there is one. */
type SocketConstructor = new (url: string, init?: unknown) => WebSocket;

/** Node (undici) and Bun take headers in the constructor's second argument; browsers cannot send any. */
const takesHeaders = () => {
  const versions = (globalThis as { process?: { versions?: Record<string, string> } }).process?.versions;
  return Boolean(versions?.node || versions?.bun);
};

/**
 * One WebSocket on `/v1/responses`: `create()` turns run one after another, in the order they were
 * called, each as the same typed event stream an HTTP `create({ stream: true })` gives. Build it with
 * `client.responses.connect()`.
 */
export class ResponsesSocket {
  readonly #ws: WebSocket;
  readonly #idleMs: number;
  readonly #turns: Turn[] = [];
  #closed: Error | undefined;

  /** @internal */
  constructor(ws: WebSocket, idleMs: number) {
    this.#ws = ws;
    this.#idleMs = idleMs;
    ws.addEventListener('message', (event) => this.#onMessage(event.data));
    ws.addEventListener('close', (event) =>
      this.#end(
        new APIConnectionError(
          `WebSocket closed (code ${event.code}${event.reason ? `: ${event.reason}` : ''}) before the turn ended.`,
        ),
      ),
    );
  }

  /** Whether the socket is still open for turns. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Sends a turn (it waits behind the ones before it) and resolves to its stream once the first event
   * past the lifecycle ones arrived. An error the server answers with a status (400, 404
   * `previous_response_not_found`, …) rejects with the class an HTTP call would throw.
   */
  async create(
    params: ResponseSocketCreateParams,
    options: Pick<RequestOptions, 'signal'> = {},
  ): Promise<ResponseStream> {
    if (this.#closed) throw this.#closed;
    const { stream: _s, stream_options: _o, background: _b, ...rest } = params as ResponseCreateParams;
    const message = JSON.stringify({ type: 'response.create', ...rest });
    const turn: Turn = { message, events: 0 };
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        turn.body = controller;
      },
      cancel: () => {
        turn.dropped = true;
      },
    });
    this.#turns.push(turn);
    if (this.#turns.length === 1) this.#ws.send(message);
    const response = new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    const attempt = await relayedAttempt(response, options.signal);
    const stream = new ResponseStream(attempt, this.#idleMs);
    await stream.open();
    return stream;
  }

  /** Ends the session: the running turn is cancelled on the server, waiting ones are rejected. */
  close(): void {
    this.#end(new APIUserAbortError('The WebSocket session was closed.'));
    if (this.#ws.readyState <= 1) this.#ws.close(1000);
  }

  #onMessage(data: unknown): void {
    const turn = this.#turns[0];
    if (!turn || typeof data !== 'string') return;
    let frame: { type?: unknown; status?: unknown; sequence_number?: unknown; error?: unknown };
    try {
      frame = JSON.parse(data);
    } catch {
      frame = {};
    }
    if (frame.type === 'error' && typeof frame.status === 'number' && frame.sequence_number === undefined) {
      // The server refused the request itself (as an HTTP status would): no event of it was sent.
      const info = parseErrorBody({ error: frame.error }, frame.status);
      turn.body?.error(makeAPIError(frame.status, info));
      this.#next();
      return;
    }
    turn.events++;
    if (!turn.dropped) turn.body?.enqueue(encoder.encode(encodeSSE(frame, { event: String(frame.type) })));
    if (typeof frame.type === 'string' && TERMINAL.has(frame.type)) {
      if (!turn.dropped) turn.body?.close();
      this.#next();
    }
  }

  /** The head turn is over: send the next one. */
  #next(): void {
    this.#turns.shift();
    const next = this.#turns[0];
    if (next && !this.#closed) this.#ws.send(next.message);
  }

  #end(error: Error): void {
    if (this.#closed) return;
    this.#closed = error;
    for (const turn of this.#turns.splice(0)) {
      if (turn.dropped) continue;
      turn.body?.error(
        error instanceof APIConnectionError && turn.events > 0
          ? new IncompleteStreamError(`${error.message} after ${turn.events} events`)
          : error,
      );
    }
  }
}

/**
 * Opens WebSocket mode on `/v1/responses` with the client's key and identity headers (sent on the
 * upgrade). Needs a global `WebSocket`; a browser's cannot send headers, so there it works only with a
 * server that needs none.
 */
export async function connectResponses(
  client: ClientContext,
  callOptions?: RequestOptions,
): Promise<ResponsesSocket> {
  const Socket = (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (!Socket) {
    throw new ThreadlineError('WebSocket mode needs a global WebSocket (Node 22+, Bun, browsers)');
  }
  const options = mergeOptions(client.options, callOptions);
  const apiKey = await resolveApiKey(options);
  const headers = buildHeaders(options, apiKey, {});
  const url = buildURL(options.baseURL!, '/v1/responses').replace(/^http/i, 'ws');
  let ws: WebSocket;
  if (Object.keys(headers).length === 0) ws = new Socket(url);
  else if (takesHeaders()) ws = new Socket(url, { headers });
  else {
    throw new ThreadlineError(
      `this runtime's WebSocket cannot send headers (${Object.keys(headers).join(', ')}), which the server reads on the upgrade; nothing was sent`,
    );
  }
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      ws.close();
      reject(new APIUserAbortError('Request was aborted.'));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener(
      'error',
      () =>
        reject(
          new APIConnectionError(
            `WebSocket to ${url} could not open (server unreachable, or the upgrade was refused: a bad key, say)`,
          ),
        ),
      { once: true },
    );
  });
  return new ResponsesSocket(ws, options.streamIdleTimeout ?? DEFAULTS.streamIdleTimeout);
}

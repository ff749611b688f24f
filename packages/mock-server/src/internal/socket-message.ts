import { ERROR_CODES, ERROR_TYPES, HEADERS, MAX_REQUEST_BYTES, parseErrorBody } from '@threadline/protocol';
import { authenticate, resolveIdentity } from '../auth/identity';
import { peekFaults } from '../faults/apply';
import type { ConnectionResponseCache } from '../routes/responses/connection-cache';
import type { MockServer } from '../server';
import { FramePump } from '../stream/pump';
import { HttpError, payloadTooLarge } from './errors';
import type { InboundRequest, OutboundResponse } from './wire';

/** The one path that takes a WebSocket upgrade. */
export const RESPONSES_SOCKET_PATH = '/v1/responses';
/** The largest client message: the HTTP body limit (32 MiB). A bigger one closes the socket (1009). */
export const MAX_SOCKET_MESSAGE_BYTES = MAX_REQUEST_BYTES;
/** Messages waiting behind the running turn; one more closes the socket (1008) as abuse. */
export const MAX_QUEUED_MESSAGES = 16;
/** `stream_id`: 1 to 256 of these characters (a plain character class, no backtracking). */
const STREAM_ID = /^[A-Za-z0-9_.-]{1,256}$/;
/** HTTP-only fields: every socket turn streams, and runs in the foreground. */
const HTTP_ONLY_FIELDS = ['stream', 'stream_options', 'background'] as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The upgrade request's headers, as each socket adapter reads them (lower-case names). */
export interface UpgradeHeaders {
  header(name: string): string | null;
  entries(): Iterable<[string, string]>;
}

/** Whether an upgrade request is WebSocket mode's: `Upgrade: websocket` on `/v1/responses`. */
export function isResponsesUpgrade(upgrade: string | null | undefined, path: string): boolean {
  return upgrade?.toLowerCase() === 'websocket' && path === RESPONSES_SOCKET_PATH;
}

/**
 * Checks the upgrade request with the same credentials and identity headers as the HTTP door, before
 * the socket opens. Null when it may open; otherwise the error to answer with over plain HTTP.
 */
export function refusalOf(server: MockServer, headers: UpgradeHeaders): HttpError | null {
  const { config } = server.state;
  const upgrade: InboundRequest = {
    method: 'GET',
    path: RESPONSES_SOCKET_PATH,
    search: '',
    header: (name) => headers.header(name),
    headerEntries: () => headers.entries(),
    readBody: async () => new Uint8Array(0),
    signal: undefined,
  };
  try {
    const principal = authenticate(config, upgrade, peekFaults(config.faults, upgrade.header(HEADERS.fault)));
    resolveIdentity(config, principal, upgrade, { user: null, requireAgent: false });
    return null;
  } catch (error) {
    return error instanceof HttpError
      ? error
      : new HttpError({ status: 500, code: ERROR_CODES.serverError, message: String(error) });
  }
}

/** A refusal's JSON body, in the server's dialect. */
export function refusalBody(server: MockServer, error: HttpError): string {
  const { config } = server.state;
  return JSON.stringify(error.body(config.dialect.errorShape, config.dialect.modelNotFoundShape));
}

/** The error fields of a socket `error` message, from any error body the core answered with. */
export function errorOf(status: number, body: unknown): Record<string, unknown> {
  const info = parseErrorBody(body, status);
  return {
    type: info.type ?? (status >= 500 ? ERROR_TYPES.server : ERROR_TYPES.invalidRequest),
    code: info.code ?? (status >= 500 ? ERROR_CODES.serverError : ERROR_CODES.invalidValue),
    message: info.message,
    param: info.param,
  };
}

export function badMessage(code: string, param: string | null, message: string): Record<string, unknown> {
  return { type: ERROR_TYPES.invalidRequest, code, message, param };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function bodyText(body: OutboundResponse['body']): string {
  if (body === null || body instanceof FramePump) return '';
  return typeof body === 'string' ? body : decoder.decode(body);
}

/** A field of one SSE frame (`event: …`, `data: …`, each on one line as the core writes them). */
export function sseField(frame: string, name: string): string | null {
  const prefix = `${name}: `;
  for (const line of frame.split('\n')) if (line.startsWith(prefix)) return line.slice(prefix.length);
  return null;
}

/** The event with the lane's `stream_id` added; a frame that is not JSON (the malformed fault) as is. */
export function withStreamId(data: string, streamId: string): string {
  const event = parseJson(data);
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return data;
  return JSON.stringify({ ...event, stream_id: streamId });
}

export type CheckedMessage =
  | { body: Uint8Array; streamId: string | undefined; previousId: string | null }
  | { error: Record<string, unknown>; streamId: string | undefined };

/**
 * The envelope checks of a client message. The request inside is the HTTP door's to validate, so a bad
 * field there gets the same error (and `param`) it gets over HTTP.
 */
export function checkMessage(text: string): CheckedMessage {
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
export function turnRequest(
  headers: UpgradeHeaders,
  body: Uint8Array,
  signal: AbortSignal,
  held: ConnectionResponseCache,
): InboundRequest {
  const header = (name: string): string | null => {
    if (name === 'content-type') return 'application/json';
    if (name === 'content-length') return String(body.byteLength);
    // One upgrade carries many turns: its Idempotency-Key cannot name any one of them.
    if (name === HEADERS.idempotencyKey) return null;
    return headers.header(name);
  };
  return {
    method: 'POST',
    path: RESPONSES_SOCKET_PATH,
    search: '',
    header,
    headerEntries: function* () {
      for (const [name, value] of headers.entries()) {
        if (name === 'content-type' || name === 'content-length') continue;
        yield [name, value] as [string, string];
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

import type { ConnectionResponseCache } from '../routes/responses/connection-cache';
import type { FramePump } from '../stream/pump';

/**
 * The server core's view of a request. `fetch` builds one from a Web `Request`; the node adapter builds
 * one straight from `IncomingMessage`, skipping the cost of a Web `Request` on the hot path.
 */
export interface InboundRequest {
  readonly method: string;
  /** The URL path without the query (`/v1/chat/completions`). */
  readonly path: string;
  /** The raw query string without `?` (empty when none). */
  readonly search: string;
  /** A header value by lower-case name, or null. */
  header(name: string): string | null;
  /**
   * Every header as `[lower-case name, value]`. The journal keeps this function to read the headers
   * later, so it must not use `this` and should close over the headers alone, not the whole request.
   */
  readonly headerEntries: () => Iterable<[string, string]>;
  /**
   * The node adapter's headers object (lower-case names; repeated headers as arrays): when present the
   * journal keeps this instead of `headerEntries`, so a request costs it no closure.
   */
  readonly headerRecord?: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The whole body. Rejects with a 413 `HttpError` as soon as more than `limit` bytes arrived, having
   * read no more than that.
   */
  readBody(limit: number): Promise<Uint8Array>;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal | undefined;
  /**
   * Set for a turn that came over a `/v1/responses` WebSocket: the `store:false` responses that
   * connection holds, which only its own later turns may continue.
   */
  readonly connectionResponses?: ConnectionResponseCache;
}

/** The core's answer. `body` is text, bytes, nothing, or a pump of SSE frames. */
export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | null | FramePump;
}

export const JSON_CONTENT_TYPE = 'application/json';

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): OutboundResponse {
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE, ...headers }, body: JSON.stringify(value) };
}

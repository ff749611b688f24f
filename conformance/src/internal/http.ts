import { decodeSSE, type SSEFrame } from '@threadline/protocol';
import type { RecordedRequest } from '../runner/types';
import { maskHeaders } from './curl';

/** Bodies up to this size are kept verbatim in reports; bigger ones by size only. */
const RECORD_LIMIT = 64 * 1024;

export interface RequestSpec {
  method?: string;
  /** Path under the base URL, with query (`/v1/chat/completions`). */
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent verbatim. */
  body?: string | Uint8Array;
  /** Leave out the credentials (auth checks). */
  anonymous?: boolean;
}

/** A finished exchange: the status, headers and the whole body as text. */
export interface Exchange {
  request: RecordedRequest;
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** A finished streamed exchange: every SSE frame read, and how the body ended. */
export interface StreamExchange {
  request: RecordedRequest;
  status: number;
  headers: Headers;
  frames: SSEFrame[];
  /** Set when the body broke off (connection dropped, timeout) instead of ending cleanly. */
  bodyError?: string;
  /** The raw text when the answer was not a stream (an error body). */
  text?: string;
  json?: unknown;
}

export interface HttpClient {
  baseUrl: string;
  /** Sends the request and returns the open response (the caller reads or cancels the body). */
  open(spec: RequestSpec, signal: AbortSignal): Promise<{ request: RecordedRequest; response: Response }>;
  send(spec: RequestSpec, signal: AbortSignal): Promise<Exchange>;
  stream(spec: RequestSpec, signal: AbortSignal): Promise<StreamExchange>;
  /** The URL and headers a request would carry, without sending it (a WebSocket opens with them). */
  prepare(spec: RequestSpec): { request: RecordedRequest; url: string; headers: Record<string, string> };
}

export interface HttpOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Plain fetch against the base URL: nothing here knows which server it talks to. */
export function createHttpClient(options: HttpOptions): HttpClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');

  function prepare(spec: RequestSpec): { request: RecordedRequest; init: RequestInit; url: string } {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      // An anonymous request carries no credentials, not even ones given as an extra header.
      if (!(spec.anonymous && name.toLowerCase() === 'authorization')) headers[name] = value;
    }
    if (options.token && !spec.anonymous) headers.authorization = `Bearer ${options.token}`;
    let body: string | Uint8Array | undefined = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, spec.headers);
    const method = spec.method ?? (body === undefined ? 'GET' : 'POST');
    const url = `${baseUrl}${spec.path}`;
    const request: RecordedRequest = { method, url, headers: maskHeaders(headers) };
    if (typeof body === 'string' && body.length <= RECORD_LIMIT) request.body = body;
    else if (body !== undefined) request.bodyBytes = typeof body === 'string' ? body.length : body.byteLength;
    return { request, url, init: { method, headers, body: body as BodyInit | undefined } };
  }

  async function open(spec: RequestSpec, signal: AbortSignal) {
    const { request, url, init } = prepare(spec);
    const response = await fetch(url, { ...init, signal });
    return { request, response };
  }

  return {
    baseUrl,
    open,
    prepare(spec) {
      const { request, url, init } = prepare(spec);
      return { request, url, headers: init.headers as Record<string, string> };
    },
    async send(spec, signal) {
      const { request, response } = await open(spec, signal);
      const text = await response.text();
      return { request, status: response.status, headers: response.headers, text, json: parseJson(text) };
    },
    async stream(spec, signal) {
      const { request, response } = await open(spec, signal);
      request.stream = true;
      const base = { request, status: response.status, headers: response.headers };
      const type = response.headers.get('content-type') ?? '';
      // An error answered before the stream began is an ordinary JSON body.
      if (!response.ok && !type.includes('text/event-stream')) {
        const text = await response.text();
        return { ...base, frames: [], text, json: parseJson(text) };
      }
      const frames: SSEFrame[] = [];
      try {
        if (response.body) for await (const frame of decodeSSE(response.body)) frames.push(frame);
        return { ...base, frames };
      } catch (error) {
        return { ...base, frames, bodyError: describeError(error) };
      }
    },
  };
}

/** One line for a network error: undici hides the useful part in `cause`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? ` (${(cause as { code?: string }).code ?? cause.message})` : '';
  return `${error.message}${detail}`;
}

import { HEADERS, parseErrorBody } from '@threadline/protocol';
import { isBrowser, randomId } from '../internal/env';
import { encodeJSON } from './body';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  IncompleteStreamError,
  MalformedResponseError,
  makeAPIError,
  StreamIdleTimeoutError,
  ThreadlineError,
} from './errors';
import { buildHeaders } from './headers';
import { log } from './logger';
import { DEFAULTS, type RequestOptions } from './options';
import { redactHeaders, redactText, safeResponseHeaders } from './redact';
import { isRetryable, retryAfterMs, retryDelay, sleep } from './retry';
import { buildURL } from './url';

/** A body that is not JSON (an upload). */
export interface RawBody {
  contentType: string;
  /** Makes the body for one attempt. */
  make(): BodyInit;
  /** Whether `make` may be called again (bytes, Blob) — a caller's stream can be sent only once. */
  replayable: boolean;
}

export interface RequestSpec<T> {
  method: 'GET' | 'POST';
  /** `/v1/…` or `/health`, appended to the server root. */
  path: string;
  query?: Record<string, string | undefined>;
  json?: unknown;
  body?: RawBody;
  accept?: string;
  /** A stream's idle timeout, which also bounds the wait for its response headers. */
  idleMs?: number;
  /**
   * Turns a 2xx response into the result. It runs inside the attempt: a connection failure while
   * reading is retried like any other, because nothing has reached the caller yet.
   */
  read(attempt: Attempt): Promise<T>;
}

/** One try of a request: its response, its own abort controller and its timer. */
export class Attempt {
  readonly controller = new AbortController();
  response!: Response;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #unlink: (() => void) | undefined;

  constructor(
    options: RequestOptions,
    readonly secrets: readonly string[],
    idleMs = 0,
  ) {
    const timeout = options.timeout ?? DEFAULTS.timeout;
    this.#arm(timeout, () => new APIConnectionTimeoutError(`Request timed out after ${timeout} ms.`));
    this.#arm(
      idleMs,
      () => new StreamIdleTimeoutError(`No response for ${idleMs} ms; the connection was closed.`),
    );
    const signal = options.signal;
    if (signal) {
      const onAbort = () => this.controller.abort(new APIUserAbortError('Request was aborted.'));
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.#unlink = () => signal.removeEventListener('abort', onAbort);
      }
    }
  }

  #arm(ms: number, error: () => Error) {
    if (ms > 0 && ms < 2 ** 31) this.#timers.push(setTimeout(() => this.abort(error()), ms));
  }

  /** Stops the per-attempt timers: a stream hands over to its idle guard once the headers are in. */
  stopTimer(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }

  /** Ends the attempt's hold on timers and the caller's signal. */
  release(): void {
    this.stopTimer();
    this.#unlink?.();
    this.#unlink = undefined;
  }

  /** Closes the connection (with a reason the read side will report). */
  abort(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Turns whatever a fetch or a body read threw into this client's typed error. */
  toError(error: unknown): ThreadlineError {
    const reason = this.controller.signal.reason;
    if (this.controller.signal.aborted && reason instanceof ThreadlineError) return reason;
    for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
      if (e instanceof ThreadlineError) return e;
    }
    const message = error instanceof Error ? `${error.message}${causeText(error)}` : String(error);
    return new APIConnectionError(`Connection error: ${redactText(message, this.secrets)}`, { cause: error });
  }

  /** The typed error for a non-2xx response: body in any dialect's shape, secrets removed. */
  async httpError(response: Response): Promise<APIError> {
    let text = '';
    try {
      text = await response.text();
    } catch {
      // The status alone still says what happened.
    }
    const info = parseErrorBody(redactText(text, this.secrets), response.status);
    const headers = safeResponseHeaders(response.headers);
    return makeAPIError(response.status, info, { headers, retryAfterMs: retryAfterMs(headers) });
  }
}

const causeText = (error: Error): string =>
  error.cause instanceof Error && error.cause.message ? ` (${error.cause.message})` : '';

export async function resolveApiKey(options: RequestOptions): Promise<string | null> {
  const source = options.apiKey;
  const key = typeof source === 'function' ? await source() : source;
  if (key === undefined || key === null || key === '') return null;
  if (typeof key !== 'string')
    throw new ThreadlineError('apiKey must be a string or a function returning one');
  assertBrowserSafe(key, options);
  return key;
}

const AGENT_SUBJECT = /^[^:\s]+:[^:\s]+$/;

/** True for a JWT whose subject names one agent (`<tenant>:<agent>`): safe to hold in a page. */
export function isAgentScopedToken(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  try {
    const json = atob(parts[1]!.replace(/-/g, '+').replace(/_/g, '/'));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === 'string' && AGENT_SUBJECT.test(sub);
  } catch {
    return false;
  }
}

/** In a page every visitor can read the credential: only agent-scoped tokens belong there. */
export function assertBrowserSafe(
  key: string,
  options: { dangerouslyAllowBrowser?: boolean | undefined },
): void {
  if (options.dangerouslyAllowBrowser || !isBrowser() || isAgentScopedToken(key)) return;
  throw new ThreadlineError(
    'refusing to expose a credential that is not an agent-scoped token in a browser; set dangerouslyAllowBrowser to override',
  );
}

/**
 * Sends one call with retries: connection errors, timeouts, 408, 409, 429 and 5xx are retried with
 * backoff (or the server's `retry-after`, up to `maxRetryAfter`), `x-should-retry` overrides, and an
 * exhausted quota never is. Every attempt carries the same `Idempotency-Key`.
 */
export async function request<T>(options: RequestOptions, spec: RequestSpec<T>): Promise<T> {
  const url = buildURL(options.baseURL!, spec.path, spec.query);
  const apiKey = await resolveApiKey(options);
  const secrets = apiKey ? [apiKey] : [];
  const headers = buildHeaders(options, apiKey, { accept: spec.accept ?? 'application/json' });
  let json: string | Uint8Array<ArrayBuffer> | undefined;
  if (spec.json !== undefined) {
    json = encodeJSON(spec.json);
    headers['content-type'] = 'application/json';
  } else if (spec.body) {
    headers['content-type'] ??= spec.body.contentType;
  }
  if (spec.method === 'POST') {
    headers[HEADERS.idempotencyKey] ??= options.idempotencyKey ?? `tl-${randomId()}`;
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
  const maxRetryAfter = options.maxRetryAfter ?? DEFAULTS.maxRetryAfter;
  let bodySent = false;

  for (let retries = 0; ; retries++) {
    const attempt = new Attempt(options, secrets, spec.idleMs);
    try {
      const init: RequestInit & { duplex?: 'half' } = {
        method: spec.method,
        headers,
        signal: attempt.controller.signal,
      };
      if (json !== undefined) init.body = json;
      else if (spec.body) {
        init.body = spec.body.make();
        bodySent = !spec.body.replayable;
        if (init.body instanceof ReadableStream) init.duplex = 'half';
      }
      log(options, 'debug', 'request', {
        method: spec.method,
        url,
        attempt: retries + 1,
        headers: redactHeaders(headers),
      });
      let response: Response;
      try {
        response = await fetchImpl(url, init);
      } catch (error) {
        throw attempt.toError(error);
      }
      attempt.response = response;
      log(options, 'debug', 'response', {
        url,
        status: response.status,
        requestId: response.headers.get(HEADERS.requestId),
      });
      if (!response.ok) throw await attempt.httpError(response);
      const result = await spec.read(attempt);
      return result;
    } catch (error) {
      // Transport failures arrive typed (fetch and body reads convert them); anything else is the
      // caller's own error (a callback that threw) and is neither wrapped nor retried.
      attempt.abort(error instanceof Error ? error : new Error(String(error)));
      attempt.release();
      if (
        !(error instanceof APIError) ||
        error instanceof APIUserAbortError ||
        retries >= maxRetries ||
        bodySent ||
        // A stream that ended without [DONE] before its first chunk lost nothing the caller saw: retry it
        // like the broken connection it is.
        !isRetryable(
          error instanceof IncompleteStreamError ? undefined : error.status,
          error.code,
          error.headers,
        )
      ) {
        throw error;
      }
      const delay = retryDelay(error.headers, retries, maxRetryAfter);
      if (delay === null) {
        log(options, 'info', 'not retrying: the server asked to wait longer than maxRetryAfter', {
          url,
          retryAfterMs: error.retryAfterMs,
          maxRetryAfter,
        });
        throw error;
      }
      log(options, 'info', 'retrying', { url, retry: retries + 1, delayMs: delay, reason: error.message });
      try {
        await sleep(delay, options.signal);
      } catch {
        throw new APIUserAbortError('Request was aborted.');
      }
    }
  }
}

/** Reads a 2xx JSON body (inside the attempt, so a broken connection is retried). */
export async function readJSON<T>(attempt: Attempt): Promise<T> {
  let text: string;
  try {
    text = await attempt.response.text();
  } catch (error) {
    throw attempt.toError(error);
  }
  attempt.release();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MalformedResponseError(`expected a JSON body, got ${JSON.stringify(text.slice(0, 80))}`, {
      status: attempt.response.status,
      headers: safeResponseHeaders(attempt.response.headers),
    });
  }
}

import type { ErrorInfo } from '@threadline/protocol';
import { HEADERS, MAX_REQUEST_BYTES } from '@threadline/protocol';

/** Root of every error this client throws, including the ones raised before anything is sent. */
export class ThreadlineError extends Error {
  override name = 'ThreadlineError';
}

/** A request body over the 32 MB limit: refused before a single byte is sent. */
export class RequestTooLargeError extends ThreadlineError {
  override name = 'RequestTooLargeError';
  readonly limit = MAX_REQUEST_BYTES;
  constructor(
    /** The size (for an upload stream: the bytes read when it passed the limit). */
    readonly bytes: number,
    message = `request body is ${bytes} bytes, over the ${MAX_REQUEST_BYTES}-byte limit; nothing was sent`,
  ) {
    super(message);
  }
}

export interface APIErrorInit {
  status?: number | undefined;
  info?: ErrorInfo | undefined;
  headers?: Headers | undefined;
  retryAfterMs?: number | null | undefined;
  cause?: unknown;
}

/**
 * An error about one API call. HTTP errors carry the status and the parsed error body (any dialect's
 * shape); connection problems, timeouts and aborts have no status.
 */
export class APIError extends ThreadlineError {
  override name = 'APIError';
  readonly status: number | undefined;
  readonly code: string | null;
  readonly type: string | null;
  readonly param: string | null;
  /** The server's `x-request-id`, for support tickets. */
  readonly requestId: string | null;
  /** Response headers (secret-bearing ones removed). */
  readonly headers: Headers | undefined;
  /** The parsed error body, whatever shape it arrived in. */
  readonly error: ErrorInfo | undefined;
  /** What the server asked for in `retry-after-ms` / `Retry-After`, when it did. */
  readonly retryAfterMs: number | null;

  constructor(message: string, init: APIErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.error = init.info;
    this.code = init.info?.code ?? null;
    this.type = init.info?.type ?? null;
    this.param = init.info?.param ?? null;
    this.headers = init.headers;
    this.requestId = init.headers?.get(HEADERS.requestId) ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

export class BadRequestError extends APIError {
  override name = 'BadRequestError';
  declare readonly status: 400;
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
  declare readonly status: 401;
}
export class PaymentRequiredError extends APIError {
  override name = 'PaymentRequiredError';
  declare readonly status: 402;
}
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
  declare readonly status: 403;
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
  declare readonly status: 404;
}
export class ConflictError extends APIError {
  override name = 'ConflictError';
  declare readonly status: 409;
}
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
  declare readonly status: 413;
}
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
  declare readonly status: 422;
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
  declare readonly status: 429;
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
  declare readonly status: number;
}

/** The server could not be reached, or the connection broke before an answer was complete. */
export class APIConnectionError extends APIError {
  override name = 'APIConnectionError';
  declare readonly status: undefined;
}
/** One attempt took longer than `timeout`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';
}
/** A stream sent no bytes for `streamIdleTimeout` ms; the connection has been closed. */
export class StreamIdleTimeoutError extends APIConnectionTimeoutError {
  override name = 'StreamIdleTimeoutError';
}
/** The caller aborted (an abort signal, or `stream.abort()`). */
export class APIUserAbortError extends APIError {
  override name = 'APIUserAbortError';
  declare readonly status: undefined;
}
/** A stream ended without `data: [DONE]`: what arrived may be cut short. */
export class IncompleteStreamError extends APIError {
  override name = 'IncompleteStreamError';
}
/** The server answered 2xx with a body that is not what the protocol promises (not JSON, say). */
export class MalformedResponseError extends APIError {
  override name = 'MalformedResponseError';
}

type APIErrorClass = new (message: string, init?: APIErrorInit) => APIError;

const BY_STATUS: Record<number, APIErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  402: PaymentRequiredError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** The error class for an HTTP status. */
export function errorClassFor(status: number | undefined): APIErrorClass {
  if (status === undefined) return APIError;
  return BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIError);
}

/** Builds the typed error for a failed response (or an error frame, whose status is inferred). */
export function makeAPIError(status: number | undefined, info: ErrorInfo, init: APIErrorInit = {}): APIError {
  const Class = errorClassFor(status);
  const prefix = status === undefined ? '' : `${status} `;
  return new Class(`${prefix}${info.message}`, { ...init, status, info });
}

// An error frame carries no HTTP status; infer the one a JSON answer would have had so the same class
// is thrown whether the call streamed or not (unknown model → NotFoundError either way).
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  conflict_error: 409,
  rate_limit_error: 429,
  insufficient_quota: 429,
  server_error: 500,
};

export function inferStatus(info: ErrorInfo): number | undefined {
  if (info.code === 'payload_too_large') return 413;
  return (info.type && STATUS_BY_TYPE[info.type]) || undefined;
}

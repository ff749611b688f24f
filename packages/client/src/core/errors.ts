import type { ErrorInfo } from '@threadline/protocol';
import { HEADERS, MAX_REQUEST_BYTES } from '@threadline/protocol';

/** Root of every error this client throws, including the ones raised before anything is sent. */
export class ThreadlineError extends Error {
  override name = 'ThreadlineError';
}

/** A request body over the 32 MB limit: refused before a single byte is sent. */
export class RequestTooLargeError extends ThreadlineError {
  override name = 'RequestTooLargeError';
  constructor(
    readonly bytes: number,
    readonly limit: number = MAX_REQUEST_BYTES,
    /** True when the size was known before sending (always, except for a caller's stream). */
    readonly nothingSent = true,
  ) {
    super(
      nothingSent
        ? `request body is ${bytes} bytes, over the ${limit}-byte limit; nothing was sent`
        : `request body passed the ${limit}-byte limit while uploading; the upload was stopped`,
    );
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
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
export class PaymentRequiredError extends APIError {
  override name = 'PaymentRequiredError';
}
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/** The server could not be reached, or the connection broke before an answer was complete. */
export class APIConnectionError extends APIError {
  override name = 'APIConnectionError';
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
const STATUS_BY_CODE: Record<string, number> = {
  model_not_found: 404,
  not_found: 404,
  payload_too_large: 413,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  invalid_api_key: 401,
  missing_credentials: 401,
};
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
  return (info.code && STATUS_BY_CODE[info.code]) || (info.type && STATUS_BY_TYPE[info.type]) || undefined;
}

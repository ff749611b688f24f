import { ERROR_CODES, ERROR_TYPES, type ErrorShape, formatErrorBody } from '@threadline/protocol';

export interface HttpErrorInit {
  status: number;
  message: string;
  type?: string;
  code?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
  /** Use the dialect's unknown-model shape (Spice: `{"error":"model 'x' not found"}`). */
  modelNotFound?: boolean;
  /** A body to send verbatim instead of a formatted one (fixtures that script an error body). */
  rawBody?: unknown;
}

/** An error that becomes an HTTP answer. Route code throws it; the app formats it for the dialect. */
export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly modelNotFound: boolean;
  readonly rawBody: unknown;

  constructor(init: HttpErrorInit) {
    super(init.message);
    this.name = 'HttpError';
    this.status = init.status;
    this.type = init.type ?? typeForStatus(init.status);
    this.code = init.code === undefined ? codeForStatus(init.status) : init.code;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
    this.modelNotFound = init.modelNotFound ?? false;
    this.rawBody = init.rawBody;
  }

  /** The body in the given dialect shapes: `shape` for ordinary errors, `modelShape` for unknown models. */
  body(shape: ErrorShape, modelShape: ErrorShape): unknown {
    if (this.rawBody !== undefined) return this.rawBody;
    return formatErrorBody(
      { message: this.message, type: this.type, param: this.param, code: this.code },
      this.modelNotFound ? modelShape : shape,
    );
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * An error body as the `error-shape` and `numeric-error-code` faults spoil it, to show what a server
 * built on a web framework's defaults answers: Express `{"error":"Not Found","message"}`, FastAPI
 * `{"detail"}`, a bare `{"error":"…"}` string, or the HTTP status as a numeric `code`.
 */
export function spoiledErrorBody(
  body: unknown,
  error: HttpError,
  faults: { errorShape?: 'express' | 'fastapi' | 'string'; numericErrorCode?: boolean },
): unknown {
  if (faults.errorShape === 'express') {
    return { error: REASONS[error.status] ?? 'Error', message: error.message };
  }
  if (faults.errorShape === 'fastapi') return { detail: error.message };
  if (faults.errorShape === 'string') return { error: error.message };
  if (faults.numericErrorCode && typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const inner = record.error;
    if (typeof inner === 'object' && inner !== null)
      return { ...record, error: { ...inner, code: error.status } };
    return { ...record, code: error.status };
  }
  return body;
}

/** OpenAI's error `type` for a status. */
export function typeForStatus(status: number): string {
  if (status === 401) return ERROR_TYPES.authentication;
  if (status === 402) return ERROR_TYPES.insufficientQuota;
  if (status === 403) return ERROR_TYPES.permission;
  if (status === 404) return ERROR_TYPES.notFound;
  if (status === 409) return ERROR_TYPES.conflict;
  if (status === 429) return ERROR_TYPES.rateLimit;
  if (status >= 500) return ERROR_TYPES.server;
  return ERROR_TYPES.invalidRequest;
}

/** The code an error of that status carries when nothing more specific applies. */
export function codeForStatus(status: number): string | null {
  switch (status) {
    case 400:
      return ERROR_CODES.invalidValue;
    case 401:
      return ERROR_CODES.invalidApiKey;
    case 402:
      return ERROR_CODES.insufficientQuota;
    case 404:
      return ERROR_CODES.notFound;
    case 405:
      return ERROR_CODES.methodNotAllowed;
    case 413:
      return ERROR_CODES.payloadTooLarge;
    case 415:
      return ERROR_CODES.unsupportedMediaType;
    case 429:
      return ERROR_CODES.rateLimitExceeded;
    default:
      return status >= 500 ? ERROR_CODES.serverError : null;
  }
}

export const invalidJson = (detail: string): HttpError =>
  new HttpError({
    status: 400,
    code: ERROR_CODES.invalidJson,
    message: `The request body is not valid JSON: ${detail}`,
  });

export const payloadTooLarge = (limit: number): HttpError =>
  new HttpError({
    status: 413,
    code: ERROR_CODES.payloadTooLarge,
    message: `The request body exceeds the ${limit}-byte limit (32 MB). Host large files and pass a URL instead.`,
    // The rest of the body is not read: tell the client this connection will not carry another request.
    headers: { connection: 'close' },
  });

/**
 * A compressed body. No door decodes one: reading it as JSON would fail with a misleading parse error,
 * and a JSON body labelled compressed would be taken at its word by a real server.
 */
export const unsupportedContentEncoding = (encoding: string): HttpError =>
  new HttpError({
    status: 415,
    code: ERROR_CODES.unsupportedContentEncoding,
    message: `The request body's Content-Encoding '${encoding.slice(0, 64)}' is not supported: send the body uncompressed.`,
  });

/**
 * The client left before its body arrived. Nobody reads the answer; the journal shows it with nginx's
 * 499 so a test can tell a vanished client from a server failure.
 */
export const clientClosedRequest = (): HttpError =>
  new HttpError({
    status: 499,
    code: ERROR_CODES.clientClosedRequest,
    message: 'The client closed the connection before the request body was complete.',
  });

export const notFound = (message: string): HttpError =>
  new HttpError({ status: 404, code: ERROR_CODES.notFound, message });

export const modelNotFound = (model: string): HttpError =>
  new HttpError({
    status: 404,
    code: ERROR_CODES.modelNotFound,
    param: 'model',
    message: `model '${model}' not found`,
    modelNotFound: true,
  });

export const invalidValue = (
  param: string | null,
  message: string,
  code: string = ERROR_CODES.invalidValue,
) => new HttpError({ status: 400, code, param, message });

/** The `type` values an error body carries, following OpenAI's names. */
export const ERROR_TYPES = {
  invalidRequest: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  notFound: 'not_found_error',
  conflict: 'conflict_error',
  rateLimit: 'rate_limit_error',
  insufficientQuota: 'insufficient_quota',
  server: 'server_error',
} as const;

/** Every `code` the Threadline protocol defines. Servers may send others; clients keep them verbatim. */
export const ERROR_CODES = {
  invalidJson: 'invalid_json',
  /** JSON nested deeper than `MAX_JSON_DEPTH` (64) levels of arrays and objects. */
  jsonTooDeep: 'json_too_deep',
  invalidValue: 'invalid_value',
  invalidType: 'invalid_type',
  missingParameter: 'missing_required_parameter',
  unsupportedValue: 'unsupported_value',
  modelNotFound: 'model_not_found',
  invalidApiKey: 'invalid_api_key',
  missingCredentials: 'missing_credentials',
  smithUnresolved: 'smith_unresolved',
  invalidToolChoice: 'invalid_tool_choice',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  /** (415) The body arrives compressed (`Content-Encoding` other than `identity`): send it as is. */
  unsupportedContentEncoding: 'unsupported_content_encoding',
  insufficientQuota: 'insufficient_quota',
  rateLimitExceeded: 'rate_limit_exceeded',
  notFound: 'not_found',
  methodNotAllowed: 'method_not_allowed',
  serverError: 'server_error',
  unknownApprovalId: 'unknown_approval_id',
  approvalAlreadyDecided: 'approval_already_decided',
  invalidApprovalDecision: 'invalid_approval_decision',
  /** (422) An `Idempotency-Key` sent again in the same session or thread with a different request. */
  idempotencyKeyReused: 'idempotency_key_reused',
  /** Responses (404): `previous_response_id` was never issued, belongs to another user, or was not stored. */
  previousResponseNotFound: 'previous_response_not_found',
  invalidPath: 'invalid_path',
  /** Reference server: a fault spec (header, control route) that does not parse. */
  invalidFault: 'invalid_fault',
  /** Reference server: a fixture (control route) that does not validate. */
  invalidFixture: 'invalid_fixture',
  /** Reference server (403): the token is valid but may not do this (a tenant admin on a global route). */
  permissionDenied: 'permission_denied',
  /** Reference server journal (status 499): the client left before its request body arrived. */
  clientClosedRequest: 'client_closed_request',
  /** Reference server (431): the request line and headers are over the size limit. */
  requestHeaderFieldsTooLarge: 'request_header_fields_too_large',
  /** Reference server (400): the request is not valid HTTP (bad request line, chunking or header). */
  invalidRequest: 'invalid_request',
  /** Reference server (408): the request headers or body did not arrive in time. */
  requestTimeout: 'request_timeout',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
export type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES];

/** The wire shape an error body took; `dialects` says which one each server family sends. */
export type ErrorShape = 'nested' | 'flat' | 'string';

/** Any error body, whatever its shape, as one value. */
export interface ErrorInfo {
  message: string;
  type: string | null;
  param: string | null;
  code: string | null;
  /** The shape it arrived in, or `unknown` when it was none of the three (then `raw` keeps it). */
  shape: ErrorShape | 'unknown';
  raw: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

const MODEL_NOT_FOUND = /^model '(.*)' not found$/;

function fromFields(fields: Record<string, unknown>, shape: ErrorShape, raw: unknown): ErrorInfo {
  return {
    message: str(fields.message) ?? 'unknown error',
    type: str(fields.type),
    param: str(fields.param),
    code: str(fields.code),
    shape,
    raw,
  };
}

/**
 * Turns any error body a Threadline-family server sends into one typed value. Accepts the parsed
 * JSON or its text; never throws. `status` fills in what a bare body leaves out.
 */
export function parseErrorBody(body: unknown, status?: number): ErrorInfo {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      const text = body.trim();
      return {
        message: text || (status ? `HTTP ${status}` : 'unknown error'),
        type: null,
        param: null,
        code: null,
        shape: 'unknown',
        raw: body,
      };
    }
  }
  if (isRecord(value)) {
    if (isRecord(value.error)) return fromFields(value.error, 'nested', body);
    if (typeof value.error === 'string') {
      const notFound = MODEL_NOT_FOUND.exec(value.error);
      return {
        message: value.error,
        // Literals checked against the tables rather than read from them, so a bundle that only parses
        // errors does not carry the whole code table.
        type: notFound || status === 404 ? ('not_found_error' satisfies ErrorType) : null,
        param: notFound ? 'model' : null,
        code: notFound ? ('model_not_found' satisfies ErrorCode) : null,
        shape: 'string',
        raw: body,
      };
    }
    if (typeof value.message === 'string') return fromFields(value, 'flat', body);
    // FastAPI's default: `{"detail": "..."}`, or for a 422 a list of `{loc, msg, type}`.
    const detail = Array.isArray(value.detail) ? str(value.detail[0]?.msg) : str(value.detail);
    if (detail !== null) {
      return { message: detail, type: null, param: null, code: null, shape: 'unknown', raw: body };
    }
  }
  return {
    message: status ? `HTTP ${status}` : 'unknown error',
    type: null,
    param: null,
    code: null,
    shape: 'unknown',
    raw: body,
  };
}

/** The body a server sends for an error, in the shape its dialect uses. */
export function formatErrorBody(
  error: { message: string; type: string; param?: string | null; code?: string | null },
  shape: ErrorShape = 'nested',
): Record<string, unknown> {
  const fields = {
    message: error.message,
    type: error.type,
    param: error.param ?? null,
    code: error.code ?? null,
  };
  if (shape === 'flat') return fields;
  if (shape === 'string') return { error: error.message };
  return { error: fields };
}

import { APICallError } from '@ai-sdk/provider';
import {
  createProviderStreamError,
  extractResponseHeaders,
  type ResponseHandler,
} from '@ai-sdk/provider-utils';
import { HEADERS, parseErrorBody } from '@threadline/protocol';

/** How much of an error body is kept on the error: enough to read, bounded against a hostile server. */
const MAX_ERROR_BODY = 16 * 1024;

const retryableStatus = (status: number) =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/** `x-should-retry: true|false` overrides what the status says; anything else leaves it alone. */
function retryable(status: number, headers: Record<string, string>): boolean {
  const hint = headers[HEADERS.shouldRetry]?.trim().toLowerCase();
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return retryableStatus(status);
}

/**
 * Turns an HTTP error answer into an APICallError: the server's message, `data` holding
 * `{code, type, param}` whichever of the three body shapes it came in, `isRetryable` from the status
 * and `x-should-retry`; `Retry-After` stays in `responseHeaders` for the SDK's retry loop.
 */
export const threadlineFailedResponseHandler: ResponseHandler<APICallError> = async ({
  response,
  url,
  requestBodyValues,
}) => {
  const responseHeaders = extractResponseHeaders(response);
  let responseBody = '';
  try {
    responseBody = (await response.text()).slice(0, MAX_ERROR_BODY);
  } catch {
    // A body that breaks off still leaves the status to report.
  }
  const info = parseErrorBody(responseBody, response.status);
  return {
    responseHeaders,
    value: new APICallError({
      message: info.message,
      url,
      requestBodyValues,
      statusCode: response.status,
      responseHeaders,
      responseBody,
      isRetryable: retryable(response.status, responseHeaders),
      data: { code: info.code, type: info.type, param: info.param },
    }),
  };
};

// An error frame carries no status; its type says which one the same failure has over HTTP.
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  insufficient_quota: 402,
  permission_error: 403,
  not_found_error: 404,
  conflict_error: 409,
  rate_limit_error: 429,
  server_error: 500,
};

export interface StreamErrorData {
  code: string | null;
  type: string | null;
  param: string | null;
  runId: string | undefined;
  /** The frame as the server sent it. */
  raw: unknown;
}

/**
 * The `error` part's payload for a terminal error frame / failed event. A provider stream error (not an
 * Error instance) so `ai` raises it as its StreamProviderError carrying the server's code and status.
 */
export function streamError(frame: unknown, runId: string | undefined) {
  const info = parseErrorBody(frame);
  const statusCode =
    (info.type && STATUS_BY_TYPE[info.type]) || (info.code === 'model_not_found' ? 404 : 500);
  const data: StreamErrorData = { code: info.code, type: info.type, param: info.param, runId, raw: frame };
  return createProviderStreamError({
    message: info.message,
    ...(info.type ? { type: info.type } : {}),
    ...(info.code ? { code: info.code } : {}),
    statusCode,
    isRetryable: retryableStatus(statusCode),
    data,
  });
}

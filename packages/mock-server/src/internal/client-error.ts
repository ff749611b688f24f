import { ERROR_CODES, ERROR_TYPES } from '@threadline/protocol';

/**
 * Answers to HTTP node could not parse (node's `clientError`): the raw response bytes, written before any
 * route runs. The protocol's nested error body, as no dialect is known for a request that never parsed.
 */

interface ClientErrorAnswer {
  status: number;
  reason: string;
  code: string;
  message: string;
}

/** What to answer for a parser or timeout error of node's http server. */
export function clientErrorAnswer(code: string | undefined): ClientErrorAnswer {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      code: ERROR_CODES.requestHeaderFieldsTooLarge,
      message: 'The request line and headers are over the 16 KiB limit.',
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      reason: 'Request Timeout',
      code: ERROR_CODES.requestTimeout,
      message: 'The request headers or body did not arrive in time.',
    };
  }
  return {
    status: 400,
    reason: 'Bad Request',
    code: ERROR_CODES.invalidRequest,
    message: `The request is not valid HTTP/1.1 (${code ?? 'parse error'}).`,
  };
}

/** The whole HTTP/1.1 response for `answer`, closing the connection. */
export function clientErrorResponse(answer: ClientErrorAnswer): string {
  const body = JSON.stringify({
    error: { message: answer.message, type: ERROR_TYPES.invalidRequest, param: null, code: answer.code },
  });
  return [
    `HTTP/1.1 ${answer.status} ${answer.reason}`,
    'content-type: application/json',
    `content-length: ${new TextEncoder().encode(body).byteLength}`,
    'access-control-allow-origin: *',
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/** The JSON 500 the node adapter sends when it failed itself (the core answers every other error). */
export function adapterFailureBody(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return JSON.stringify({
    error: {
      message: `Internal server error: ${detail}`,
      type: ERROR_TYPES.server,
      param: null,
      code: ERROR_CODES.serverError,
    },
  });
}

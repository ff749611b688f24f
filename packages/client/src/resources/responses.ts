import type { ResponseResource, ResponsesRequest } from '@threadline/protocol';
import { MalformedResponseError } from '../core/errors';
import { DEFAULTS, mergeOptions, type RequestOptions } from '../core/options';
import { safeResponseHeaders } from '../core/redact';
import { readJSON, request } from '../core/request';
import { type ResponseObject, ResponseStream, withOutputText } from '../core/response-stream';
import type { ClientContext } from './chat';

export type ResponseCreateParams = ResponsesRequest;
export type ResponseCreateParamsStreaming = ResponseCreateParams & { stream: true };
export type ResponseCreateParamsNonStreaming = ResponseCreateParams & { stream?: false | null };

export async function createResponse(
  client: ClientContext,
  params: ResponseCreateParams,
  callOptions?: RequestOptions,
): Promise<ResponseObject | ResponseStream> {
  const options = mergeOptions(client.options, callOptions);
  const body = options.user && params.user == null ? { ...params, user: options.user } : params;
  if (!params.stream) {
    const resource = await request<ResponseResource>(options, {
      method: 'POST',
      path: '/v1/responses',
      json: body,
      async read(attempt) {
        const resource = await readJSON<ResponseResource>(attempt);
        // Cheap shape check: an answer that is not a response would only fail later, deep in user code.
        if (resource?.object !== 'response' || !Array.isArray(resource.output)) {
          throw new MalformedResponseError(
            `expected a response object, got object ${JSON.stringify(resource?.object)}`,
            { status: attempt.response.status, headers: safeResponseHeaders(attempt.response.headers) },
          );
        }
        return resource;
      },
    });
    return withOutputText(resource);
  }
  const idleMs = options.streamIdleTimeout ?? DEFAULTS.streamIdleTimeout;
  return request(options, {
    method: 'POST',
    path: '/v1/responses',
    json: body,
    accept: 'text/event-stream',
    idleMs,
    async read(attempt) {
      attempt.stopTimer();
      const stream = new ResponseStream(attempt, idleMs);
      await stream.open();
      return stream;
    },
  });
}

/** `POST /v1/responses`: the Responses door. */
export class Responses {
  constructor(protected readonly client: ClientContext) {}

  /**
   * Sends a turn. `previous_response_id` continues that response's conversation (send only the new
   * input). With `stream: true` resolves to a stream once its first event has arrived.
   */
  create(params: ResponseCreateParamsStreaming, options?: RequestOptions): Promise<ResponseStream>;
  create(params: ResponseCreateParamsNonStreaming, options?: RequestOptions): Promise<ResponseObject>;
  create(params: ResponseCreateParams, options?: RequestOptions): Promise<ResponseObject | ResponseStream>;
  create(params: ResponseCreateParams, options?: RequestOptions) {
    return createResponse(this.client, params, options);
  }
}

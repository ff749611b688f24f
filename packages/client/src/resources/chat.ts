import type { ChatCompletion, ChatCompletionRequest } from '@threadline/protocol';
import { ThreadlineError } from '../core/errors';
import { type ClientOptions, DEFAULTS, mergeOptions, type RequestOptions } from '../core/options';
import { readJSON, request } from '../core/request';
import { ChatCompletionStream } from '../core/stream';

export type ChatCompletionCreateParams = ChatCompletionRequest;
export type ChatCompletionCreateParamsStreaming = ChatCompletionCreateParams & { stream: true };
export type ChatCompletionCreateParamsNonStreaming = ChatCompletionCreateParams & { stream?: false | null };

/** What resources need from a client. */
export interface ClientContext {
  readonly options: Readonly<ClientOptions>;
}

export async function createCompletion(
  client: ClientContext,
  params: ChatCompletionCreateParams,
  callOptions?: RequestOptions,
): Promise<ChatCompletion | ChatCompletionStream> {
  const options = mergeOptions(client.options, callOptions);
  const body = options.user && params.user == null ? { ...params, user: options.user } : params;
  if (!params.stream) {
    if (options.progress || options.onProgress) {
      throw new ThreadlineError('progress events come only with stream: true; nothing was sent');
    }
    return request<ChatCompletion>(options, {
      method: 'POST',
      path: '/v1/chat/completions',
      json: body,
      read: readJSON,
    });
  }
  const idleMs = options.streamIdleTimeout ?? DEFAULTS.streamIdleTimeout;
  return request(options, {
    method: 'POST',
    path: '/v1/chat/completions',
    json: body,
    accept: 'text/event-stream',
    idleMs,
    async read(attempt) {
      attempt.stopTimer();
      const stream = new ChatCompletionStream(attempt, idleMs, options.onProgress);
      await stream.open();
      return stream;
    },
  });
}

export class ChatCompletions {
  constructor(protected readonly client: ClientContext) {}

  /** Sends a chat turn. With `stream: true` resolves to a stream once its first chunk has arrived. */
  create(
    params: ChatCompletionCreateParamsStreaming,
    options?: RequestOptions,
  ): Promise<ChatCompletionStream>;
  create(params: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): Promise<ChatCompletion>;
  create(
    params: ChatCompletionCreateParams,
    options?: RequestOptions,
  ): Promise<ChatCompletion | ChatCompletionStream>;
  create(params: ChatCompletionCreateParams, options?: RequestOptions) {
    return createCompletion(this.client, params, options);
  }
}

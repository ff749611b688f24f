import {
  APICallError,
  InvalidResponseDataError,
  type LanguageModelV4,
  type LanguageModelV4CallOptions,
  type LanguageModelV4Content,
  type LanguageModelV4GenerateResult,
  type LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import {
  combineHeaders,
  createEventSourceResponseHandler,
  createJsonResponseHandler,
  type ParseResult,
  postJsonToApi,
  type ResponseHandler,
} from '@ai-sdk/provider-utils';
import { HEADERS } from '@threadline/protocol';
import { isPauseId } from './internal/approvals';
import { catchBrokenOff } from './internal/broken-off';
import type { ThreadlineModelConfig } from './internal/config';
import { streamError, threadlineFailedResponseHandler } from './internal/errors';
import { markFinished } from './internal/idempotency';
import { responsesArgs } from './internal/responses-args';
import { serverToolCall, serverToolResult } from './internal/responses-items';
import { responsesStreamTransform } from './internal/responses-stream';
import { mapResponsesFinishReason } from './map-responses-finish-reason';
import { mapResponsesUsage } from './map-responses-usage';
import {
  type FunctionCallOutputItem,
  type McpCallOutputItem,
  type MessageOutputItem,
  type ResponsesEvent,
  type ResponsesResource,
  responsesEventSchema,
  responsesResourceSchema,
} from './threadline-responses-api';

/**
 * The Responses door (`POST /v1/responses`) as an AI SDK language model: client tools as
 * `function_call` items, server tools as provider-executed calls with their results, approval pauses
 * on the SDK's own approval flow, `previous_response_id` chaining, and memory and identity by header.
 */
export class ThreadlineResponsesLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly supportedUrls: Record<string, RegExp[]> = { 'image/*': [/^https:\/\/.*$/] };

  constructor(
    readonly modelId: string,
    private readonly config: ThreadlineModelConfig,
  ) {}

  get provider(): string {
    return this.config.provider;
  }

  /** Run id and thread id the server answered with, for `providerMetadata.threadline`. */
  private answerMetadata(headers: Record<string, string> | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    const runId = headers?.[HEADERS.runId];
    if (runId) out.runId = runId;
    const threadHeader = this.config.dialect.memory.threadHeader;
    const threadId = threadHeader ? headers?.[threadHeader] : undefined;
    if (threadId) out.threadId = threadId;
    return out;
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { body, headers, warnings, call } = await responsesArgs(this.modelId, this.config, options, false);
    const url = this.config.url('/responses');
    const {
      responseHeaders,
      value: response,
      rawValue,
    } = await postJsonToApi({
      url,
      headers: combineHeaders(this.config.headers(), headers),
      body,
      failedResponseHandler: threadlineFailedResponseHandler,
      successfulResponseHandler: createJsonResponseHandler(responsesResourceSchema),
      abortSignal: options.abortSignal,
      fetch: this.config.fetch,
    });
    const metadata = this.answerMetadata(responseHeaders);
    if (response.status === 'failed') {
      // A 200 that says the turn failed is still a failed call, with the server's code.
      const failure = streamError(
        { error: response.error ?? { message: 'The response failed.' } },
        metadata.runId,
      );
      throw new APICallError({
        message: failure.message,
        url,
        requestBodyValues: body,
        statusCode: failure.statusCode,
        responseHeaders,
        responseBody: JSON.stringify(rawValue),
        isRetryable: false,
        data: failure.data,
      });
    }
    const { content, hasToolCalls } = generatedContent(response);
    call.finished();
    return {
      content,
      finishReason: mapResponsesFinishReason({
        status: response.status ?? 'completed',
        incompleteReason: response.incomplete_details?.reason,
        hasToolCalls,
      }),
      usage: mapResponsesUsage(response.usage),
      providerMetadata: { threadline: { ...metadata, responseId: response.id } },
      request: { url, body },
      response: {
        id: response.id,
        ...(typeof response.created_at === 'number'
          ? { timestamp: new Date(response.created_at * 1000) }
          : {}),
        ...(response.model ? { modelId: response.model } : {}),
        headers: responseHeaders,
        body: rawValue,
      },
      warnings,
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { body, headers, warnings, call } = await responsesArgs(this.modelId, this.config, options, true);
    const url = this.config.url('/responses');
    const { responseHeaders, value: events } = await postJsonToApi({
      url,
      headers: combineHeaders(this.config.headers(), headers),
      body,
      failedResponseHandler: threadlineFailedResponseHandler,
      successfulResponseHandler: eventStreamHandler,
      abortSignal: options.abortSignal,
      fetch: this.config.fetch,
    });
    return {
      stream: markFinished(
        catchBrokenOff(events).pipeThrough(
          responsesStreamTransform({
            warnings,
            includeRawChunks: options.includeRawChunks === true,
            metadata: this.answerMetadata(responseHeaders),
            knownToolCalls: promptToolCalls(options.prompt),
          }),
        ),
        call,
      ),
      request: { url, body },
      response: { headers: responseHeaders },
    };
  }
}

/**
 * The SSE handler, refusing an answer that is not an event stream: a stream sent as JSON is a
 * protocol error (docs/protocol.md), not something to guess at.
 */
const eventStreamHandler: ResponseHandler<ReadableStream<ParseResult<ResponsesEvent>>> = async (input) => {
  const type = input.response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().includes('text/event-stream')) {
    const responseHeaders = Object.fromEntries(input.response.headers.entries());
    let responseBody = '';
    try {
      responseBody = (await input.response.text()).slice(0, 16 * 1024);
    } catch {
      // The content type is reason enough.
    }
    throw new APICallError({
      message: `expected a text/event-stream answer, got ${type.slice(0, 100) || 'no content type'}`,
      url: input.url,
      requestBodyValues: input.requestBodyValues,
      statusCode: input.response.status,
      responseHeaders,
      responseBody,
      isRetryable: false,
    });
  }
  return createEventSourceResponseHandler(responsesEventSchema)(input);
};

/** The tool call ids of the prompt's assistant messages. */
function promptToolCalls(prompt: LanguageModelV4CallOptions['prompt']): Set<string> {
  const ids = new Set<string>();
  for (const message of prompt) {
    if (message.role !== 'assistant') continue;
    for (const part of message.content) if (part.type === 'tool-call') ids.add(part.toolCallId);
  }
  return ids;
}

/** A response resource's output as V4 content, in order. */
function generatedContent(response: ResponsesResource): {
  content: LanguageModelV4Content[];
  hasToolCalls: boolean;
} {
  const content: LanguageModelV4Content[] = [];
  let hasToolCalls = false;
  const meta = { threadline: { responseId: response.id } };
  for (const item of response.output ?? []) {
    switch (item.type) {
      case 'message':
        for (const part of (item as MessageOutputItem).content ?? []) {
          if (part.text) content.push({ type: 'text', text: part.text, providerMetadata: meta });
        }
        break;
      case 'function_call': {
        const call = item as FunctionCallOutputItem;
        content.push({
          type: 'tool-call',
          toolCallId: call.call_id,
          toolName: call.name,
          input: call.arguments || '{}',
          providerMetadata: {
            threadline: { responseId: response.id, ...(call.id ? { itemId: call.id } : {}) },
          },
        });
        hasToolCalls = true;
        break;
      }
      case 'mcp_call': {
        // generateText needs the call beside its result, even for one an approval let run.
        const call = item as McpCallOutputItem;
        content.push(serverToolCall(call, response.id), serverToolResult(call, response.id));
        break;
      }
      case 'mcp_approval_request': {
        const pause = item as unknown as Parameters<typeof serverToolCall>[0];
        if (!isPauseId(pause.id)) {
          throw new InvalidResponseDataError({
            data: pause,
            message: `approval id ${pause.id.slice(0, 80)} is not <run_id>::<tool_call_id>: no decision could be sent back`,
          });
        }
        content.push(serverToolCall(pause, response.id), {
          type: 'tool-approval-request',
          approvalId: pause.id,
          toolCallId: pause.id,
        });
        hasToolCalls = true;
        break;
      }
    }
  }
  return { content, hasToolCalls };
}

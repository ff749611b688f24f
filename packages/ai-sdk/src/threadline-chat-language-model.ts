import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamResult,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { combineHeaders, createJsonResponseHandler, postJsonToApi } from '@ai-sdk/provider-utils';
import { HEADERS } from '@threadline/protocol';
import { type ApprovedPause, convertToThreadlineChatMessages } from './convert-to-threadline-chat-messages';
import { assertNoUndecidedPause, isPauseId as isPause } from './internal/approvals';
import type { ThreadlineModelConfig } from './internal/config';
import { threadlineFailedResponseHandler } from './internal/errors';
import { givenKey, markFinished } from './internal/idempotency';
import { readThreadlineOptions } from './internal/options';
import { approvedToolResults } from './internal/run-record';
import { scopeHeaders } from './internal/scope-headers';
import { mapThreadlineFinishReason } from './map-threadline-finish-reason';
import { mapThreadlineUsage } from './map-threadline-usage';
import { completionSchema } from './threadline-chat-api';
import { chatEventStreamHandler, chatStreamParts } from './threadline-chat-stream';
import { VERSION } from './version';

const USER_AGENT = `ai-sdk/threadline/${VERSION}`;

/** The Chat Completions door of a Threadline server as an AI SDK language model. */
export class ThreadlineChatLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly supportedUrls: Record<string, RegExp[]> = { 'image/*': [/^https:\/\/.*$/] };

  constructor(
    readonly modelId: string,
    private readonly config: ThreadlineModelConfig,
  ) {}

  get provider(): string {
    return this.config.provider;
  }

  private async getArgs(options: LanguageModelV4CallOptions, stream: boolean) {
    assertNoUndecidedPause(options.prompt);
    const threadline = await readThreadlineOptions(options.providerOptions);
    const scoped = scopeHeaders(this.config, threadline, options.headers);
    const warnings: SharedV4Warning[] = [...scoped.warnings];
    const threadHeader = this.config.dialect.memory.threadHeader;
    const onThread = threadHeader !== null && scoped.headers[threadHeader] !== undefined;
    const converted = convertToThreadlineChatMessages(options.prompt, { onThread });
    warnings.push(...converted.warnings);

    const unsupported = (feature: string, details?: string) =>
      warnings.push({ type: 'unsupported', feature, ...(details ? { details } : {}) });
    if (options.topK != null) unsupported('topK');
    if (options.reasoning && options.reasoning !== 'provider-default') {
      unsupported('reasoning', 'the chat door has no reasoning effort setting');
    }
    if (threadline.previousResponseId) {
      unsupported(
        'providerOptions.threadline.previousResponseId',
        'only the responses door continues a response',
      );
    }
    const tools: unknown[] = [];
    for (const tool of options.tools ?? []) {
      if (tool.type === 'provider') {
        unsupported(
          `provider tool ${tool.id}`,
          'Threadline runs its server tools itself; declare client tools as functions',
        );
        continue;
      }
      tools.push({
        type: 'function',
        function: {
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          parameters: tool.inputSchema,
          ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
        },
      });
    }
    const choice = options.toolChoice;
    const toolChoice =
      tools.length === 0 || !choice
        ? undefined
        : choice.type === 'tool'
          ? { type: 'function', function: { name: choice.toolName } }
          : choice.type;
    const format = options.responseFormat;
    const responseFormat =
      format?.type !== 'json'
        ? undefined
        : format.schema
          ? {
              type: 'json_schema',
              json_schema: {
                name: format.name ?? 'response',
                ...(format.description ? { description: format.description } : {}),
                schema: format.schema,
                strict: true,
              },
            }
          : { type: 'json_object' };

    const body = {
      model: this.modelId,
      messages: converted.messages,
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      max_tokens: options.maxOutputTokens,
      temperature: options.temperature,
      top_p: options.topP,
      frequency_penalty: options.frequencyPenalty,
      presence_penalty: options.presencePenalty,
      stop: options.stopSequences?.length ? options.stopSequences : undefined,
      seed: options.seed,
      response_format: responseFormat,
      tools: tools.length ? tools : undefined,
      tool_choice: toolChoice,
      user: scoped.scope.user,
    };
    // Same on every resend of this call (streamRetries), so the server stores the turn once.
    const call = threadline.idempotencyKey
      ? givenKey(threadline.idempotencyKey)
      : await this.config.idempotency.forCall(scoped.headers, body);
    const headers = combineHeaders(
      this.config.headers(),
      { [HEADERS.idempotencyKey]: call.key },
      scoped.headers,
    );
    // The call's own user agent (ai sets one) replaced the provider's: name this package again.
    const agent = headers['user-agent'] ?? '';
    if (!agent.includes(USER_AGENT)) headers['user-agent'] = [agent, USER_AGENT].filter(Boolean).join(' ');
    return { body, headers, warnings, approved: converted.approved, call };
  }

  private approvedResults(
    approved: ApprovedPause[],
    headers: Record<string, string | undefined>,
    repeatCalls: boolean,
    abortSignal?: AbortSignal,
  ) {
    const { [HEADERS.idempotencyKey]: _key, ...readHeaders } = headers;
    return approvedToolResults({
      approved,
      repeatCalls,
      url: this.config.url,
      headers: readHeaders,
      ...(this.config.fetch ? { fetch: this.config.fetch } : {}),
      ...(abortSignal ? { abortSignal } : {}),
    });
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { body, headers, warnings, approved, call } = await this.getArgs(options, false);
    const url = this.config.url('/chat/completions');
    const { responseHeaders, value, rawValue } = await postJsonToApi({
      url,
      headers,
      body,
      failedResponseHandler: threadlineFailedResponseHandler,
      successfulResponseHandler: createJsonResponseHandler(completionSchema),
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      ...(this.config.fetch ? { fetch: this.config.fetch } : {}),
    });
    const content: LanguageModelV4Content[] = [];
    if (approved.length)
      content.push(...(await this.approvedResults(approved, headers, true, options.abortSignal)));
    const choice = value.choices[0];
    const message = choice?.message;
    if (message?.reasoning_content) content.push({ type: 'reasoning', text: message.reasoning_content });
    if (message?.content) content.push({ type: 'text', text: message.content });
    for (const call of message?.tool_calls ?? []) {
      const input = call.function.arguments || '{}';
      if (isPause(call.id)) {
        content.push({
          type: 'tool-call',
          toolCallId: call.id,
          toolName: call.function.name,
          input,
          providerExecuted: true,
          dynamic: true,
        });
        content.push({ type: 'tool-approval-request', approvalId: call.id, toolCallId: call.id });
      } else {
        content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input });
      }
    }
    const runId = responseHeaders?.[HEADERS.runId] ?? value.id ?? undefined;
    const threadId = responseHeaders?.[HEADERS.threadId];
    call.finished();
    return {
      content,
      finishReason: mapThreadlineFinishReason(choice?.finish_reason ?? 'other', value.stop_reason),
      usage: mapThreadlineUsage(value.usage),
      providerMetadata: {
        threadline: {
          ...(runId ? { runId } : {}),
          ...(value.stop_reason ? { stopReason: value.stop_reason } : {}),
          ...(threadId ? { threadId } : {}),
        },
      },
      request: { url, body },
      response: {
        ...(value.id ? { id: value.id } : {}),
        ...(value.model ? { modelId: value.model } : {}),
        ...(value.created ? { timestamp: new Date(value.created * 1000) } : {}),
        ...(responseHeaders ? { headers: responseHeaders } : {}),
        body: rawValue,
      },
      warnings,
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { body, headers, warnings, approved, call } = await this.getArgs(options, true);
    const url = this.config.url('/chat/completions');
    const { responseHeaders, value } = await postJsonToApi({
      url,
      headers,
      body,
      failedResponseHandler: threadlineFailedResponseHandler,
      successfulResponseHandler: chatEventStreamHandler,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      ...(this.config.fetch ? { fetch: this.config.fetch } : {}),
    });
    const stream = chatStreamParts(value, {
      warnings,
      includeRawChunks: options.includeRawChunks === true,
      runIdHeader: responseHeaders?.[HEADERS.runId],
      threadIdHeader: responseHeaders?.[HEADERS.threadId],
      ...(approved.length
        ? { approvedResults: () => this.approvedResults(approved, headers, false, options.abortSignal) }
        : {}),
    });
    return {
      stream: markFinished(stream, call),
      request: { url, body },
      ...(responseHeaders ? { response: { headers: responseHeaders } } : {}),
    };
  }
}

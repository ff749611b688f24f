import {
  APICallError,
  JSONParseError,
  type LanguageModelV4FinishReason,
  type LanguageModelV4StreamPart,
  type LanguageModelV4ToolCall,
  type LanguageModelV4ToolResult,
  type SharedV4Warning,
  TypeValidationError,
} from '@ai-sdk/provider';
import {
  createProviderStreamError,
  EventSourceParserStream,
  extractResponseHeaders,
  isAbortError,
  type ParseResult,
  type ResponseHandler,
  secureJsonParse,
} from '@ai-sdk/provider-utils';
import { isPauseId } from './internal/approvals';
import { streamError } from './internal/errors';
import { mapThreadlineFinishReason } from './map-threadline-finish-reason';
import { mapThreadlineUsage } from './map-threadline-usage';
import {
  chunkSchema,
  errorFrameSchema,
  progressSchema,
  type ThreadlineChatFrame,
} from './threadline-chat-api';

/**
 * One frame, parsed and checked synchronously against the one schema its shape calls for (a union
 * would try each in turn on every chunk of a long stream).
 */
function parseFrame(text: string): ParseResult<ThreadlineChatFrame> {
  let rawValue: unknown;
  try {
    rawValue = secureJsonParse(text);
  } catch (cause) {
    return { success: false, error: new JSONParseError({ text, cause }), rawValue: undefined };
  }
  const record =
    typeof rawValue === 'object' && rawValue !== null ? (rawValue as Record<string, unknown>) : {};
  const schema =
    'error' in record
      ? errorFrameSchema
      : record.object === 'chat.completion.progress'
        ? progressSchema
        : chunkSchema;
  const checked = schema.safeParse(rawValue);
  return checked.success
    ? { success: true, value: checked.data, rawValue }
    : { success: false, error: new TypeValidationError({ value: rawValue, cause: checked.error }), rawValue };
}

export type ChatEvent = { done: true } | { done: false; result: ParseResult<ThreadlineChatFrame> };

/**
 * Reads the SSE body with provider-utils' EventSourceParserStream (eventsource-parser). Unlike
 * createEventSourceResponseHandler it reports `[DONE]`, which the protocol needs to tell a finished
 * stream from one that stopped short, and it refuses a body that is not an event stream.
 */
export const chatEventStreamHandler: ResponseHandler<ReadableStream<ChatEvent>> = async ({
  response,
  url,
  requestBodyValues,
}) => {
  const responseHeaders = extractResponseHeaders(response);
  const type = response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('text/event-stream') || response.body == null) {
    const responseBody = (await response.text().catch(() => '')).slice(0, 16 * 1024);
    throw new APICallError({
      message: `expected a text/event-stream answer to a streamed request, got ${type || 'no content type'}`,
      url,
      requestBodyValues,
      statusCode: response.status,
      responseHeaders,
      responseBody,
      isRetryable: false,
    });
  }
  const value = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .pipeThrough(
      new TransformStream<{ data: string }, ChatEvent>({
        transform({ data }, controller) {
          if (data === '[DONE]') controller.enqueue({ done: true });
          else controller.enqueue({ done: false, result: parseFrame(data) });
        },
      }),
    );
  return { responseHeaders, value };
};

/** Arguments a server may stream for one tool call: a bound against a server that never stops. */
const MAX_TOOL_ARGS = 4 * 1024 * 1024;
/** Tool calls one answer may open (their `index`). */
const MAX_TOOL_CALLS = 128;

interface OpenToolCall {
  id: string;
  name: string;
  args: string;
  pause: boolean;
  ended: boolean;
}

export interface ChatStreamOptions {
  warnings: SharedV4Warning[];
  includeRawChunks: boolean;
  runIdHeader: string | undefined;
  threadIdHeader: string | undefined;
  /** Results of approved server tools, read once the resumed run has started (see run-record.ts). */
  approvedResults?: () => Promise<(LanguageModelV4ToolCall | LanguageModelV4ToolResult)[]>;
}

/** Turns chat events into the SDK's stream parts. */
export function chatStreamParts(
  events: ReadableStream<ChatEvent>,
  options: ChatStreamOptions,
): ReadableStream<LanguageModelV4StreamPart> {
  const reader = events.getReader();
  const calls: OpenToolCall[] = [];
  let textOpen = false;
  let reasoningOpen = false;
  let started = false;
  let finishRaw: string | undefined;
  let stopReason: string | undefined;
  let usage: Parameters<typeof mapThreadlineUsage>[0];
  let runId = options.runIdHeader;
  let failed = false;
  let sawDone = false;
  let finished = false;
  let aborted = false;

  /** Closes what is open; tool calls become calls only when the answer said it was done with them. */
  const endOpenParts = (out: LanguageModelV4StreamPart[], callsComplete: boolean) => {
    if (textOpen) out.push({ type: 'text-end', id: 'text-0' });
    if (reasoningOpen) out.push({ type: 'reasoning-end', id: 'reasoning-0' });
    textOpen = reasoningOpen = false;
    for (const call of calls) {
      if (call.ended) continue;
      call.ended = true;
      out.push({ type: 'tool-input-end', id: call.id });
      if (!callsComplete) continue; // cut off: its arguments may be half there
      const input = call.args || '{}';
      if (call.pause) {
        out.push({
          type: 'tool-call',
          toolCallId: call.id,
          toolName: call.name,
          input,
          providerExecuted: true,
          dynamic: true,
        });
        out.push({ type: 'tool-approval-request', approvalId: call.id, toolCallId: call.id });
      } else {
        out.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input });
      }
    }
  };

  const finish = (out: LanguageModelV4StreamPart[], reason?: LanguageModelV4FinishReason) => {
    endOpenParts(out, false);
    finished = true;
    const mapped = mapThreadlineFinishReason(finishRaw, stopReason);
    const finishReason =
      reason ??
      (failed
        ? { unified: 'error', raw: finishRaw }
        : sawDone
          ? mapped
          : { unified: 'interrupted', raw: finishRaw });
    const threadline: Record<string, string> = {};
    if (runId) threadline.runId = runId;
    if (stopReason) threadline.stopReason = stopReason;
    if (options.threadIdHeader) threadline.threadId = options.threadIdHeader;
    out.push({
      type: 'finish',
      finishReason,
      usage: mapThreadlineUsage(usage),
      providerMetadata: { threadline },
    });
  };

  // Synchronous on purpose: a long stream pays for every await per chunk.
  const handle = (
    frame: ThreadlineChatFrame,
    out: LanguageModelV4StreamPart[],
    results: LanguageModelV4StreamPart[],
  ) => {
    if ('error' in frame) {
      failed = true;
      out.push({ type: 'error', error: streamError(frame, runId) });
      return;
    }
    if (!('choices' in frame) || failed) return; // a progress event, or content after a failure
    if (!started) {
      started = true;
      runId ??= frame.id ?? undefined;
      out.push({
        type: 'response-metadata',
        ...(frame.id ? { id: frame.id } : {}),
        ...(frame.model ? { modelId: frame.model } : {}),
        ...(frame.created ? { timestamp: new Date(frame.created * 1000) } : {}),
      });
      out.push(...results);
    }
    if (frame.usage) usage = frame.usage;
    if (frame.stop_reason) stopReason = frame.stop_reason;
    const choice = frame.choices[0];
    if (!choice) return;
    const delta = choice.delta;
    if (delta?.reasoning_content) {
      if (!reasoningOpen) out.push({ type: 'reasoning-start', id: 'reasoning-0' });
      reasoningOpen = true;
      out.push({ type: 'reasoning-delta', id: 'reasoning-0', delta: delta.reasoning_content });
    }
    if (delta?.content) {
      if (!textOpen) out.push({ type: 'text-start', id: 'text-0' });
      textOpen = true;
      out.push({ type: 'text-delta', id: 'text-0', delta: delta.content });
    }
    for (const piece of delta?.tool_calls ?? []) {
      let call = calls[piece.index];
      if (!call) {
        if (!piece.id || !piece.function?.name || piece.index >= MAX_TOOL_CALLS) {
          failed = true;
          out.push({
            type: 'error',
            error: createProviderStreamError({
              message: `a tool call began without an id and a name, or past the ${MAX_TOOL_CALLS} calls one answer may open`,
              data: { runId, piece },
            }),
          });
          return;
        }
        const pause = isPauseId(piece.id);
        call = { id: piece.id, name: piece.function.name, args: '', pause, ended: false };
        calls[piece.index] = call;
        out.push({
          type: 'tool-input-start',
          id: call.id,
          toolName: call.name,
          ...(pause ? { providerExecuted: true, dynamic: true } : {}),
        });
      }
      const args = piece.function?.arguments;
      if (args) {
        call.args += args;
        if (call.args.length > MAX_TOOL_ARGS) {
          failed = true;
          out.push({
            type: 'error',
            error: createProviderStreamError({
              message: `tool call ${call.id} sent more than ${MAX_TOOL_ARGS} characters of arguments`,
              data: { runId },
            }),
          });
          return;
        }
        out.push({ type: 'tool-input-delta', id: call.id, delta: args });
      }
    }
    if (choice.finish_reason) {
      finishRaw = choice.finish_reason;
      endOpenParts(out, !failed);
    }
  };

  return new ReadableStream<LanguageModelV4StreamPart>({
    start(controller) {
      controller.enqueue({ type: 'stream-start', warnings: options.warnings });
    },
    async pull(controller) {
      const out: LanguageModelV4StreamPart[] = [];
      // A pull that enqueues nothing is not called again, so read until there is something to hand on.
      while (out.length === 0 && !finished) await step(out, controller);
      if (aborted) return;
      for (const part of out) controller.enqueue(part);
      if (finished) controller.close();
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });

  async function step(
    out: LanguageModelV4StreamPart[],
    controller: ReadableStreamDefaultController<LanguageModelV4StreamPart>,
  ) {
    try {
      const next = await reader.read();
      if (next.done) {
        finish(out);
      } else if (next.value.done) {
        sawDone = true;
      } else if (!sawDone) {
        // Nothing counts after [DONE] (a server that keeps sending is broken, not continuing).
        const { result } = next.value;
        if (options.includeRawChunks) out.push({ type: 'raw', rawValue: result.rawValue });
        if (result.success) {
          // The first chunk means the resumed run started, so the approved tools have run: their
          // results go first (run-record.ts repeats a call only when the prompt lacks it: a call
          // already shown would become a second tool part in useChat).
          let results: LanguageModelV4StreamPart[] = [];
          if (!started && options.approvedResults && 'choices' in result.value) {
            results = await options.approvedResults();
          }
          handle(result.value, out, results);
        } else if (!failed) {
          failed = true;
          out.push({ type: 'error', error: result.error });
        }
      }
    } catch (error) {
      if (finished) return;
      if (isAbortError(error)) {
        finished = aborted = true;
        controller.error(error);
        return;
      }
      // The connection broke off: say so, and finish as interrupted (the run record tells how it ended).
      out.push({
        type: 'error',
        error: createProviderStreamError({
          message: `the stream broke off before it finished: ${error instanceof Error ? error.message : String(error)}`,
          isRetryable: true,
          data: { runId },
        }),
      });
      finish(out, { unified: 'interrupted', raw: finishRaw });
    }
  }
}

import type {
  LanguageModelV4FinishReason,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
  SharedV4ProviderMetadata,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { createProviderStreamError, type ParseResult } from '@ai-sdk/provider-utils';
import { mapResponsesFinishReason } from '../map-responses-finish-reason';
import { mapResponsesUsage } from '../map-responses-usage';
import type {
  ApprovalRequestOutputItem,
  FunctionCallOutputItem,
  McpCallOutputItem,
  MessageOutputItem,
  ResponsesEvent,
  ResponsesOutputItem,
  ResponsesResource,
} from '../threadline-responses-api';
import { isPauseId } from './approvals';
import type { BrokenOff } from './broken-off';
import { streamError } from './errors';
import { serverToolCall, serverToolResult } from './responses-items';

type Controller = TransformStreamDefaultController<LanguageModelV4StreamPart>;

export interface ResponsesStreamOptions {
  warnings: SharedV4Warning[];
  includeRawChunks: boolean;
  /** Run id and thread id from the response headers, for `providerMetadata.threadline`. */
  metadata: Record<string, string>;
  /** Tool call ids the prompt already shows (pauses among them): a call resumed from one gets no second call part. */
  knownToolCalls: ReadonlySet<string>;
}

interface FunctionCallState {
  callId: string;
  name: string;
  arguments: string;
}

/** Bounds what one stream may make this provider hold: a hostile server cannot grow it without limit. */
const MAX_ITEMS = 10_000;

/**
 * Responses events → V4 stream parts. Holds the stream's rules as it goes (consecutive sequence
 * numbers, one response id, items added before anything names them, text deltas adding up to the done
 * text): a stream that breaks one ends with an error part rather than with output that may be wrong.
 */
export function responsesStreamTransform(
  options: ResponsesStreamOptions,
): TransformStream<ParseResult<ResponsesEvent> | BrokenOff, LanguageModelV4StreamPart> {
  let responseId: string | undefined;
  let sequence = -1;
  let resource: ResponsesResource | undefined;
  let usage: LanguageModelV4Usage = mapResponsesUsage(undefined);
  let finish: LanguageModelV4FinishReason | undefined;
  let ended = false;
  let hasToolCalls = false;
  const items = new Map<
    string,
    'message' | 'function_call' | 'mcp_call' | 'mcp_approval_request' | 'other'
  >();
  const texts = new Map<string, { text: string; open: boolean }>();
  const functionCalls = new Map<string, FunctionCallState>();
  const announcedCalls = new Set<string>();

  const partMeta = (): SharedV4ProviderMetadata | undefined =>
    responseId ? { threadline: { responseId } } : undefined;

  const fail = (controller: Controller, error: unknown) => {
    controller.enqueue({ type: 'error', error });
    finish = { unified: 'error', raw: finish?.raw ?? 'error' };
    ended = true;
  };
  const protocolError = (controller: Controller, what: string) =>
    fail(
      controller,
      createProviderStreamError({
        message: `the server broke the Responses stream rules: ${what}`,
        code: 'invalid_stream',
        statusCode: 502,
        isRetryable: false,
        data: { runId: options.metadata.runId, responseId },
      }),
    );

  const textKey = (itemId: string, index: number | undefined) => (index ? `${itemId}:${index}` : itemId);
  const openText = (controller: Controller, id: string) => {
    const state = texts.get(id);
    if (state) return state;
    if (texts.size >= MAX_ITEMS) {
      protocolError(controller, `more than ${MAX_ITEMS} text parts`);
      return undefined;
    }
    const opened = { text: '', open: true };
    texts.set(id, opened);
    controller.enqueue({ type: 'text-start', id, ...withMeta(partMeta()) });
    return opened;
  };
  const closeTexts = (controller: Controller, prefix?: string) => {
    for (const [id, state] of texts) {
      if (!state.open || (prefix !== undefined && id !== prefix && !id.startsWith(`${prefix}:`))) continue;
      state.open = false;
      controller.enqueue({ type: 'text-end', id, ...withMeta(partMeta()) });
    }
  };

  const resumesKnownCall = (call: McpCallOutputItem) =>
    call.approval_request_id != null && options.knownToolCalls.has(call.approval_request_id);

  const itemAdded = (controller: Controller, item: ResponsesOutputItem) => {
    const id = itemId(item);
    if (items.has(id)) return protocolError(controller, `output item ${id} added twice`);
    if (items.size >= MAX_ITEMS) return protocolError(controller, `more than ${MAX_ITEMS} output items`);
    items.set(id, kindOf(item));
    if (item.type === 'function_call') {
      const call = item as FunctionCallOutputItem;
      functionCalls.set(id, { callId: call.call_id, name: call.name, arguments: '' });
      controller.enqueue({ type: 'tool-input-start', id: call.call_id, toolName: call.name });
    } else if (item.type === 'mcp_call') {
      const call = item as McpCallOutputItem;
      // A running server tool shows as soon as it starts. One an approval let run is already on screen
      // as the pause (when the prompt holds it): only its result follows, on the same id.
      if (!resumesKnownCall(call)) {
        controller.enqueue(serverToolCall(call, responseId));
        announcedCalls.add(id);
      }
    }
  };

  const itemDone = (controller: Controller, item: ResponsesOutputItem) => {
    const id = itemId(item);
    switch (item.type) {
      case 'message': {
        // A text the deltas never carried (a server that sends whole items only) still arrives.
        (item as MessageOutputItem).content?.forEach((part, index) => {
          const key = textKey(id, index);
          if (texts.has(key) || !part.text) return;
          if (openText(controller, key))
            controller.enqueue({ type: 'text-delta', id: key, delta: part.text });
        });
        closeTexts(controller, id);
        return;
      }
      case 'function_call': {
        const call = item as FunctionCallOutputItem;
        const state = functionCalls.get(id);
        const input = call.arguments ?? state?.arguments ?? '';
        controller.enqueue({ type: 'tool-input-end', id: call.call_id });
        controller.enqueue({
          type: 'tool-call',
          toolCallId: call.call_id,
          toolName: call.name,
          input: input === '' ? '{}' : input,
          ...withMeta(responseId ? { threadline: { itemId: id, responseId } } : undefined),
        });
        hasToolCalls = true;
        return;
      }
      case 'mcp_call': {
        const call = item as McpCallOutputItem;
        if (!resumesKnownCall(call) && !announcedCalls.has(id)) {
          controller.enqueue(serverToolCall(call, responseId));
        }
        controller.enqueue(serverToolResult(call, responseId));
        return;
      }
      case 'mcp_approval_request': {
        const pause = item as ApprovalRequestOutputItem;
        // A decision can only be sent back for an id of the documented form.
        if (!isPauseId(pause.id))
          return protocolError(
            controller,
            `approval id ${pause.id.slice(0, 80)} is not <run_id>::<tool_call_id>`,
          );
        controller.enqueue(serverToolCall(pause, responseId));
        // The approval id is the tool call id too: the pause, the decision and the result share one part.
        controller.enqueue({ type: 'tool-approval-request', approvalId: pause.id, toolCallId: pause.id });
        hasToolCalls = true;
        return;
      }
    }
  };

  const handle = (controller: Controller, event: ResponsesEvent) => {
    const { type } = event;
    if (type === undefined) return; // The progress extension and other untyped events.
    if (event.sequence_number !== undefined && event.sequence_number !== ++sequence) {
      return protocolError(
        controller,
        `${type} has sequence_number ${event.sequence_number}, expected ${sequence}`,
      );
    }
    if (event.response) {
      if (responseId !== undefined && event.response.id !== responseId) {
        return protocolError(
          controller,
          `the response id changed from ${responseId} to ${event.response.id}`,
        );
      }
      if (responseId === undefined) {
        responseId = event.response.id;
        const created = event.response.created_at;
        controller.enqueue({
          type: 'response-metadata',
          id: responseId,
          ...(typeof created === 'number' ? { timestamp: new Date(created * 1000) } : {}),
          ...(event.response.model ? { modelId: event.response.model } : {}),
        });
      }
    }
    const referenced = type.startsWith('response.output_item.') ? undefined : event.item_id;
    if (referenced !== undefined && !items.has(referenced)) {
      return protocolError(controller, `${type} names item ${referenced}, which was never added`);
    }
    switch (type) {
      case 'response.output_item.added':
        if (event.item) itemAdded(controller, event.item);
        return;
      case 'response.output_item.done':
        if (!event.item) return;
        if (!items.has(itemId(event.item))) {
          return protocolError(controller, `output item ${itemId(event.item)} done but never added`);
        }
        return itemDone(controller, event.item);
      case 'response.content_part.added':
        openText(controller, textKey(referenced!, event.content_index));
        return;
      case 'response.output_text.delta': {
        const key = textKey(referenced!, event.content_index);
        const state = openText(controller, key);
        if (!state) return;
        state.text += event.delta ?? '';
        if (event.delta) controller.enqueue({ type: 'text-delta', id: key, delta: event.delta });
        return;
      }
      case 'response.output_text.done': {
        const state = texts.get(textKey(referenced!, event.content_index));
        if (event.text !== undefined && (state?.text ?? '') !== event.text) {
          return protocolError(
            controller,
            `text deltas of item ${referenced} do not add up to its done text`,
          );
        }
        return;
      }
      case 'response.function_call_arguments.delta': {
        const call = functionCalls.get(referenced!);
        if (!call || !event.delta) return;
        call.arguments += event.delta;
        controller.enqueue({ type: 'tool-input-delta', id: call.callId, delta: event.delta });
        return;
      }
      case 'response.function_call_arguments.done': {
        const call = functionCalls.get(referenced!);
        if (call && event.arguments !== undefined) call.arguments = event.arguments;
        return;
      }
      case 'error':
        return fail(controller, streamError(event, options.metadata.runId));
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        resource = event.response;
        usage = mapResponsesUsage(resource?.usage);
        if (type === 'response.failed') {
          return fail(
            controller,
            streamError(
              { error: resource?.error ?? { message: 'The response failed.' } },
              options.metadata.runId,
            ),
          );
        }
        finish = mapResponsesFinishReason({
          status: resource?.status ?? type.slice('response.'.length),
          incompleteReason: resource?.incomplete_details?.reason,
          hasToolCalls,
        });
        ended = true;
        return;
      }
    }
  };

  return new TransformStream({
    start(controller) {
      controller.enqueue({ type: 'stream-start', warnings: options.warnings });
    },
    transform(chunk, controller) {
      if ('brokenOff' in chunk) {
        if (ended) return;
        // The connection broke off: say so, and finish interrupted (the run record tells how it ended).
        const cause = chunk.brokenOff;
        controller.enqueue({
          type: 'error',
          error: createProviderStreamError({
            message: `the stream broke off before it finished: ${cause instanceof Error ? cause.message : String(cause)}`,
            isRetryable: true,
            data: { runId: options.metadata.runId, responseId },
          }),
        });
        finish = { unified: 'interrupted', raw: undefined };
        ended = true;
        return;
      }
      if (options.includeRawChunks) controller.enqueue({ type: 'raw', rawValue: chunk.rawValue });
      // After the terminal event (or an error) nothing more is read: a second terminal event changes nothing.
      if (ended) return;
      if (!chunk.success) return fail(controller, chunk.error);
      handle(controller, chunk.value);
    },
    flush(controller) {
      closeTexts(controller);
      controller.enqueue({
        type: 'finish',
        // No terminal event and no error: the stream stopped early, and the output may be cut short.
        finishReason: finish ?? mapResponsesFinishReason({ status: undefined, hasToolCalls }),
        usage,
        providerMetadata: {
          threadline: { ...options.metadata, ...(responseId ? { responseId } : {}) },
        },
      });
    },
  });
}

function withMeta(providerMetadata: SharedV4ProviderMetadata | undefined) {
  return providerMetadata ? { providerMetadata } : {};
}

function itemId(item: ResponsesOutputItem): string {
  return (item as { id?: string | null }).id ?? (item as { call_id?: string }).call_id ?? '';
}

function kindOf(item: ResponsesOutputItem) {
  switch (item.type) {
    case 'message':
    case 'function_call':
    case 'mcp_call':
    case 'mcp_approval_request':
      return item.type;
    default:
      return 'other' as const;
  }
}

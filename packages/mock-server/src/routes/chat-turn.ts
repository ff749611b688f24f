import type { ChatCompletionRequest } from '@threadline/protocol/schemas';
import type { TurnRequest } from '../engine/types';

/** The chat door's request → turn: chat's field names and forms become the engine's neutral ones. */
export function chatTurnRequest(request: ChatCompletionRequest): TurnRequest {
  const { max_tokens: a, max_completion_tokens: b, stop, response_format: format } = request;
  const json = (format as { json_schema?: { schema?: unknown } } | null | undefined)?.json_schema;
  return {
    door: 'chat',
    model: request.model ?? '',
    stream: request.stream === true,
    messages: request.messages,
    tools: request.tools ?? [],
    toolChoice: request.tool_choice ?? null,
    parallelToolCalls: request.parallel_tool_calls !== false,
    stop: stop == null ? [] : typeof stop === 'string' ? [stop] : stop,
    // Both limits given: the lower one holds.
    maxTokens: a == null ? (b ?? null) : b == null ? a : Math.min(a, b),
    responseFormat:
      format == null
        ? null
        : format.type === 'json_schema'
          ? { type: 'json_schema', schema: json?.schema }
          : { type: format.type },
    topLogprobs: request.logprobs === true ? (request.top_logprobs ?? 0) : null,
  };
}

import { ERROR_CODES } from '@threadline/protocol';
import {
  type ChatMessage,
  type InputContentPart,
  type InputItem,
  type ResponseFunctionTool,
  type ResponsesRequest,
  type ResponseToolChoice,
  reportedIssue,
  responsesRequestSchema,
  type responseTextFormatSchema,
} from '@threadline/protocol/schemas';
import type { z } from 'zod';
import type { TurnRequest } from '../../engine/types';
import type { FaultSet } from '../../faults/parse';
import { HttpError, invalidValue } from '../../internal/errors';
import { validationError } from '../../internal/validation';

type ResponseTextFormat = z.infer<typeof responseTextFormatSchema>;

/** What a response echoes of its request: every field the standard requires, null where not given. */
export interface ResponseEcho {
  previousResponseId: string | null;
  instructions: string | null;
  tools: ResponseFunctionTool[];
  toolChoice: ResponseToolChoice;
  parallelToolCalls: boolean;
  textFormat: ResponseTextFormat;
  temperature: number;
  topP: number;
  presencePenalty: number;
  frequencyPenalty: number;
  topLogprobs: number;
  maxOutputTokens: number | null;
  maxToolCalls: number | null;
  store: boolean;
  metadata: Record<string, string>;
  truncation: 'auto' | 'disabled';
  safetyIdentifier: string | null;
  promptCacheKey: string | null;
  reasoning: { effort: ReasoningEffort | null; summary: ReasoningSummary | null } | null;
}

type ReasoningEffort = 'none' | 'low' | 'medium' | 'high' | 'xhigh';
type ReasoningSummary = 'concise' | 'detailed' | 'auto';
const EFFORTS: readonly string[] = ['none', 'low', 'medium', 'high', 'xhigh'];
const SUMMARIES: readonly string[] = ['concise', 'detailed', 'auto'];

/** A string field the schema lets through unchecked, echoed when it is a string of at most `max`. */
function passedString(request: ResponsesRequest, key: string, max: number): string | null {
  const value = (request as Record<string, unknown>)[key];
  return typeof value === 'string' && value.length <= max ? value : null;
}

/** `reasoning` as sent (the model does not reason, but the echo says what was asked), or null. */
function reasoningOf(request: ResponsesRequest): ResponseEcho['reasoning'] {
  const value = (request as Record<string, unknown>).reasoning;
  if (typeof value !== 'object' || value === null) return null;
  const { effort, summary } = value as { effort?: unknown; summary?: unknown };
  return {
    effort: typeof effort === 'string' && EFFORTS.includes(effort) ? (effort as ReasoningEffort) : null,
    summary:
      typeof summary === 'string' && SUMMARIES.includes(summary) ? (summary as ReasoningSummary) : null,
  };
}

/** A validated Responses request, ready to become a turn. */
export interface ParsedResponsesRequest {
  request: ResponsesRequest;
  echo: ResponseEcho;
}

/** The input as the engine's messages. */
export interface InputMessages {
  messages: ChatMessage[];
  /** For each message with content parts: the index of the input item it came from. */
  partSources: Map<number, number>;
}

/** The messages a stored item stands for (an `item_reference`), or null when there is none. */
export type ItemResolver = (id: string) => ChatMessage[] | null;

/** The conversation a `compaction` item's `encrypted_content` stands for; throws a 400 at `param`. */
export type CompactionReader = (content: string, param: string) => ChatMessage[];

const SAMPLING_KEYS = [
  'temperature',
  'top_p',
  'presence_penalty',
  'frequency_penalty',
  'top_logprobs',
  'max_output_tokens',
] as const;

/** The lenient-sampling fault: sampling values the schema refuses are dropped instead. */
function lenient(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...body };
  for (const key of SAMPLING_KEYS) {
    if (key in out && !responsesRequestSchema.shape[key].safeParse(out[key]).success) delete out[key];
  }
  return out;
}

const invalidToolChoice = (message: string) =>
  new HttpError({ status: 400, code: ERROR_CODES.invalidToolChoice, param: 'tool_choice', message });

/**
 * Validates a Responses request with the protocol schema (a bad input item is reported at its own
 * field), then `tool_choice`'s rules as on chat: it needs a non-empty `tools` array and may only name a
 * tool in it (skipped under ignore-tool-choice).
 */
export function parseResponsesRequest(body: unknown, faults: FaultSet): ParsedResponsesRequest {
  const parsed = responsesRequestSchema.safeParse(faults.lenientSampling ? lenient(body) : body);
  if (!parsed.success) {
    const issue = reportedIssue(parsed.error.issues) ?? parsed.error.issues[0]!;
    throw validationError({ issues: [issue] } as unknown as z.ZodError, body);
  }
  const request = parsed.data;
  const noInput = request.input == null || (Array.isArray(request.input) && request.input.length === 0);
  if (noInput && request.previous_response_id == null) {
    // Nothing to answer: neither new input nor a conversation to continue.
    throw new HttpError({
      status: 400,
      code: ERROR_CODES.missingParameter,
      param: 'input',
      message: "Missing required parameter: 'input' (or 'previous_response_id').",
    });
  }
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (choice != null && !faults.ignoreToolChoice) {
    if (tools.length === 0)
      throw invalidToolChoice('tool_choice is only allowed with a non-empty tools array.');
    if (typeof choice === 'object' && !tools.some((tool) => tool.name === choice.name)) {
      throw invalidToolChoice(`tool_choice names '${choice.name}', which is not in tools.`);
    }
  }
  return { request, echo: echoOf(request) };
}

/** The request's input items as the engine's messages (docs/protocol.md, Responses request → turn). */
export function inputMessages(
  request: Pick<ResponsesRequest, 'input'>,
  resolve: ItemResolver,
  readCompaction?: CompactionReader,
): InputMessages {
  const messages: ChatMessage[] = [];
  const partSources = new Map<number, number>();
  if (typeof request.input === 'string') {
    messages.push({ role: 'user', content: request.input } as ChatMessage);
  } else {
    const items = request.input ?? [];
    for (let i = 0; i < items.length; i++) {
      addItem(messages, items[i]!, i, partSources, resolve, readCompaction);
    }
  }
  return { messages, partSources };
}

function echoOf(request: ResponsesRequest): ResponseEcho {
  const format = request.text?.format;
  const textFormat: ResponseTextFormat =
    format?.type === 'json_schema'
      ? {
          type: 'json_schema',
          name: format.name,
          description: format.description ?? null,
          schema: null,
          strict: format.strict ?? false,
        }
      : format?.type === 'json_object'
        ? { type: 'json_object' }
        : { type: 'text' };
  return {
    previousResponseId: request.previous_response_id ?? null,
    instructions: request.instructions ?? null,
    tools: (request.tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? null,
    })),
    toolChoice: request.tool_choice ?? 'auto',
    parallelToolCalls: request.parallel_tool_calls ?? true,
    textFormat,
    temperature: request.temperature ?? 1,
    topP: request.top_p ?? 1,
    presencePenalty: request.presence_penalty ?? 0,
    frequencyPenalty: request.frequency_penalty ?? 0,
    topLogprobs: request.top_logprobs ?? 0,
    maxOutputTokens: request.max_output_tokens ?? null,
    maxToolCalls: request.max_tool_calls ?? null,
    store: request.store !== false,
    metadata: request.metadata ?? {},
    truncation: request.truncation ?? 'disabled',
    safetyIdentifier: passedString(request, 'safety_identifier', 64),
    promptCacheKey: passedString(request, 'prompt_cache_key', 64),
    reasoning: reasoningOf(request),
  };
}

/** The chat content part an input part stands for (inline bytes are stored by the engine). */
function chatPart(part: InputContentPart, param: string): unknown {
  if (part.type === 'input_text') return { type: 'text', text: part.text };
  if (part.type === 'input_image') {
    if (part.image_url != null) return { type: 'image_url', image_url: { url: part.image_url } };
    return { type: 'file', file: { file_id: part.file_id } };
  }
  if (part.file_data != null) {
    return {
      type: 'file',
      file: { file_data: part.file_data, ...(part.filename != null ? { filename: part.filename } : {}) },
    };
  }
  if (part.file_id != null) return { type: 'file', file: { file_id: part.file_id } };
  throw invalidValue(`${param}.file_url`, 'file_url is not supported: send file_data or file_id.');
}

/** A replayed failed call's error as text: an execution error's text blocks, or a protocol/HTTP error's message. */
function mcpErrorText(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const { content, message } = error as { content?: unknown; message?: unknown };
  if (typeof message === 'string') return message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((block) => (typeof block?.text === 'string' ? (block.text as string) : '')).join('');
}

const textOf = (content: string | ReadonlyArray<{ type: string; text?: string; refusal?: string }>) =>
  typeof content === 'string'
    ? content
    : content
        .map((part) => part.text ?? part.refusal ?? '')
        .filter((text) => text !== '')
        .join('\n');

/** The assistant message a replayed call joins: the one just before it, or a new one. */
function assistantFor(messages: ChatMessage[]): { tool_calls: unknown[] } {
  const last = messages[messages.length - 1] as { role: string; tool_calls?: unknown[] } | undefined;
  if (last?.role === 'assistant') {
    last.tool_calls ??= [];
    return last as { tool_calls: unknown[] };
  }
  const created = { role: 'assistant', content: null, tool_calls: [] as unknown[] };
  messages.push(created as unknown as ChatMessage);
  return created;
}

const toolCall = (id: string, name: string, args: string) => ({
  id,
  type: 'function',
  function: { name, arguments: args },
});

/** One input item as the chat messages the engine reads (docs/protocol.md, Responses request → turn). */
function addItem(
  messages: ChatMessage[],
  item: InputItem,
  index: number,
  partSources: Map<number, number>,
  resolve: ItemResolver,
  readCompaction?: CompactionReader,
): void {
  const param = `input[${index}]`;
  const push = (message: Record<string, unknown>) => messages.push(message as unknown as ChatMessage);
  switch (item.type) {
    case undefined:
    case 'message': {
      if (item.role === 'user' && typeof item.content !== 'string') {
        const parts = item.content.map((part, j) => chatPart(part, `${param}.content[${j}]`));
        partSources.set(messages.length, index);
        push({ role: 'user', content: parts });
      } else push({ role: item.role, content: textOf(item.content) });
      return;
    }
    case 'function_call':
      assistantFor(messages).tool_calls.push(toolCall(item.call_id, item.name, item.arguments));
      return;
    case 'function_call_output':
      push({ role: 'tool', tool_call_id: item.call_id, content: textOf(item.output) });
      return;
    case 'mcp_approval_request':
      assistantFor(messages).tool_calls.push(toolCall(item.id, item.name, item.arguments));
      return;
    case 'mcp_approval_response':
      // The decision a chat tool message answering the approval id carries.
      push({
        role: 'tool',
        tool_call_id: item.approval_request_id,
        content: item.approve ? 'approve' : 'reject',
      });
      return;
    case 'mcp_call':
      // An executed server call, as memory records one: the call, then its result (a failed one: its error).
      assistantFor(messages).tool_calls.push(toolCall(item.id, item.name, item.arguments));
      push({ role: 'tool', tool_call_id: item.id, content: item.output ?? mcpErrorText(item.error) });
      return;
    case 'reasoning':
      // The deterministic model does not reason: a replayed reasoning item adds nothing.
      return;
    case 'item_reference': {
      const referenced = resolve(item.id);
      if (!referenced) throw invalidValue(`${param}.id`, `No stored item has the id '${item.id}'.`);
      // Copies: a replayed call after it may join the message's tool calls, which the store must keep as they were.
      for (const message of referenced) {
        const calls = (message as { tool_calls?: unknown[] }).tool_calls;
        push({ ...message, ...(calls ? { tool_calls: [...calls] } : {}) } as Record<string, unknown>);
      }
      return;
    }
    case 'compaction': {
      if (!readCompaction) {
        throw invalidValue(`${param}.type`, `input items of type '${item.type}' are not supported here.`);
      }
      // The whole compacted conversation, in order, where the item stands.
      for (const message of readCompaction(item.encrypted_content, `${param}.encrypted_content`)) {
        push(message as unknown as Record<string, unknown>);
      }
      return;
    }
  }
}

/** The `include` value that asks for the output text's token log probabilities. */
export const LOGPROBS_INCLUDE = 'message.output_text.logprobs';

/** This door's request → turn: flat tools and `tool_choice`, `max_output_tokens`, `text.format`. */
export function turnRequest(parsed: ParsedResponsesRequest, messages: ChatMessage[]): TurnRequest {
  const { request } = parsed;
  const choice = request.tool_choice;
  const format = request.text?.format;
  return {
    door: 'responses',
    model: request.model ?? '',
    stream: request.stream === true,
    messages,
    tools: (request.tools ?? []).map((tool) => ({
      type: 'function' as const,
      function: {
        name: tool.name,
        ...(tool.description != null ? { description: tool.description } : {}),
        ...(tool.parameters != null ? { parameters: tool.parameters } : {}),
      },
    })),
    toolChoice:
      choice == null
        ? null
        : typeof choice === 'string'
          ? choice
          : { type: 'function', function: { name: choice.name } },
    parallelToolCalls: request.parallel_tool_calls !== false,
    stop: [],
    maxTokens: request.max_output_tokens ?? null,
    responseFormat:
      format?.type === 'json_schema'
        ? { type: 'json_schema', schema: format.schema }
        : format?.type === 'json_object'
          ? { type: 'json_object' }
          : null,
    // Asked for by naming them in `include`; `top_logprobs` then says how many alternatives.
    topLogprobs: request.include?.includes(LOGPROBS_INCLUDE) ? (request.top_logprobs ?? 0) : null,
  };
}

/**
 * Every `function_call_output` must answer a call made earlier in the conversation (the previous
 * response's or a replayed `function_call`): otherwise the continuation is an error, written nowhere.
 */
export function checkCallOutputs(messages: readonly ChatMessage[], request: ResponsesRequest): void {
  if (typeof request.input === 'string' || !request.input) return;
  const issued = new Set<string>();
  for (const message of messages) {
    if (message.role === 'assistant') for (const call of message.tool_calls ?? []) issued.add(call.id);
  }
  request.input.forEach((item, i) => {
    if (item.type === 'function_call_output' && !issued.has(item.call_id)) {
      throw invalidValue(
        `input[${i}].call_id`,
        `No function_call with call_id '${item.call_id}' precedes this function_call_output.`,
      );
    }
  });
}

/** Where a chat part's field is on an input part: `image_url.url` is `image_url`, `file.x` is `x`. */
const PART_FIELDS: Record<string, string> = {
  'image_url.url': 'image_url',
  'file.file_data': 'file_data',
  'file.file_id': 'file_id',
  'file.filename': 'filename',
};

/**
 * Storing a content part names the chat message it failed in (`messages[k].content[j]...`); on this door
 * that is an input item's part. `offset` is how many messages (instructions, history) precede the input.
 */
export function inputParam(error: unknown, offset: number, partSources: Map<number, number>): unknown {
  if (!(error instanceof HttpError) || error.param === null || !error.param.startsWith('messages['))
    return error;
  const close = error.param.indexOf(']');
  const message = Number(error.param.slice('messages['.length, close)) - offset;
  const item = partSources.get(message);
  if (item === undefined) return error;
  const rest = error.param.slice(close + 1);
  const dot = rest.indexOf('.', 1);
  const part = dot === -1 ? rest : rest.slice(0, dot);
  const field = dot === -1 ? '' : rest.slice(dot + 1);
  const mapped = field === '' ? '' : `.${PART_FIELDS[field] ?? field}`;
  return new HttpError({
    status: error.status,
    code: error.code,
    type: error.type,
    param: `input[${item}]${part}${mapped}`,
    message: error.message.split(error.param).join(`input[${item}]${part}${mapped}`),
    headers: error.headers,
  });
}

import { APPROVAL_ID_SEPARATOR, ERROR_CODES } from '@threadline/protocol';
import type {
  ChatMessage,
  InputContentPart,
  InputItem,
  ResponsesRequest,
} from '@threadline/protocol/schemas';
import { HttpError, invalidValue } from '../../internal/errors';

// The Responses request's input items as the engine's chat messages, with the checks and error params that go with them.

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
      // Always a decision: an id that is not `<run_id>::<tool_call_id>` was never issued, and must not
      // pass for a client tool's result (ids with `::` are refused later, with every other decision).
      if (!item.approval_request_id.includes(APPROVAL_ID_SEPARATOR)) {
        throw invalidValue(
          `${param}.approval_request_id`,
          `'${item.approval_request_id.slice(0, 80)}' is not an approval id: use the id of the mcp_approval_request, <run_id>::<tool_call_id>.`,
          ERROR_CODES.unknownApprovalId,
        );
      }
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

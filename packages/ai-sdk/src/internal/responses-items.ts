import type { JSONValue, LanguageModelV4ToolCall, LanguageModelV4ToolResult } from '@ai-sdk/provider';
import type { ApprovalRequestOutputItem, McpCallOutputItem } from '../threadline-responses-api';

// The server-tool items of the Responses door as the SDK's provider-executed parts. Shared by the
// JSON answer and the stream, so both doors of one model say the same thing.

const MAX_RESULT_PARSE = 1024 * 1024;

/** The tool call id a server call lands on: the approval id when an approval let it run, so the pause,
 * the decision and the result are one UI part; its own item id otherwise. */
export const mcpCallToolCallId = (item: McpCallOutputItem) => item.approval_request_id ?? item.id;

function meta(item: { id: string; server_label?: string | null }, responseId: string | undefined) {
  return {
    threadline: {
      itemId: item.id,
      ...(item.server_label ? { serverLabel: item.server_label } : {}),
      ...(responseId ? { responseId } : {}),
    },
  };
}

/** A server call or pause as a provider-executed, dynamic tool call (server tools are not in `tools`). */
export function serverToolCall(
  item: McpCallOutputItem | ApprovalRequestOutputItem,
  responseId: string | undefined,
): LanguageModelV4ToolCall {
  return {
    type: 'tool-call',
    toolCallId: item.type === 'mcp_call' ? mcpCallToolCallId(item) : item.id,
    toolName: item.name,
    input: item.arguments || '{}',
    providerExecuted: true,
    dynamic: true,
    providerMetadata: meta(item, responseId),
  };
}

/** The text of a failed call's error: an execution error's text blocks, or a protocol/HTTP error's message. */
function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error !== 'object' || error === null) return 'the server tool failed';
  const { content, message } = error as { content?: unknown; message?: unknown };
  if (typeof message === 'string') return message;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const text = content
      .map((block) => (typeof block?.text === 'string' ? (block.text as string) : ''))
      .join('');
    if (text) return text;
  }
  return 'the server tool failed';
}

/** A call's output: JSON when it is JSON (the demo tools answer objects), the text otherwise. */
function outputValue(output: string | null | undefined): NonNullable<JSONValue> {
  if (output == null) return '';
  if (output.length <= MAX_RESULT_PARSE) {
    try {
      const value = JSON.parse(output) as JSONValue;
      if (value !== null) return value;
    } catch {
      // Plain text.
    }
  }
  return output;
}

/** A finished server call as the result on its tool call id; a failed one is an error result. */
export function serverToolResult(
  item: McpCallOutputItem,
  responseId: string | undefined,
): LanguageModelV4ToolResult {
  const failed = item.status === 'failed' || item.error != null;
  return {
    type: 'tool-result',
    toolCallId: mcpCallToolCallId(item),
    toolName: item.name,
    result: failed ? errorText(item.error) : outputValue(item.output),
    ...(failed ? { isError: true } : {}),
    dynamic: true,
    providerMetadata: meta(item, responseId),
  };
}

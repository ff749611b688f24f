import { parseApprovalId } from '@threadline/protocol';
import type { ChatMessage, ResponseResource } from '@threadline/protocol/schemas';
import type { Reply } from '../../engine/types';
import type { FaultSet } from '../../faults/parse';
import type { ResponseEcho } from './request';
import { echoMiddle, echoTail } from './resource-json';

/** The label every server tool carries: they are this server's own, not a remote MCP server's. */
export const SERVER_LABEL = 'threadline';

/** Output items as the resource and the stream carry them (final form: status `completed`). */
export type OutputItem =
  | {
      type: 'message';
      id: string;
      status: 'completed' | 'incomplete';
      role: 'assistant';
      content: Array<{ type: 'output_text'; text: string; annotations: []; logprobs: unknown[] }>;
    }
  | {
      type: 'function_call';
      id: string;
      call_id: string;
      name: string;
      arguments: string;
      status: 'completed';
    }
  | {
      type: 'mcp_call';
      id: string;
      server_label: string;
      name: string;
      arguments: string;
      output: string | null;
      /** Set when the tool failed (then `status` is `failed`). */
      error: McpToolError | null;
      status: 'completed' | 'failed';
      approval_request_id: string | null;
    }
  | { type: 'mcp_approval_request'; id: string; server_label: string; name: string; arguments: string };

/** A failed server tool's error, as an MCP tool execution error whose content is one text block. */
export interface McpToolError {
  type: 'mcp_tool_execution_error';
  content: Array<{ type: 'text'; text: string }>;
}

const suffix = (runId: string) => runId.replace(/^run_/, '');

/**
 * The output of a turn, in order: one `mcp_call` per server tool the run executed, then the message,
 * or the client `function_call`s, or the `mcp_approval_request` of a pause.
 */
export function outputItems(runId: string, reply: Reply): OutputItem[] {
  const items: OutputItem[] = [];
  for (const call of reply.runToolCalls ?? []) {
    if (call.status !== 'executed' && call.status !== 'failed') continue;
    const failed = call.status === 'failed';
    const approval = parseApprovalId(call.id);
    items.push({
      type: 'mcp_call',
      id: `mcp_${approval ? approval.toolCallId : call.id}`,
      server_label: SERVER_LABEL,
      name: call.name,
      arguments: call.arguments,
      output: failed ? null : (call.result ?? null),
      error: failed
        ? { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: call.error ?? '' }] }
        : null,
      status: failed ? 'failed' : 'completed',
      approval_request_id: approval ? call.id : null,
    });
  }
  if (reply.stopReason === 'awaiting_approval') {
    for (const call of reply.toolCalls) {
      items.push({
        type: 'mcp_approval_request',
        id: call.id,
        server_label: SERVER_LABEL,
        name: call.name,
        arguments: call.arguments,
      });
    }
    return items;
  }
  for (const call of reply.toolCalls) {
    items.push({
      type: 'function_call',
      id: `fc_${call.id}`,
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
      status: 'completed',
    });
  }
  if (reply.text !== null && reply.toolCalls.length === 0) {
    items.push({
      type: 'message',
      id: `msg_${suffix(runId)}`,
      status: reply.finishReason === 'length' ? 'incomplete' : 'completed',
      role: 'assistant',
      content: [
        { type: 'output_text', text: reply.text, annotations: [], logprobs: reply.logprobs?.content ?? [] },
      ],
    });
  }
  return items;
}

/**
 * The output as the faults that spoil it show it: `duplicate-output-id` gives every message the id
 * `msg_0`, `hide-mcp-calls` leaves out the server tools the turn ran.
 */
export function faultedItems(items: OutputItem[], faults: FaultSet): OutputItem[] {
  let out = items;
  if (faults.hideMcpCalls) out = out.filter((item) => item.type !== 'mcp_call');
  if (faults.duplicateOutputId)
    out = out.map((item) => (item.type === 'message' ? { ...item, id: 'msg_0' } : item));
  return out;
}

/** The bad-response-object fault: the resource names another object and lacks `created_at`. */
export function spoiledResource(resource: ResponseResource): Record<string, unknown> {
  const { created_at: _created, ...rest } = resource as ResponseResource & { created_at?: unknown };
  return { ...rest, object: 'responses' };
}

export interface ResourceState {
  id: string;
  createdAt: number;
  model: string;
  status: ResponseResource['status'];
  output: OutputItem[];
  reply: Reply | null;
  error: { code: string; message: string } | null;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The response resource: the JSON answer, and the `response` of every lifecycle event. */
export function responseResource(echo: ResponseEcho, at: ResourceState): ResponseResource {
  const usage = at.reply?.usage;
  const done = at.status !== 'in_progress' && at.status !== 'queued';
  return {
    id: at.id,
    object: 'response',
    created_at: at.createdAt,
    completed_at: done ? nowSeconds() : null,
    status: at.status,
    incomplete_details: at.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    model: at.model,
    previous_response_id: echo.previousResponseId,
    instructions: echo.instructions,
    output: at.output,
    error: at.error,
    ...echoMiddle(echo),
    usage:
      done && usage
        ? {
            input_tokens: usage.prompt_tokens,
            output_tokens: usage.completion_tokens,
            total_tokens: usage.total_tokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens_details: { reasoning_tokens: 0 },
          }
        : null,
    ...echoTail(echo),
  } as ResponseResource;
}

/** How a finished turn's response ends: `incomplete` when the token limit cut the text. */
export const finalStatus = (reply: Reply): 'completed' | 'incomplete' =>
  reply.finishReason === 'length' ? 'incomplete' : 'completed';

/**
 * What a finished response adds to its conversation for `previous_response_id`, as memory records a
 * turn: executed server calls with their results, the pause's call, client calls, the text.
 */
export function replyMessages(reply: Reply): ChatMessage[] {
  const out: Array<Record<string, unknown>> = [];
  for (const call of reply.runToolCalls ?? []) {
    // A call resumed by approval is in the conversation already, as the pause and its decision.
    if ((call.status !== 'executed' && call.status !== 'failed') || parseApprovalId(call.id) !== null)
      continue;
    out.push({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } },
      ],
    });
    out.push({ role: 'tool', tool_call_id: call.id, content: call.result ?? call.error ?? '' });
  }
  const toolCalls = reply.toolCalls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  if (toolCalls.length > 0) out.push({ role: 'assistant', content: reply.text, tool_calls: toolCalls });
  else if (reply.text) out.push({ role: 'assistant', content: reply.text });
  return out as unknown as ChatMessage[];
}

/** The messages an output item stands for when a later request names it by `item_reference`. */
export function itemMessages(item: OutputItem): ChatMessage[] {
  const call = (id: string) => ({
    role: 'assistant',
    content: null,
    tool_calls: [
      {
        id,
        type: 'function',
        function: {
          name: (item as { name: string }).name,
          arguments: (item as { arguments: string }).arguments,
        },
      },
    ],
  });
  const out: Array<Record<string, unknown>> = [];
  switch (item.type) {
    case 'message':
      out.push({ role: 'assistant', content: item.content.map((part) => part.text).join('') });
      break;
    case 'function_call':
      out.push(call(item.call_id));
      break;
    case 'mcp_approval_request':
      out.push(call(item.id));
      break;
    case 'mcp_call':
      out.push(call(item.id), {
        role: 'tool',
        tool_call_id: item.id,
        content: item.output ?? errorText(item),
      });
      break;
  }
  return out as unknown as ChatMessage[];
}

/** A failed call's error as the text its tool result carries in the conversation. */
const errorText = (item: { error: McpToolError | null }): string =>
  item.error?.content.map((block) => block.text).join('') ?? '';

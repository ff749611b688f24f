/** Sample Responses values, shaped as a Threadline server sends them, for tests to build on. */

import { expect } from 'vitest';
import type { ResponsesStreamEvent, ResponsesStreamEventType } from '../../src/schemas/index';
import { assertSpecValid, type SpecName, specErrors } from './openapi';

export interface Schema {
  safeParse(value: unknown): { success: boolean; error?: unknown };
}

export const ours = (schema: Schema, value: unknown) => schema.safeParse(value).success;

/** Our schema and the spec component both accept the value. */
export function both(schema: Schema, spec: SpecName, component: string, value: unknown) {
  const parsed = schema.safeParse(value);
  expect(parsed.success, `ours refuses ${JSON.stringify(value)}: ${String(parsed.error)}`).toBe(true);
  assertSpecValid(spec, component, value);
}

/** Our schema and the spec component both refuse the value. */
export function neither(schema: Schema, spec: SpecName, component: string, value: unknown) {
  expect(ours(schema, value), `ours accepts ${JSON.stringify(value)}`).toBe(false);
  expect(specErrors(spec, component, value), `${component} accepts ${JSON.stringify(value)}`).not.toEqual([]);
}

export const usage = {
  input_tokens: 12,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 5,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 17,
};

export const textMessage = (text: string, status = 'completed') => ({
  type: 'message',
  id: 'msg_1',
  status,
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});
export const functionCall = {
  type: 'function_call',
  id: 'fc_1',
  call_id: 'call_1',
  name: 'get_weather',
  arguments: '{"city":"Oslo"}',
  status: 'completed',
};
export const mcpCall = {
  type: 'mcp_call',
  id: 'mcp_1',
  server_label: 'threadline',
  name: 'lookup_order',
  arguments: '{"id":"A1"}',
  output: '{"status":"shipped"}',
  error: null,
  status: 'completed',
  approval_request_id: null,
};
export const approvalRequest = {
  type: 'mcp_approval_request',
  id: 'run_abc::tc_1',
  server_label: 'threadline',
  name: 'delete_page',
  arguments: '{"id":"p1"}',
};

/** A response with every field the standard requires, as a Threadline server fills them in. */
export function response(fields: Record<string, unknown> = {}) {
  return {
    id: 'run_abc',
    object: 'response',
    created_at: 1_764_000_000,
    completed_at: 1_764_000_001,
    status: 'completed',
    incomplete_details: null,
    model: 'threadline-mini',
    previous_response_id: null,
    instructions: null,
    output: [textMessage('Hello.')],
    error: null,
    tools: [],
    tool_choice: 'auto',
    truncation: 'disabled',
    parallel_tool_calls: true,
    text: { format: { type: 'text' } },
    top_p: 1,
    presence_penalty: 0,
    frequency_penalty: 0,
    top_logprobs: 0,
    temperature: 1,
    reasoning: null,
    usage,
    max_output_tokens: null,
    max_tool_calls: null,
    store: true,
    background: false,
    service_tier: 'default',
    metadata: {},
    safety_identifier: null,
    prompt_cache_key: null,
    ...fields,
  };
}

export const item = { item_id: 'msg_1', output_index: 0 };
export const part = { ...item, content_index: 0 };

/** One sample of every event type we define; the type check keeps it complete. */
export const eventSamples = {
  'response.created': {
    response: response({ status: 'in_progress', completed_at: null, output: [], usage: null }),
  },
  'response.queued': {
    response: response({ status: 'queued', completed_at: null, output: [], usage: null }),
  },
  'response.in_progress': {
    response: response({ status: 'in_progress', completed_at: null, output: [], usage: null }),
  },
  'response.completed': { response: response() },
  'response.incomplete': {
    response: response({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }),
  },
  'response.failed': {
    response: response({ status: 'failed', output: [], error: { code: 'server_error', message: 'boom' } }),
  },
  'response.output_item.added': { output_index: 0, item: textMessage('', 'in_progress') },
  'response.output_item.done': { output_index: 0, item: mcpCall },
  'response.content_part.added': { ...part, part: { type: 'output_text', text: '', annotations: [] } },
  'response.content_part.done': { ...part, part: { type: 'output_text', text: 'Hi', annotations: [] } },
  'response.output_text.delta': { ...part, delta: 'Hi', logprobs: [] },
  'response.output_text.done': { ...part, text: 'Hi', logprobs: [] },
  'response.output_text.annotation.added': {
    ...part,
    annotation_index: 0,
    annotation: {
      type: 'url_citation',
      url: 'https://example.com',
      start_index: 0,
      end_index: 2,
      title: 'Ex',
    },
  },
  'response.refusal.delta': { ...part, delta: 'No' },
  'response.refusal.done': { ...part, refusal: 'No.' },
  'response.function_call_arguments.delta': { item_id: 'fc_1', output_index: 0, delta: '{"ci' },
  'response.function_call_arguments.done': {
    item_id: 'fc_1',
    output_index: 0,
    arguments: '{"city":"Oslo"}',
    name: 'get_weather',
  },
  'response.reasoning_summary_part.added': {
    ...item,
    summary_index: 0,
    part: { type: 'summary_text', text: '' },
  },
  'response.reasoning_summary_part.done': {
    ...item,
    summary_index: 0,
    part: { type: 'summary_text', text: 'T' },
  },
  'response.reasoning_summary_text.delta': { ...item, summary_index: 0, delta: 'T' },
  'response.reasoning_summary_text.done': { ...item, summary_index: 0, text: 'T' },
  'response.mcp_call.in_progress': { item_id: 'mcp_1', output_index: 0 },
  'response.mcp_call.completed': { item_id: 'mcp_1', output_index: 0 },
  'response.mcp_call.failed': { item_id: 'mcp_1', output_index: 0 },
  'response.mcp_call_arguments.delta': { item_id: 'mcp_1', output_index: 0, delta: '{"id"' },
  'response.mcp_call_arguments.done': { item_id: 'mcp_1', output_index: 0, arguments: '{"id":"A1"}' },
  // Nested (the standard) and flat (OpenAI's document) at once, so both accept it.
  error: {
    error: { type: 'server_error', code: 'server_error', message: 'boom', param: null },
    code: 'server_error',
    message: 'boom',
    param: null,
  },
} satisfies Record<ResponsesStreamEventType, Record<string, unknown>>;

export const events = Object.entries(eventSamples).map(
  ([type, fields], sequence_number) => ({ type, sequence_number, ...fields }) as ResponsesStreamEvent,
);

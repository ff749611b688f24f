import { describe, expect, it } from 'vitest';
import type { Reply } from '../src/engine/types';
import { parseResponsesRequest } from '../src/routes/responses/request';
import {
  type OutputItem,
  outputItems,
  type ResourceState,
  responseResource,
} from '../src/routes/responses/resource';
import { resourceJson } from '../src/routes/responses/resource-json';

// The resource's JSON text is written from cached pieces: it must be what serialising the resource
// gives, byte for byte (key order and left-out undefined fields included), for every echo and state.
const BODIES: Array<[string, Record<string, unknown>]> = [
  ['plain', { model: 'm', input: 'hi' }],
  ['plain, not stored, with instructions', { input: 'hi', store: false, instructions: 'Be "brief"\n' }],
  [
    'every echoed field',
    {
      input: [{ role: 'user', content: 'hi' }],
      previous_response_id: 'run_prev',
      tools: [{ type: 'function', name: 'lookup', description: 'd', parameters: { type: 'object' } }],
      tool_choice: { type: 'function', name: 'lookup' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      temperature: 0.5,
      top_p: 0.9,
      presence_penalty: 0.1,
      frequency_penalty: -0.2,
      top_logprobs: 3,
      max_output_tokens: 64,
      max_tool_calls: 2,
      metadata: { team: 'ops', 'odd key "\u2028"': 'v' },
      truncation: 'auto',
      safety_identifier: 'user-1',
      prompt_cache_key: 'cache-1',
      reasoning: { effort: 'low', summary: 'auto' },
    },
  ],
  [
    'json object format, reasoning without fields',
    { input: 'x', text: { format: { type: 'json_object' } }, reasoning: {} },
  ],
];

const usage = { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 } as Reply['usage'];
const reply = { usage } as Reply;
const message: OutputItem = {
  type: 'message',
  id: 'msg_1',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text: 'Hi "there"\n', annotations: [], logprobs: [] }],
} as OutputItem;

// The message is written out by hand when its parts are plain text; every other item, and a message
// with logprobs, is serialised as it is: each kind, and the items a real reply gives, must come out alike.
const withLogprobs = {
  ...message,
  content: [
    {
      type: 'output_text',
      text: 'a',
      annotations: [],
      logprobs: [{ token: 'a', logprob: -0.1, bytes: [97] }],
    },
  ],
} as OutputItem;
const twoParts = {
  ...message,
  status: 'incomplete',
  content: [
    { type: 'output_text', text: '', annotations: [], logprobs: [] },
    { type: 'output_text', text: 'line\u2028 two \\ "q"', annotations: [], logprobs: [] },
  ],
} as OutputItem;
const toolItems: OutputItem[] = [
  { type: 'function_call', id: 'fc_1', call_id: '1', name: 'f', arguments: '{"a":1}', status: 'completed' },
  {
    type: 'mcp_call',
    id: 'mcp_2',
    server_label: 'threadline',
    name: 'g',
    arguments: '{}',
    output: null,
    error: { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: 'no' }] },
    status: 'failed',
    approval_request_id: null,
  },
  {
    type: 'mcp_approval_request',
    id: 'run_1::call_3',
    server_label: 'threadline',
    name: 'h',
    arguments: '{}',
  },
];
const replied = outputItems('run_abc', {
  text: 'Hello "you"\n',
  toolCalls: [],
  finishReason: 'stop',
  stopReason: 'end_turn',
  logprobs: null,
  usage,
} as unknown as Reply);

const STATES: Array<[string, Omit<ResourceState, 'id' | 'createdAt' | 'model'>]> = [
  ['in progress', { status: 'in_progress', output: [], reply, error: null }],
  ['completed', { status: 'completed', output: [message], reply, error: null }],
  ['completed, from a reply', { status: 'completed', output: replied, reply, error: null }],
  ['completed, logprobs', { status: 'completed', output: [withLogprobs, message], reply, error: null }],
  ['completed, two parts', { status: 'completed', output: [twoParts], reply, error: null }],
  ['completed, tool items', { status: 'completed', output: [...toolItems, message], reply, error: null }],
  ['incomplete', { status: 'incomplete', output: [message], reply, error: null }],
  ['failed', { status: 'failed', output: [], reply: null, error: { code: 'server_error', message: 'x' } }],
];

describe('a response resource as JSON text', () => {
  for (const [bodyName, body] of BODIES) {
    it.each(STATES)(`is the serialised resource: ${bodyName}, %s`, (_state, rest) => {
      // Twice for one echo (its pieces cached) and once more for a fresh echo of the same request.
      for (const echo of [parseResponsesRequest(body, {}).echo, parseResponsesRequest(body, {}).echo]) {
        for (let i = 0; i < 2; i++) {
          const at: ResourceState = {
            id: 'run_1',
            createdAt: 1_700_000_000,
            model: 'threadline-mini',
            ...rest,
          };
          const text = resourceJson(echo, at);
          const expected = JSON.stringify(responseResource(echo, at));
          // completed_at is the clock's second: equal unless the two calls straddle a second.
          expect(text.replace(/"completed_at":\d+/, '"completed_at":0')).toBe(
            expected.replace(/"completed_at":\d+/, '"completed_at":0'),
          );
        }
      }
    });
  }

  it('tells plain requests apart by what they echo', () => {
    const stored = parseResponsesRequest({ input: 'a' }, {}).echo;
    const unstored = parseResponsesRequest({ input: 'a', store: false }, {}).echo;
    const at: ResourceState = { id: 'run_1', createdAt: 1, model: 'm', ...STATES[0]![1] };
    expect(JSON.parse(resourceJson(stored, at)).store).toBe(true);
    expect(JSON.parse(resourceJson(unstored, at)).store).toBe(false);
  });
});

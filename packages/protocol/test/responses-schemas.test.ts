import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors';
import {
  compactRequestSchema,
  compactResourceSchema,
  inputItemSchema,
  outputItemSchema,
  type ResponsesStreamEvent,
  type ResponsesStreamEventType,
  responseCreateMessageSchema,
  responseResourceSchema,
  responsesRequestSchema,
  responsesStreamEventSchema,
  webSocketErrorMessageSchema,
  webSocketServerMessageSchema,
} from '../src/schemas/index';
import {
  assertSpecValid,
  assertStreamEventValid,
  eventComponent,
  type SpecName,
  specDocument,
  specErrors,
  specExamples,
  streamEventErrors,
} from './support/openapi';

interface Schema {
  safeParse(value: unknown): { success: boolean; error?: unknown };
}

const ours = (schema: Schema, value: unknown) => schema.safeParse(value).success;

/** Our schema and the spec component both accept the value. */
function both(schema: Schema, spec: SpecName, component: string, value: unknown) {
  const parsed = schema.safeParse(value);
  expect(parsed.success, `ours refuses ${JSON.stringify(value)}: ${String(parsed.error)}`).toBe(true);
  assertSpecValid(spec, component, value);
}

/** Our schema and the spec component both refuse the value. */
function neither(schema: Schema, spec: SpecName, component: string, value: unknown) {
  expect(ours(schema, value), `ours accepts ${JSON.stringify(value)}`).toBe(false);
  expect(specErrors(spec, component, value), `${component} accepts ${JSON.stringify(value)}`).not.toEqual([]);
}

const usage = {
  input_tokens: 12,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 5,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 17,
};

const textMessage = (text: string, status = 'completed') => ({
  type: 'message',
  id: 'msg_1',
  status,
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});
const functionCall = {
  type: 'function_call',
  id: 'fc_1',
  call_id: 'call_1',
  name: 'get_weather',
  arguments: '{"city":"Oslo"}',
  status: 'completed',
};
const mcpCall = {
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
const approvalRequest = {
  type: 'mcp_approval_request',
  id: 'run_abc::tc_1',
  server_label: 'threadline',
  name: 'delete_page',
  arguments: '{"id":"p1"}',
};

/** A response with every field the standard requires, as a Threadline server fills them in. */
function response(fields: Record<string, unknown> = {}) {
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

describe('the specs’ own examples', () => {
  it('the compact resource example passes ours and the spec', () => {
    const examples = specExamples('openresponses');
    const compact = examples.find((e) => e.component === 'CompactResource');
    expect(compact).toBeDefined();
    both(compactResourceSchema, 'openresponses', 'CompactResource', compact!.example);
  });

  it('the response example lacks required fields: both refuse it, and both take it once completed', () => {
    const example = specExamples('openresponses').find((e) => e.component === 'ResponseResource')!.example;
    neither(responseResourceSchema, 'openresponses', 'ResponseResource', example);
    const completed = {
      ...(example as Record<string, unknown>),
      incomplete_details: null,
      previous_response_id: null,
      instructions: null,
      error: null,
      reasoning: null,
      max_output_tokens: null,
      max_tool_calls: null,
      safety_identifier: null,
      prompt_cache_key: null,
    };
    both(responseResourceSchema, 'openresponses', 'ResponseResource', completed);
  });
});

describe('the Responses request', () => {
  const full = {
    model: 'threadline-mini',
    input: [{ type: 'message', role: 'user', content: 'Weather in Oslo?' }],
    instructions: 'Answer briefly.',
    tools: [
      {
        type: 'function',
        name: 'get_weather',
        description: 'Current weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
        strict: true,
      },
    ],
    tool_choice: { type: 'function', name: 'get_weather' },
    previous_response_id: 'run_abc',
    store: false,
    stream: true,
    max_output_tokens: 64,
    temperature: 0.2,
    top_p: 0.9,
    metadata: { ticket: 'T-1' },
    parallel_tool_calls: false,
    text: { format: { type: 'json_schema', name: 'weather', schema: { type: 'object' }, strict: true } },
  };

  it('takes every field it names, as the standard does', () => {
    both(responsesRequestSchema, 'openresponses', 'CreateResponseBody', full);
    both(responsesRequestSchema, 'openresponses', 'CreateResponseBody', { input: 'Hi' });
    for (const choice of ['auto', 'none', 'required']) {
      both(responsesRequestSchema, 'openresponses', 'CreateResponseBody', { ...full, tool_choice: choice });
    }
    both(responsesRequestSchema, 'openresponses', 'CreateResponseBody', {
      ...full,
      text: { format: { type: 'text' } },
    });
  });

  it('takes text.format json_object, which OpenAI’s document defines and the standard leaves out', () => {
    const request = { ...full, text: { format: { type: 'json_object' } } };
    both(responsesRequestSchema, 'openai', 'CreateResponse', request);
    expect(specErrors('openresponses', 'CreateResponseBody', request)).not.toEqual([]);
  });

  it('keeps fields it does not know', () => {
    const parsed = responsesRequestSchema.parse({ input: 'Hi', vendor_flag: { on: true } });
    expect(parsed).toMatchObject({ vendor_flag: { on: true } });
  });

  it('refuses chat-shaped tools and tool_choice, and server tools', () => {
    const chatTool = { type: 'function', function: { name: 'get_weather' } };
    neither(responsesRequestSchema, 'openresponses', 'CreateResponseBody', { ...full, tools: [chatTool] });
    neither(responsesRequestSchema, 'openresponses', 'CreateResponseBody', {
      ...full,
      tool_choice: chatTool,
    });
    neither(responsesRequestSchema, 'openresponses', 'CreateResponseBody', {
      ...full,
      tools: [{ type: 'mcp', server_label: 'x' }],
    });
    neither(responsesRequestSchema, 'openresponses', 'CreateResponseBody', {
      ...full,
      tool_choice: 'always',
    });
  });

  it('refuses what the standard refuses: a token limit under 16, 17 metadata pairs, a bad input', () => {
    neither(responsesRequestSchema, 'openresponses', 'CreateResponseBody', {
      ...full,
      max_output_tokens: 15,
    });
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    neither(responsesRequestSchema, 'openresponses', 'CreateResponseBody', { ...full, metadata });
    neither(responsesRequestSchema, 'openresponses', 'CreateResponseBody', { ...full, input: 42 });
    neither(responsesRequestSchema, 'openresponses', 'CreateResponseBody', { ...full, stream: 'yes' });
  });

  it('range-checks sampling where the documents only describe the range', () => {
    for (const bad of [{ temperature: 2.5 }, { top_p: -0.1 }, { max_output_tokens: 20.5 }]) {
      expect(ours(responsesRequestSchema, { ...full, ...bad }), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('input items', () => {
  const typed = [
    { type: 'message', role: 'user', content: 'Hi' },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'What is this?' },
        { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
        { type: 'input_image', file_id: 'file-abc', detail: 'auto' },
        { type: 'input_file', filename: 'a.pdf', file_data: 'JVBERi0=' },
        { type: 'input_file', file_id: 'file-abc' },
        { type: 'input_file', file_url: 'https://example.com/a.pdf' },
      ],
    },
    { type: 'message', role: 'system', content: 'Be brief.' },
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Use metric.' }] },
    {
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Earlier answer', annotations: [] }],
      phase: 'final_answer',
    },
    textMessage('A replayed output message'),
    { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
    { type: 'function_call_output', call_id: 'call_1', output: '{"temp":4}' },
    { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: '4 degrees' }] },
    { type: 'mcp_approval_response', approval_request_id: 'run_abc::tc_1', approve: true },
    { type: 'mcp_approval_response', approval_request_id: 'run_abc::tc_1', approve: false, reason: 'no' },
    { type: 'item_reference', id: 'msg_1' },
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Thought.' }] },
    { type: 'compaction', encrypted_content: 'tl1.abc' },
    mcpCall,
    approvalRequest,
  ];

  it('accepts each kind, and so does the standard (with OpenAI’s mcp_* items)', () => {
    for (const item of typed) both(inputItemSchema, 'responses', 'ItemParam', item);
  });

  it('accepts the shorthand message without `type`, as OpenAI’s document does', () => {
    both(inputItemSchema, 'openai', 'InputItem', { role: 'user', content: 'Hi' });
    both(inputItemSchema, 'openai', 'InputItem', {
      role: 'assistant',
      content: [{ type: 'input_text', text: 'Earlier' }],
      phase: 'commentary',
    });
  });

  it('refuses broken items the standard refuses too', () => {
    for (const item of [
      { type: 'function_call_output', output: 'no call id' },
      { type: 'function_call', call_id: 'call_1', name: 'bad name', arguments: '{}' },
      { type: 'mcp_approval_response', approval_request_id: 'run_abc::tc_1', approve: 'yes' },
      { type: 'mcp_approval_response', approve: true },
      { type: 'message', role: 'user', content: [{ type: 'output_text', text: 'x', annotations: [] }] },
      { type: 'message', role: 'tool', content: 'x' },
      { type: 'compaction' },
      { type: 'web_search_call', id: 'ws_1' },
    ]) {
      neither(inputItemSchema, 'responses', 'ItemParam', item);
    }
  });

  it('asks more of parts than the standard: an image or file must say where its bytes are', () => {
    for (const part of [
      { type: 'input_image', detail: 'low' },
      { type: 'input_file', filename: 'a.txt' },
    ]) {
      const item = { type: 'message', role: 'user', content: [part] };
      expect(ours(inputItemSchema, item)).toBe(false);
      expect(specErrors('responses', 'ItemParam', item)).toEqual([]);
    }
  });
});

describe('output items', () => {
  const items = [
    textMessage('Hello.'),
    { ...textMessage('Working on it', 'in_progress'), phase: 'commentary' },
    functionCall,
    { type: 'reasoning', id: 'rs_1', summary: [] },
    { ...mcpCall, output: null, status: 'in_progress' },
    mcpCall,
    {
      ...mcpCall,
      output: null,
      status: 'failed',
      error: { type: 'mcp_protocol_error', code: -32000, message: 'down' },
    },
    { ...mcpCall, id: 'mcp_2', approval_request_id: 'run_abc::tc_1' },
    approvalRequest,
  ];

  it('each kind passes ours and the standard’s item union (mcp_* as OpenAI defines them)', () => {
    for (const item of items) both(outputItemSchema, 'responses', 'ItemField', item);
  });

  it('mcp_* items pass OpenAI’s own components', () => {
    both(outputItemSchema, 'openai', 'MCPToolCall', mcpCall);
    both(outputItemSchema, 'openai', 'MCPApprovalRequest', approvalRequest);
  });

  it('refuses items missing what the specs require', () => {
    const { annotations: _, ...bare } = textMessage('x').content[0]!;
    for (const item of [
      { ...textMessage('x'), content: [bare] },
      { ...functionCall, status: undefined },
      { ...functionCall, call_id: undefined },
      { ...textMessage('x'), id: undefined },
      { ...mcpCall, server_label: undefined },
      { ...approvalRequest, arguments: undefined },
    ]) {
      neither(outputItemSchema, 'responses', 'ItemField', JSON.parse(JSON.stringify(item)));
    }
  });
});

describe('the response resource', () => {
  it('passes in each shape a turn can end in', () => {
    const shapes = [
      response(),
      response({
        output: [functionCall],
        tools: [{ type: 'function', name: 'get_weather', description: null, parameters: null, strict: null }],
      }),
      response({ output: [mcpCall, textMessage('Shipped.')] }),
      response({ output: [approvalRequest] }),
      response({
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        max_output_tokens: 16,
      }),
      response({
        status: 'failed',
        output: [],
        usage: null,
        error: { code: 'model_not_found', message: 'no model' },
      }),
      response({ status: 'in_progress', completed_at: null, output: [], usage: null }),
      response({
        tool_choice: { type: 'function', name: 'get_weather' },
        previous_response_id: 'run_prev',
        store: false,
      }),
    ];
    for (const shape of shapes) both(responseResourceSchema, 'responses', 'ResponseResource', shape);
    both(responseResourceSchema, 'openresponses', 'ResponseResource', response());
  });

  it('refuses a body missing a required field or with a nullable one left out', () => {
    for (const field of ['usage', 'error', 'incomplete_details', 'previous_response_id', 'store', 'tools']) {
      const body: Record<string, unknown> = response();
      delete body[field];
      neither(responseResourceSchema, 'openresponses', 'ResponseResource', body);
    }
    neither(
      responseResourceSchema,
      'openresponses',
      'ResponseResource',
      response({ object: 'chat.completion' }),
    );
  });
});

const item = { item_id: 'msg_1', output_index: 0 };
const part = { ...item, content_index: 0 };

/** One sample of every event type we define; the type check keeps it complete. */
const eventSamples = {
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

const events = Object.entries(eventSamples).map(
  ([type, fields], sequence_number) => ({ type, sequence_number, ...fields }) as ResponsesStreamEvent,
);

describe('streaming events', () => {
  it('the sample list covers every event type of our union', () => {
    const types = responsesStreamEventSchema.options.map((option) => option.shape.type.value);
    expect(Object.keys(eventSamples).sort()).toEqual([...types].sort());
  });

  it('each event passes ours and the component of the spec that defines its type', () => {
    for (const event of events) {
      const parsed = responsesStreamEventSchema.safeParse(event);
      expect(parsed.success, `${event.type}: ${String(parsed.error)}`).toBe(true);
      assertStreamEventValid(event);
    }
  });

  it('each item type passes inside output_item events too', () => {
    for (const output of [textMessage('x'), functionCall, mcpCall, approvalRequest]) {
      const event = { type: 'response.output_item.done', sequence_number: 3, output_index: 0, item: output };
      expect(ours(responsesStreamEventSchema, event)).toBe(true);
      assertStreamEventValid(event);
    }
  });

  it('names the standard’s event types we leave out (raw reasoning text)', () => {
    const doc = specDocument('openresponses');
    const published = Object.values(doc.components.schemas)
      .map((schema) => (schema.properties as { type?: { enum?: string[] } } | undefined)?.type?.enum?.[0])
      .filter((type): type is string => type?.startsWith('response.') === true && type !== 'response.create')
      .filter((type) => eventComponent(type) !== undefined);
    const ourTypes = new Set(Object.keys(eventSamples));
    expect(published.filter((type) => !ourTypes.has(type)).sort()).toEqual([
      'response.reasoning.delta',
      'response.reasoning.done',
    ]);
  });

  it('takes an error event in either shape, each valid under the document that defines it', () => {
    const nested = { type: 'error', sequence_number: 4, error: eventSamples.error.error };
    expect(ours(responsesStreamEventSchema, nested)).toBe(true);
    assertSpecValid('openresponses', 'ErrorStreamingEvent', nested);
    const flat = { type: 'error', sequence_number: 4, code: 'server_error', message: 'boom', param: null };
    expect(ours(responsesStreamEventSchema, flat)).toBe(true);
    assertSpecValid('openai', 'ResponseErrorEvent', flat);
    expect(ours(responsesStreamEventSchema, { type: 'error', sequence_number: 4 })).toBe(false);
  });

  it('refuses events without sequence_number or their payload, as the specs do', () => {
    for (const event of events) {
      const { sequence_number: _, ...unnumbered } = event;
      expect(ours(responsesStreamEventSchema, unnumbered), event.type).toBe(false);
      expect(streamEventErrors(unnumbered), event.type).not.toEqual([]);
    }
    for (const broken of [
      { type: 'response.output_text.delta', sequence_number: 1, ...part },
      { type: 'response.function_call_arguments.done', sequence_number: 1, output_index: 0, arguments: '{}' },
      { type: 'response.mcp_call.completed', sequence_number: 1, item_id: 'mcp_1' },
      { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { type: 'nope' } },
      { type: 'response.completed', sequence_number: 1, response: { id: 'run_abc' } },
    ]) {
      expect(ours(responsesStreamEventSchema, broken), broken.type).toBe(false);
      expect(streamEventErrors(broken), broken.type).not.toEqual([]);
    }
  });
});

describe('compaction', () => {
  it('the compact request needs a model', () => {
    both(compactRequestSchema, 'openresponses', 'CompactResponseMethodPublicBody', {
      model: 'm',
      input: 'Hi',
    });
    neither(compactRequestSchema, 'openresponses', 'CompactResponseMethodPublicBody', { input: 'Hi' });
  });

  it('the compact resource holds kept items and a compaction item', () => {
    const resource = {
      id: 'cmp_run_abc',
      object: 'response.compaction',
      created_at: 1_764_000_000,
      output: [
        {
          type: 'message',
          id: 'msg_0',
          status: 'completed',
          role: 'user',
          content: [{ type: 'input_text', text: 'Hi' }],
        },
        textMessage('Hello.'),
        { type: 'compaction', id: 'cmp_1', encrypted_content: 'tl1.abc' },
      ],
      usage,
    };
    both(compactResourceSchema, 'openresponses', 'CompactResource', resource);
    const broken = { ...resource, output: [{ type: 'compaction', id: 'cmp_1' }] };
    neither(compactResourceSchema, 'openresponses', 'CompactResource', broken);
    neither(compactResourceSchema, 'openresponses', 'CompactResource', { ...resource, object: 'response' });
  });
});

describe('the WebSocket envelope', () => {
  it('a response.create message is a request with a type', () => {
    const message = { type: 'response.create', model: 'm', input: 'Hi', previous_response_id: 'run_abc' };
    both(responseCreateMessageSchema, 'openresponses', 'WebSocketResponseCreateEvent', message);
    expect(responseCreateMessageSchema.parse({ ...message, extra: 1 })).toMatchObject({ extra: 1 });
  });

  it('refuses HTTP streaming fields and a missing or wrong type', () => {
    const message = { type: 'response.create', input: 'Hi' };
    for (const extra of [
      { stream: true },
      { stream_options: {} },
      { background: false },
      { type: 'response.cancel' },
    ]) {
      neither(responseCreateMessageSchema, 'openresponses', 'WebSocketResponseCreateEvent', {
        ...message,
        ...extra,
      });
    }
    neither(responseCreateMessageSchema, 'openresponses', 'WebSocketResponseCreateEvent', { input: 'Hi' });
  });

  it('an error message has a status and a typed error', () => {
    const error = {
      type: 'error',
      status: 404,
      error: { code: ERROR_CODES.previousResponseNotFound, message: 'No response run_x.' },
    };
    both(webSocketErrorMessageSchema, 'openresponses', 'WebSocketErrorEvent', error);
    neither(webSocketErrorMessageSchema, 'openresponses', 'WebSocketErrorEvent', {
      ...error,
      status: undefined,
    });
    neither(webSocketErrorMessageSchema, 'openresponses', 'WebSocketErrorEvent', {
      ...error,
      error: { message: 'no code' },
    });
  });

  it('server messages are stream events or error messages', () => {
    for (const event of events) expect(ours(webSocketServerMessageSchema, event), event.type).toBe(true);
    const error = { type: 'error', status: 400, error: { code: 'invalid_value', message: 'bad' } };
    expect(webSocketServerMessageSchema.parse(error)).toMatchObject({ status: 400 });
    expect(ours(webSocketServerMessageSchema, { type: 'response.create', input: 'Hi' })).toBe(false);
  });
});

describe('the error code', () => {
  it('previous_response_not_found is a protocol code', () => {
    expect(Object.values(ERROR_CODES)).toContain('previous_response_not_found');
  });
});

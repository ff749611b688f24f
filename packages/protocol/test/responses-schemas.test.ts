import { describe, expect, it } from 'vitest';
import {
  compactRequestSchema,
  compactResourceSchema,
  inputItemSchema,
  outputItemSchema,
  reportedIssue,
  responseResourceSchema,
  responsesRequestSchema,
} from '../src/schemas/index';
import { ERRATA, specDocument, specErrors, specExamples } from './support/openapi';
import {
  approvalRequest,
  both,
  functionCall,
  mcpCall,
  neither,
  ours,
  response,
  textMessage,
  usage,
} from './support/responses-samples';

describe('the spec documents', () => {
  it('still carry each erratum the validator mends', () => {
    for (const erratum of ERRATA) {
      const schema = specDocument(erratum.spec).components.schemas[erratum.component]!;
      expect(schema.required, erratum.component).toContain('request_id');
      expect(Object.keys(schema.properties as object), erratum.component).not.toContain('request_id');
    }
  });

  it('read OpenAI’s `nullable` fields as null-or-value', () => {
    const choice = { index: 0, delta: { content: 'Hi' }, logprobs: null, finish_reason: null };
    const chunk = {
      id: 'run_abc',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [choice],
    };
    expect(specErrors('openai', 'CreateChatCompletionStreamResponse', { ...chunk, usage: null })).toEqual([]);
    const wrong = { ...chunk, choices: [{ ...choice, finish_reason: 'done' }] };
    expect(specErrors('openai', 'CreateChatCompletionStreamResponse', wrong)).not.toEqual([]);
  });
});

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

  it('names the bad field of a bad item, so an error can point at it', () => {
    const path = (input: unknown) => {
      const parsed = responsesRequestSchema.safeParse({ input });
      return parsed.success ? null : reportedIssue(parsed.error.issues)?.path.join('.');
    };
    const noCallId = { type: 'function_call_output', output: 'x' };
    expect(path([{ role: 'user', content: 'Hi' }, noCallId])).toBe('input.1.call_id');
    expect(path([{ type: 'mcp_approval_response', approval_request_id: 'a', approve: 'yes' }])).toBe(
      'input.0.approve',
    );
    expect(path([{ type: 'message', role: 'tool', content: 'x' }])).toBe('input.0.role');
    expect(path([{ role: 'user', content: [{ type: 'input_text', text: 7 }] }])).toBe(
      'input.0.content.0.text',
    );
    // Neither a string nor a list: the union itself is what is wrong.
    expect(path(42)).toBe('input');
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

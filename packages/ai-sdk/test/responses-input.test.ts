import { InvalidPromptError, type LanguageModelV4Prompt } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { convertToResponsesInput } from '../src/convert-to-responses-input';
import { mapResponsesFinishReason } from '../src/map-responses-finish-reason';
import { mapResponsesUsage } from '../src/map-responses-usage';

const PAUSE = 'run_abc::call_1';
const user = (text: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] });
const pauseMessage = {
  role: 'assistant' as const,
  content: [
    {
      type: 'tool-call' as const,
      toolCallId: PAUSE,
      toolName: 'delete_draft',
      input: { draft_id: 'Q3-plan' },
      providerExecuted: true,
      providerOptions: { threadline: { responseId: 'run_abc' } },
    },
  ],
};
const full = (prompt: LanguageModelV4Prompt) => convertToResponsesInput({ prompt, newTurnOnly: false });

describe('convertToResponsesInput', () => {
  it('messages: system, user text and files, assistant text', () => {
    const { input, warnings } = full([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look at these' },
          { type: 'file', mediaType: 'image/png', data: { type: 'data', data: new Uint8Array([1, 2, 3]) } },
          {
            type: 'file',
            mediaType: 'image/jpeg',
            data: { type: 'url', url: new URL('https://x.test/a.jpg') },
          },
          {
            type: 'file',
            mediaType: 'application/pdf',
            filename: 'a.pdf',
            data: { type: 'data', data: 'AAEC' },
          },
          {
            type: 'file',
            mediaType: 'text/plain',
            data: { type: 'url', url: new URL('https://x.test/a.txt') },
          },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Seen ' },
          { type: 'text', text: 'them.' },
        ],
      },
    ]);
    expect(input).toEqual([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'Look at these' },
          { type: 'input_image', image_url: 'data:image/png;base64,AQID' },
          { type: 'input_image', image_url: 'https://x.test/a.jpg' },
          { type: 'input_file', file_data: 'data:application/pdf;base64,AAEC', filename: 'a.pdf' },
        ],
      },
      { role: 'assistant', content: [{ type: 'output_text', text: 'Seen them.' }] },
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({ type: 'unsupported', feature: 'file parts by URL' }),
    ]);
  });

  it('a client tool loop: function_call and function_call_output', () => {
    const { input } = full([
      user('Weather in Paris?'),
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', toolCallId: 'call_9', toolName: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_9',
            toolName: 'get_weather',
            output: { type: 'json', value: { c: 21 } },
          },
        ],
      },
    ]);
    expect(input.slice(1)).toEqual([
      { type: 'function_call', call_id: 'call_9', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_9', output: '{"c":21}' },
    ]);
  });

  it('a decided pause: the request replayed, then one mcp_approval_response with the reason', () => {
    const { input } = full([
      user('Please delete the draft Q3-plan.'),
      pauseMessage,
      {
        role: 'tool',
        content: [{ type: 'tool-approval-response', approvalId: PAUSE, approved: true, reason: 'ok' }],
      },
    ]);
    expect(input.slice(1)).toEqual([
      {
        type: 'mcp_approval_request',
        id: PAUSE,
        server_label: 'threadline',
        name: 'delete_draft',
        arguments: '{"draft_id":"Q3-plan"}',
      },
      { type: 'mcp_approval_response', approval_request_id: PAUSE, approve: true, reason: 'ok' },
    ]);
  });

  it("generateText's reject path: its own execution-denied result beside the response is not sent again", () => {
    const { input } = full([
      user('Please delete the draft Q3-plan.'),
      pauseMessage,
      {
        role: 'tool',
        content: [{ type: 'tool-approval-response', approvalId: PAUSE, approved: false, reason: 'no' }],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: PAUSE,
            toolName: 'delete_draft',
            output: { type: 'execution-denied', reason: 'no' },
          },
        ],
      },
    ]);
    const decisions = input.filter((item) => 'type' in item && item.type === 'mcp_approval_response');
    expect(decisions).toEqual([
      { type: 'mcp_approval_response', approval_request_id: PAUSE, approve: false, reason: 'no' },
    ]);
    expect(input.some((item) => 'type' in item && item.type === 'function_call_output')).toBe(false);
  });

  it('an execution-denied result alone (the SDK dropped a hand-made response) is the reject', () => {
    const { input } = full([
      user('Please delete the draft Q3-plan.'),
      pauseMessage,
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: PAUSE,
            toolName: 'delete_draft',
            output: { type: 'execution-denied' },
          },
        ],
      },
    ]);
    expect(input.at(-1)).toEqual({
      type: 'mcp_approval_response',
      approval_request_id: PAUSE,
      approve: false,
    });
  });

  it('a prompt that ends on a pause with no decision is an InvalidPromptError saying what to send', () => {
    const prompt: LanguageModelV4Prompt = [
      user('Please delete the draft Q3-plan.'),
      pauseMessage,
      { role: 'tool', content: [] },
    ];
    expect(() => full(prompt)).toThrow(InvalidPromptError);
    expect(() => full(prompt)).toThrow(/providerExecuted: true/);
    // A new user message after the pause moves on: nothing is refused.
    expect(() => full([...prompt, user('never mind')])).not.toThrow();
  });

  it('history with server calls: mcp_call items, an approved one tied to its approval, a failed one with its error', () => {
    const { input } = full([
      user('Look up order A-1001, then delete the draft Q3-plan.'),
      {
        role: 'assistant',
        content: [
          {
            type: 'tool-call',
            toolCallId: 'mcp_7',
            toolName: 'lookup_order',
            input: { order_id: 'A-1001' },
            providerExecuted: true,
          },
          {
            type: 'tool-result',
            toolCallId: 'mcp_7',
            toolName: 'lookup_order',
            output: { type: 'json', value: { status: 'shipped' } },
          },
          {
            type: 'tool-call',
            toolCallId: 'mcp_8',
            toolName: 'lookup_order',
            input: { order_id: 'BROKEN-1' },
            providerExecuted: true,
          },
          {
            type: 'tool-result',
            toolCallId: 'mcp_8',
            toolName: 'lookup_order',
            output: { type: 'error-text', value: 'down' },
          },
        ],
      },
      pauseMessage,
      { role: 'tool', content: [{ type: 'tool-approval-response', approvalId: PAUSE, approved: true }] },
      {
        role: 'assistant',
        content: [
          {
            type: 'tool-result',
            toolCallId: PAUSE,
            toolName: 'delete_draft',
            output: { type: 'json', value: { deleted: true } },
            providerOptions: { threadline: { itemId: 'mcp_call_1' } },
          },
          { type: 'text', text: 'Deleted.' },
        ],
      },
      user('thanks'),
    ]);
    expect(input.slice(1, 3)).toEqual([
      {
        type: 'mcp_call',
        id: 'mcp_7',
        server_label: 'threadline',
        name: 'lookup_order',
        arguments: '{"order_id":"A-1001"}',
        output: '{"status":"shipped"}',
      },
      {
        type: 'mcp_call',
        id: 'mcp_8',
        server_label: 'threadline',
        name: 'lookup_order',
        arguments: '{"order_id":"BROKEN-1"}',
        error: { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: 'down' }] },
      },
    ]);
    expect(input.slice(5)).toEqual([
      {
        type: 'mcp_call',
        id: 'mcp_call_1',
        server_label: 'threadline',
        name: 'delete_draft',
        arguments: '{"draft_id":"Q3-plan"}',
        output: '{"deleted":true}',
        approval_request_id: PAUSE,
      },
      { role: 'assistant', content: [{ type: 'output_text', text: 'Deleted.' }] },
      { role: 'user', content: [{ type: 'input_text', text: 'thanks' }] },
    ]);
  });

  it('useChat history (pause and result on one part, the decision after): replayed in wire order', () => {
    const onePart = (
      output: { type: 'json'; value: { deleted: boolean } } | { type: 'execution-denied' },
    ) => [
      user('Please delete the draft Q3-plan.'),
      {
        role: 'assistant' as const,
        content: [
          { ...pauseMessage.content[0]! },
          { type: 'tool-result' as const, toolCallId: PAUSE, toolName: 'delete_draft', output },
        ],
      },
      {
        role: 'tool' as const,
        content: [
          { type: 'tool-approval-response' as const, approvalId: PAUSE, approved: output.type === 'json' },
        ],
      },
      { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'Done.' }] },
      user('next'),
    ];
    const kinds = (prompt: LanguageModelV4Prompt) =>
      full(prompt).input.map((item) => ('type' in item ? item.type : item.role));
    expect(kinds(onePart({ type: 'json', value: { deleted: true } }))).toEqual([
      'user',
      'mcp_approval_request',
      'mcp_approval_response',
      'mcp_call',
      'assistant',
      'user',
    ]);
    // A rejected pause ran nothing: no mcp_call, and its denial is not a tool output.
    expect(kinds(onePart({ type: 'execution-denied' }))).toEqual([
      'user',
      'mcp_approval_request',
      'mcp_approval_response',
      'assistant',
      'user',
    ]);
  });

  it('new turn only: what follows the last assistant message (and system messages), with a warning and its response id', () => {
    const result = convertToResponsesInput({
      newTurnOnly: true,
      prompt: [
        { role: 'system', content: 'Be brief.' },
        user('Please delete the draft Q3-plan.'),
        pauseMessage,
        { role: 'tool', content: [{ type: 'tool-approval-response', approvalId: PAUSE, approved: true }] },
      ],
    });
    expect(result.input).toEqual([
      { role: 'system', content: 'Be brief.' },
      { type: 'mcp_approval_response', approval_request_id: PAUSE, approve: true },
    ]);
    expect(result.lastResponseId).toBe('run_abc');
    expect(result.warnings).toEqual([
      expect.objectContaining({
        type: 'compatibility',
        feature: 'conversation history',
        details: expect.stringMatching(/^2 earlier/),
      }),
    ]);
    expect(convertToResponsesInput({ newTurnOnly: true, prompt: [user('hi')] }).warnings).toEqual([]);
  });
});

describe('mapResponsesFinishReason', () => {
  it.each([
    [{ status: 'completed', hasToolCalls: false }, 'stop', 'completed'],
    [{ status: 'completed', hasToolCalls: true }, 'tool-calls', 'completed'],
    [
      { status: 'incomplete', incompleteReason: 'max_output_tokens', hasToolCalls: false },
      'length',
      'max_output_tokens',
    ],
    [
      { status: 'incomplete', incompleteReason: 'content_filter', hasToolCalls: false },
      'content-filter',
      'content_filter',
    ],
    [{ status: 'incomplete', incompleteReason: 'other', hasToolCalls: false }, 'other', 'other'],
    [{ status: 'failed', hasToolCalls: false }, 'error', 'failed'],
    [{ status: 'cancelled', hasToolCalls: false }, 'other', 'cancelled'],
    [{ status: undefined, hasToolCalls: true }, 'interrupted', undefined],
  ] as const)('%o → %s', (ending, unified, raw) => {
    expect(mapResponsesFinishReason(ending)).toEqual({ unified, raw });
  });
});

describe('mapResponsesUsage', () => {
  it('cached input is the cache read, reasoning is part of the output', () => {
    const raw = {
      input_tokens: 100,
      output_tokens: 40,
      total_tokens: 140,
      input_tokens_details: { cached_tokens: 30 },
      output_tokens_details: { reasoning_tokens: 15 },
    };
    expect(mapResponsesUsage(raw)).toEqual({
      inputTokens: { total: 100, noCache: 70, cacheRead: 30, cacheWrite: undefined },
      outputTokens: { total: 40, text: 25, reasoning: 15 },
      raw,
    });
  });

  it('no usage: every count undefined', () => {
    expect(mapResponsesUsage(null)).toEqual({
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    });
  });
});

import { InvalidPromptError, type LanguageModelV4Message } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { convertToThreadlineChatMessages } from '../src/convert-to-threadline-chat-messages';
import { assertNoUndecidedPause } from '../src/internal/approvals';
import { mapThreadlineFinishReason } from '../src/map-threadline-finish-reason';
import { mapThreadlineUsage } from '../src/map-threadline-usage';

const PAUSE = 'run_abc::call_1';
const user = (text: string): LanguageModelV4Message => ({ role: 'user', content: [{ type: 'text', text }] });
const paused: LanguageModelV4Message = {
  role: 'assistant',
  content: [
    {
      type: 'tool-call',
      toolCallId: PAUSE,
      toolName: 'delete_draft',
      input: { draft_id: 'x' },
      providerExecuted: true,
    },
  ],
};
const decision = (approved: boolean, extra: object[] = []) =>
  ({
    role: 'tool',
    content: [{ type: 'tool-approval-response', approvalId: PAUSE, approved }, ...extra],
  }) as LanguageModelV4Message;

describe('convertToThreadlineChatMessages', () => {
  it('maps system, user text and files, assistant tool calls and client tool results', () => {
    const { messages } = convertToThreadlineChatMessages(
      [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look: ' },
            { type: 'file', mediaType: 'image/png', data: { type: 'data', data: new Uint8Array([1, 2]) } },
            {
              type: 'file',
              mediaType: 'application/pdf',
              filename: 'a.pdf',
              data: { type: 'data', data: 'AAEC' },
            },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'checking' },
            { type: 'tool-call', toolCallId: 'c1', toolName: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'c1',
              toolName: 'get_weather',
              output: { type: 'json', value: { t: 20 } },
            },
          ],
        },
      ],
      { onThread: false },
    );
    expect(messages).toEqual([
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look: ' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AQI=' } },
          { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,AAEC' } },
        ],
      },
      {
        role: 'assistant',
        content: 'checking',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"t":20}' },
    ]);
  });

  it('a decided pause: the paused call, then exactly one decision even beside an execution-denied result', () => {
    const denied = {
      type: 'tool-result',
      toolCallId: PAUSE,
      toolName: 'delete_draft',
      output: { type: 'execution-denied' },
    };
    const { messages, approved } = convertToThreadlineChatMessages(
      [user('go'), paused, decision(false, [denied])],
      {
        onThread: false,
      },
    );
    expect(messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: PAUSE, type: 'function', function: { name: 'delete_draft', arguments: '{"draft_id":"x"}' } },
        ],
      },
      { role: 'tool', tool_call_id: PAUSE, content: 'reject' },
    ]);
    expect(approved).toEqual([]);
  });

  it('an execution-denied result alone (a hand-made response the SDK dropped) still rejects once', () => {
    const denied: LanguageModelV4Message = {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: PAUSE,
          toolName: 'delete_draft',
          output: { type: 'execution-denied', reason: 'no' },
        },
      ],
    };
    const { messages } = convertToThreadlineChatMessages([user('go'), paused, denied], { onThread: false });
    expect(messages.filter((m) => m.role === 'tool')).toEqual([
      { role: 'tool', tool_call_id: PAUSE, content: 'reject' },
    ]);
  });

  it('an approval lists the pause for its result; earlier decided pauses are history, not re-sent', () => {
    const first = convertToThreadlineChatMessages([user('go'), paused, decision(true)], { onThread: false });
    expect(first.approved).toEqual([
      { approvalId: PAUSE, toolName: 'delete_draft', input: '{"draft_id":"x"}', inPrompt: true },
    ]);
    const later = convertToThreadlineChatMessages(
      [
        user('go'),
        paused,
        decision(true),
        { role: 'assistant', content: [{ type: 'text', text: 'done' }] },
        user('next'),
      ],
      { onThread: false },
    );
    expect(later.messages).toEqual([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: 'done' },
      { role: 'user', content: 'next' },
    ]);
  });

  it('on a thread: only the new turn and system messages, with a warning', () => {
    const { messages, warnings } = convertToThreadlineChatMessages(
      [
        { role: 'system', content: 's' },
        user('a'),
        { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
        user('c'),
      ],
      { onThread: true },
    );
    expect(messages).toEqual([
      { role: 'system', content: 's' },
      { role: 'user', content: 'c' },
    ]);
    expect(warnings).toEqual([{ type: 'other', message: expect.stringContaining('2 earlier message(s)') }]);
  });

  it('a resume on a thread sends the decision only', () => {
    const { messages } = convertToThreadlineChatMessages([user('go'), paused, decision(true)], {
      onThread: true,
    });
    expect(messages).toEqual([{ role: 'tool', tool_call_id: PAUSE, content: 'approve' }]);
  });
});

describe('assertNoUndecidedPause', () => {
  it('refuses a prompt ending on a pause with no decision, saying what to send', () => {
    expect(() => assertNoUndecidedPause([user('go'), paused])).toThrow(InvalidPromptError);
    expect(() => assertNoUndecidedPause([user('go'), paused])).toThrow(/providerExecuted: true/);
    expect(() => assertNoUndecidedPause([user('go'), paused, { role: 'tool', content: [] }])).toThrow(PAUSE);
  });

  it('accepts a decided pause, or a user who moved on', () => {
    expect(() => assertNoUndecidedPause([user('go'), paused, decision(true)])).not.toThrow();
    expect(() => assertNoUndecidedPause([user('go'), paused, user('never mind')])).not.toThrow();
  });
});

describe('mapThreadlineFinishReason', () => {
  it.each([
    ['stop', undefined, 'stop'],
    ['length', undefined, 'length'],
    ['tool_calls', 'awaiting_approval', 'tool-calls'],
    ['content_filter', undefined, 'content-filter'],
    ['stop', 'approval_rejected', 'stop'],
    ['stop', 'cancelled', 'other'],
    ['stop', 'error', 'error'],
    ['something_new', undefined, 'other'],
    [undefined, undefined, 'interrupted'],
  ] as const)('%s / %s → %s', (finish, stop, unified) => {
    expect(mapThreadlineFinishReason(finish, stop).unified).toBe(unified);
  });
});

describe('mapThreadlineUsage', () => {
  it('splits cached input and reasoning output tokens', () => {
    const usage = mapThreadlineUsage({
      prompt_tokens: 10,
      completion_tokens: 6,
      prompt_tokens_details: { cached_tokens: 3 },
      completion_tokens_details: { reasoning_tokens: 2 },
    });
    expect(usage.inputTokens).toEqual({ total: 10, noCache: 7, cacheRead: 3, cacheWrite: undefined });
    expect(usage.outputTokens).toEqual({ total: 6, text: 4, reasoning: 2 });
  });

  it('no usage is unknown, not zero', () => {
    expect(mapThreadlineUsage(undefined).inputTokens.total).toBeUndefined();
    expect(mapThreadlineUsage(undefined).outputTokens.text).toBeUndefined();
  });
});

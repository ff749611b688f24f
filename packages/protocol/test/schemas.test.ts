import { describe, expect, it } from 'vitest';
import {
  chatCompletionChunkSchema,
  chatCompletionRequestSchema,
  chatCompletionSchema,
  healthSchema,
  ingestQuerySchema,
  modelListSchema,
} from '../src/schemas/index';

const base = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
const firstIssuePath = (value: unknown) => {
  const result = chatCompletionRequestSchema.safeParse(value);
  return result.success ? null : result.error.issues[0]!.path.join('.');
};

describe('chat request schema', () => {
  it('accepts every role and content part the seeds show', () => {
    const ok = chatCompletionRequestSchema.safeParse({
      model: '',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'run_a::tc_1', type: 'function', function: { name: 'delete_page', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'run_a::tc_1', content: 'approve' },
      ],
      temperature: 0.7,
      stream: true,
      stream_options: { include_usage: true },
      tool_choice: 'auto',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      some_future_field: true,
    });
    expect(ok.success).toBe(true);
  });

  it('names the offending parameter for each out-of-range sampling value', () => {
    expect(firstIssuePath({ ...base, temperature: 2.5 })).toBe('temperature');
    expect(firstIssuePath({ ...base, temperature: '0.5' })).toBe('temperature');
    expect(firstIssuePath({ ...base, top_p: -0.1 })).toBe('top_p');
    expect(firstIssuePath({ ...base, max_tokens: 0 })).toBe('max_tokens');
    expect(firstIssuePath({ ...base, max_tokens: 1.5 })).toBe('max_tokens');
    expect(firstIssuePath({ ...base, frequency_penalty: 3 })).toBe('frequency_penalty');
    expect(firstIssuePath({ ...base, presence_penalty: -2.1 })).toBe('presence_penalty');
    expect(firstIssuePath({ ...base, stop: ['a', 'b', 'c', 'd', 'e'] })).toBe('stop');
    expect(firstIssuePath({ ...base, seed: 1.2 })).toBe('seed');
    expect(firstIssuePath({ ...base, n: 2 })).toBe('n');
    expect(firstIssuePath({ ...base, messages: [] })).toBe('messages');
    expect(firstIssuePath({ ...base, messages: [{ role: 'robot', content: 'x' }] })).toBe('messages.0.role');
  });

  it('accepts the boundaries', () => {
    for (const extra of [
      { temperature: 0 },
      { temperature: 2 },
      { top_p: 1 },
      { n: 1 },
      { stop: 'END' },
      { seed: -4 },
    ]) {
      expect(firstIssuePath({ ...base, ...extra })).toBeNull();
    }
  });

  it('refuses a file part with neither data nor id', () => {
    const path = firstIssuePath({
      ...base,
      messages: [{ role: 'user', content: [{ type: 'file', file: {} }] }],
    });
    expect(path).toBe('messages.0.content.0.file');
  });
});

describe('response schemas', () => {
  it('validate the shapes the seeds document', () => {
    expect(
      chatCompletionSchema.safeParse({
        id: 'chatcmpl-123',
        object: 'chat.completion',
        created: 1677652288,
        model: 'gpt-4o-mini',
        system_fingerprint: 'fp_44709d6fcb',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hello!' },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: 9,
          completion_tokens: 12,
          total_tokens: 21,
          completion_tokens_details: {
            reasoning_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        },
      }).success,
    ).toBe(true);
    expect(
      chatCompletionChunkSchema.safeParse({
        id: 'chatcmpl-123',
        object: 'chat.completion.chunk',
        created: 1677652288,
        model: 'gpt-4o',
        choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }],
      }).success,
    ).toBe(true);
    expect(
      healthSchema.safeParse({
        status: 'online',
        engine: 'ICE v2.7.755',
        ledger_status: 'connected',
        cache_status: 'connected',
      }).success,
    ).toBe(true);
    expect(
      modelListSchema.safeParse({
        object: 'list',
        data: [{ id: 'm', object: 'model', created: 0, owned_by: 'x' }],
      }).success,
    ).toBe(true);
  });

  it('reject a chunk with an unknown finish reason or a completion without choices', () => {
    const chunk = {
      id: 'a',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: {}, finish_reason: 'done' }],
    };
    expect(chatCompletionChunkSchema.safeParse(chunk).success).toBe(false);
    expect(
      chatCompletionSchema.safeParse({
        id: 'a',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [],
      }).success,
    ).toBe(false);
  });

  it('checks ingest sources', () => {
    expect(ingestQuerySchema.safeParse({ uri: 's3://bucket/docs/' }).success).toBe(true);
    expect(ingestQuerySchema.safeParse({ uri: 'gs://bucket/a.txt' }).success).toBe(true);
    expect(ingestQuerySchema.safeParse({ uri: 'http://bucket/a.txt' }).success).toBe(false);
  });
});

import { chatCompletionChunkSchema, chatCompletionSchema } from '@threadline/protocol/schemas';
import { describe, expect, it } from 'vitest';
import { createMockServer } from '../src/index';
import { chat, chunks, frames, streamedText, userSays } from './support/http';

describe('POST /v1/chat/completions (in-process)', () => {
  const server = createMockServer();

  it('answers JSON with every field of a chat.completion', async () => {
    const response = await chat(server, { messages: userSays('Hello, world!') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = await response.json();
    expect(chatCompletionSchema.parse(body)).toBeTruthy();
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'threadline-mini',
      system_fingerprint: 'fp_threadline',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'You said: Hello, world!', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 11,
        completion_tokens: 7,
        total_tokens: 18,
        completion_tokens_details: {
          reasoning_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
    });
    expect(body.id).toMatch(/^run_/);
    expect(response.headers.get('x-threadline-run-id')).toBe(body.id);
    expect(typeof body.created).toBe('number');
  });

  it('streams SSE: one id, role first, one finish chunk, usage chunk, [DONE] last', async () => {
    const response = await chat(server, {
      stream: true,
      stream_options: { include_usage: true },
      messages: userSays('Hello, world!'),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const all = await frames(response);
    expect(all.at(-1)!.data).toBe('[DONE]');
    const list = all.slice(0, -1).map((f) => chatCompletionChunkSchema.parse(JSON.parse(f.data)));
    expect(new Set(list.map((c) => c.id)).size).toBe(1);
    expect(list[0]!.id).toBe(response.headers.get('x-threadline-run-id'));
    expect(list[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(list.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0]!.finish_reason)).toEqual([
      'stop',
    ]);
    const usage = list.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(streamedText(list)).toBe('You said: Hello, world!');
  });

  it('gives the same text streamed or not', async () => {
    const messages = [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'What is 2 + 2? Answer with a number.' },
    ];
    const json = await (await chat(server, { messages })).json();
    const streamed = streamedText(await chunks(await chat(server, { messages, stream: true })));
    expect(streamed).toBe(json.choices[0].message.content);
  });
});

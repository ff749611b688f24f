import { chatCompletionChunkSchema, chatCompletionSchema } from '@threadline/protocol/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, chunks, frames, streamedText, TARGETS, type Target, userSays } from './support/target';

describe.each(TARGETS)('POST /v1/chat/completions (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());

  it('answers JSON with every field of a chat.completion', async () => {
    const response = await chat(target, { messages: userSays('Hello, world!') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = await response.json();
    chatCompletionSchema.parse(body);
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
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      stop_reason: 'end_turn',
    });
    expect(body.id).toMatch(/^run_[A-Za-z0-9]+$/);
    expect(response.headers.get('x-threadline-run-id')).toBe(body.id);
    expect(Math.abs(body.created - Date.now() / 1000)).toBeLessThan(60);
  });

  it('streams SSE: one id, role in the first delta, one finish chunk, usage chunk, [DONE] last', async () => {
    const response = await chat(target, {
      stream: true,
      stream_options: { include_usage: true },
      messages: userSays('Hello, world!'),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const all = await frames(response);
    expect(all.at(-1)!.data).toBe('[DONE]');
    expect(all.filter((f) => f.data === '[DONE]')).toHaveLength(1);
    const list = all.slice(0, -1).map((f) => chatCompletionChunkSchema.parse(JSON.parse(f.data)));
    expect(new Set(list.map((c) => c.id))).toEqual(new Set([response.headers.get('x-threadline-run-id')]));
    expect(list.every((c) => c.object === 'chat.completion.chunk' && c.model === 'threadline-mini')).toBe(
      true,
    );
    expect(list[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(list.slice(1).some((c) => c.choices[0]?.delta.role)).toBe(false);
    const finishes = list.filter((c) => c.choices[0]?.finish_reason);
    expect(finishes.map((c) => c.choices[0]!.finish_reason)).toEqual(['stop']);
    const usage = list.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(streamedText(list)).toBe('You said: Hello, world!');
  });

  it('sends no usage chunk unless stream_options.include_usage asks for it', async () => {
    const list = await chunks(await chat(target, { stream: true, messages: userSays('hi') }));
    expect(list.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
  });

  it('gives the same text streamed or not, for the same request', async () => {
    const messages = [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'What is 2 + 2? Answer with a number, "quoted" & escaped \\ ✓.' },
    ];
    const first = await (await chat(target, { messages })).json();
    const second = await (await chat(target, { messages })).json();
    const streamed = streamedText(await chunks(await chat(target, { messages, stream: true })));
    expect(second.choices[0].message.content).toBe(first.choices[0].message.content);
    expect(streamed).toBe(first.choices[0].message.content);
  });

  it('gives every turn its own run id', async () => {
    const a = await chat(target, { messages: userSays('one') });
    const b = await chat(target, { messages: userSays('one') });
    expect(a.headers.get('x-threadline-run-id')).not.toBe(b.headers.get('x-threadline-run-id'));
  });

  it('sends each SSE frame whole, one frame per write', async () => {
    const response = await chat(
      target,
      {
        stream: true,
        messages: userSays('several words make several frames'),
      },
      { 'x-threadline-chunk-delay': '5' },
    );
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const reads: string[] = [];
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      reads.push(decoder.decode(value));
    }
    // Paced frames cannot share a network read, so each read is exactly one whole frame.
    expect(reads.length).toBeGreaterThan(5);
    for (const read of reads) expect(read).toMatch(/^data: [^\n]+\n\n$/);
  });
});

import { describe, expect, it } from 'vitest';
import { type ChatCompletionChunk, ChatCompletionStream, streamFromResponse, Threadline } from '../src/index';
import { user, useServer } from './support/server';

const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('chat completions against the reference server (in-process through msw)', () => {
  const ref = useServer();

  it('returns a typed completion', async () => {
    const completion = await ref.client.chat.completions.create({ model: '', messages: user('Say hello') });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^run_/);
    expect(completion.choices[0]?.message.content).toBe('You said: Say hello');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
  });

  it('streams typed chunks that add up to the same text as the JSON answer', async () => {
    const stream = await ref.client.chat.completions.create({
      model: '',
      stream: true,
      messages: user('Say hello'),
    });
    expect(stream).toBeInstanceOf(ChatCompletionStream);
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(stream.runId).toBe(chunks[0]?.id);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: Say hello');
  });

  it('assembles text, usage, finish and stop reason with finalCompletion()', async () => {
    const stream = await ref.client.chat.completions.create({
      model: '',
      stream: true,
      stream_options: { include_usage: true },
      messages: user('Say hello'),
    });
    const final = await stream.finalCompletion();
    expect(final.object).toBe('chat.completion');
    expect(final.choices[0]?.message.content).toBe('You said: Say hello');
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
    // Same answer as a second call for the whole stream consumed by iteration.
    expect(await stream.finalCompletion()).toBe(final);
  });

  it('joins streamed tool call arguments and parses them', async () => {
    ref.server.fixtures.add({
      match: { userText: 'weather in Paris and Rome' },
      reply: {
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Paris' } },
          { name: 'get_weather', arguments: { city: 'Rome', days: [1, 2, 3] } },
        ],
      },
    });
    const stream = await ref.client.chat.completions.create({
      model: '',
      stream: true,
      tools: [weather],
      messages: user('weather in Paris and Rome'),
    });
    let fragments = 0;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) if (call.function?.arguments) fragments++;
    }
    const final = await stream.finalCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(fragments).toBeGreaterThan(calls.length);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(calls.map((c) => c.function.name)).toEqual(['get_weather', 'get_weather']);
    expect(calls.map((c) => c.function.parsed_arguments)).toEqual([
      { city: 'Paris' },
      { city: 'Rome', days: [1, 2, 3] },
    ]);
    expect(JSON.parse(calls[1]!.function.arguments)).toEqual({ city: 'Rome', days: [1, 2, 3] });
    expect(calls[0]?.id).not.toBe(calls[1]?.id);
  });

  it('finalCompletion() works without iterating, and a stream can be iterated only once', async () => {
    const stream = await ref.client.chat.completions.create({
      model: '',
      stream: true,
      messages: user('once'),
    });
    expect((await stream.finalCompletion()).choices[0]?.message.content).toBe('You said: once');
    await expect(async () => {
      for await (const _ of stream) {
      }
    }).rejects.toThrow(/iterated once/);
  });

  it('relays a stream as SSE bytes that streamFromResponse() reads back, progress and all', async () => {
    const upstream = await ref.client.chat.completions.create({
      model: '',
      stream: true,
      stream_options: { include_usage: true },
      messages: user('relay me'),
    });
    const relayed = new Response(upstream.toReadableStream(), {
      headers: { 'content-type': 'text/event-stream' },
    });
    const text = await relayed.clone().text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const browserSide = await streamFromResponse(relayed);
    const final = await browserSide.finalCompletion();
    expect(final.choices[0]?.message.content).toBe('You said: relay me');
    expect(final.usage).toEqual((await upstream.finalCompletion()).usage);
  });

  it('relays an upstream error frame as an error frame the reading side throws', async () => {
    const upstream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('relay an error') },
      { headers: { 'x-threadline-fault': 'error-frame-after=1' } },
    );
    const relayed = new Response(upstream.toReadableStream());
    const browserSide = await streamFromResponse(relayed.clone());
    await expect(browserSide.finalCompletion()).rejects.toMatchObject({
      name: 'InternalServerError',
      status: 500,
    });
    expect(await relayed.text()).toMatch(/data: \{"error":\{"message":.*\n\ndata: \[DONE\]\n\n$/s);
  });

  it('lists models and reads health', async () => {
    const models = await ref.client.models.list();
    expect(models.object).toBe('list');
    expect(models.data.map((m) => m.id)).toEqual(['threadline-mini', 'threadline-large']);
    const health = await ref.client.health();
    expect(health.status).toBe('online');
    // The reference server may report more (its stores, say); these are the protocol's fields.
    expect(Object.keys(health)).toEqual(
      expect.arrayContaining(['cache_status', 'engine', 'ledger_status', 'status']),
    );
  });

  it('accepts a base URL ending in /v1 and routes health to the root', async () => {
    const v1 = new Threadline({ baseURL: `${ref.url}/v1/` });
    expect(v1.options.baseURL).toBe(ref.url);
    expect((await v1.health()).status).toBe('online');
    expect(
      (await v1.chat.completions.create({ model: '', messages: user('x') })).choices[0]?.message.content,
    ).toBe('You said: x');
    expect(ref.server.journal.list().map((e) => e.path)).toEqual(['/health', '/v1/chat/completions']);
  });
});

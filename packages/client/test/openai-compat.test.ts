import OpenAI from 'openai';
import { Stream } from 'openai/streaming';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletionChunk, FinalCompletion } from '../src/index';
import { user, useServer } from './support/server';

// The official SDK, which nobody here wrote, as the referee: it must read what this client relays, and
// assemble a stream into the same answer this client's finalCompletion() does.

const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** The parts of an assembled answer both clients must agree on (run ids differ per call). */
function essence(completion: Pick<FinalCompletion, 'model' | 'usage'> & { choices: unknown[] }) {
  const choice = completion.choices[0] as FinalCompletion['choices'][number];
  return {
    model: completion.model,
    content: choice.message.content,
    finish: choice.finish_reason,
    tools: (choice.message.tool_calls ?? []).map((c) => ({
      name: c.function.name,
      arguments: JSON.parse(c.function.arguments),
    })),
    usage: completion.usage,
  };
}

describe('wire compatibility with the official openai SDK (real port)', () => {
  const ref = useServer({ over: 'port' });
  let openai: OpenAI;
  beforeAll(() => {
    openai = new OpenAI({ baseURL: `${ref.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  it('the SDK reads a relay made by toReadableStream() chunk for chunk', async () => {
    const upstream = await ref.client.chat.completions.create({
      model: '',
      stream: true,
      stream_options: { include_usage: true },
      messages: user('relay to the official SDK'),
    });
    const relayed = new Response(upstream.toReadableStream(), {
      headers: { 'content-type': 'text/event-stream' },
    });
    const sdkChunks: ChatCompletionChunk[] = [];
    for await (const chunk of Stream.fromSSEResponse<ChatCompletionChunk>(relayed, new AbortController())) {
      sdkChunks.push(chunk);
    }
    const text = sdkChunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('You said: relay to the official SDK');
    expect(sdkChunks.at(-1)?.usage).toEqual((await upstream.finalCompletion()).usage);
    expect(new Set(sdkChunks.map((c) => c.id))).toEqual(new Set([upstream.runId]));
  });

  it('the SDK raises an API error for an error frame in a relay', async () => {
    const upstream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('one two three four') },
      { headers: { 'x-threadline-fault': 'error-frame-after=1' }, maxRetries: 0 },
    );
    const relayed = new Response(upstream.toReadableStream());
    const error = await (async () => {
      for await (const _ of Stream.fromSSEResponse(relayed, new AbortController())) {
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.message).toMatch(/injected|error/i);
  });

  it('finalCompletion() assembles text, tool calls, usage and finish reason as the SDK does', async () => {
    ref.server.fixtures.add({
      match: { userText: 'weather in Oslo and Lima' },
      reply: {
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Oslo' } },
          { name: 'get_weather', arguments: { city: 'Lima', days: [1, 2] } },
        ],
      },
    });
    for (const prompt of ['weather in Oslo and Lima', 'plain text, several words long']) {
      const params = {
        model: '',
        tools: [weather],
        stream_options: { include_usage: true },
        messages: user(prompt),
      };
      const ours = await (
        await ref.client.chat.completions.create({ ...params, stream: true })
      ).finalCompletion();
      const theirs = await openai.chat.completions.stream(params).finalChatCompletion();
      expect(essence(ours)).toEqual(essence(theirs as never));
    }
  });
});

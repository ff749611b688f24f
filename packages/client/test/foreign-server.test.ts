import { describe, expect, it } from 'vitest';
import { BadRequestError, RateLimitError } from '../src/index';
import { LONG, useAimock } from './support/aimock';
import { user } from './support/server';

// aimock (@copilotkit/aimock) is an OpenAI-compatible mock nobody here wrote: it chunks streams its own
// way (20-character deltas, tool arguments in fragments) and shapes its own errors. The client must read
// it as well as it reads our reference server.

const foreign = useAimock((mock) => {
  mock.onMessage('weather', {
    toolCalls: [{ name: 'get_weather', arguments: JSON.stringify({ city: 'Paris', unit: 'celsius' }) }],
  });
  mock.onMessage('slow down', {
    error: {
      message: 'Rate limit reached for gpt-4o.',
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
    },
    status: 429,
    retryAfter: 0,
  });
  mock.onMessage('bad temperature', {
    error: { message: 'temperature is out of range', type: 'invalid_request_error', param: 'temperature' },
    status: 400,
  });
});

describe('the client against a server nobody here wrote (aimock)', () => {
  it('reads a JSON completion and a stream of small deltas into the same text', async () => {
    const json = await foreign.client.chat.completions.create({
      model: 'gpt-4o',
      messages: user('long answer'),
    });
    expect(json.choices[0]?.message.content).toBe(LONG);

    const stream = await foreign.client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: user('long answer'),
    });
    const deltas: string[] = [];
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (text) deltas.push(text);
    }
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(LONG);
  });

  it('assembles a streamed tool call from its fragments and parses the arguments', async () => {
    const stream = await foreign.client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: user('what is the weather?'),
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    const final = await stream.finalCompletion();
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.tool_calls).toEqual([
      expect.objectContaining({
        type: 'function',
        function: expect.objectContaining({
          name: 'get_weather',
          arguments: '{"city":"Paris","unit":"celsius"}',
          parsed_arguments: { city: 'Paris', unit: 'celsius' },
        }),
      }),
    ]);
  });

  it('raises its error bodies as typed errors, retrying the 429 it was told to', async () => {
    const limited = await foreign.client.chat.completions
      .create({ model: 'gpt-4o', messages: user('slow down') }, { maxRetries: 1 })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    const attempts = foreign.mock.getRequests().filter((r) => JSON.stringify(r.body).includes('slow down'));
    expect(attempts).toHaveLength(2);

    const invalid = await foreign.client.chat.completions
      .create({ model: 'gpt-4o', messages: user('bad temperature') })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(BadRequestError);
    expect(invalid).toMatchObject({ status: 400, param: 'temperature', type: 'invalid_request_error' });
    expect((invalid as Error).message).toContain('temperature is out of range');
  });

  it('lists its models', async () => {
    const models = await foreign.client.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o');
  });
});

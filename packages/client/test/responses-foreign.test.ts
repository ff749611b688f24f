import { describe, expect, it } from 'vitest';
import { functionCalls, RateLimitError } from '../src/index';
import { LONG, useAimock } from './support/aimock';

// The Responses door of aimock, a mock nobody here wrote: its own event pacing, ids and error shapes.

const foreign = useAimock(
  (mock) => {
    mock.onMessage('weather', {
      toolCalls: [{ name: 'get_weather', arguments: JSON.stringify({ city: 'Paris' }) }],
    });
    mock.onMessage('slow down', {
      error: { message: 'Rate limit reached.', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
      status: 429,
      retryAfter: 0,
    });
  },
  { maxRetries: 0 },
);

describe('responses against a server nobody here wrote (aimock)', () => {
  it('reads a JSON response and a stream of small deltas into the same output_text', async () => {
    const json = await foreign.client.responses.create({ model: 'gpt-4o', input: 'long answer' });
    expect(json.output_text).toBe(LONG);
    const stream = await foreign.client.responses.create({
      model: 'gpt-4o',
      input: 'long answer',
      stream: true,
    });
    const deltas: string[] = [];
    for await (const piece of stream.textStream) deltas.push(piece);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(LONG);
    expect((await stream.finalResponse()).output_text).toBe(LONG);
  });

  it('reads its function calls, streamed or not', async () => {
    const json = await foreign.client.responses.create({ model: 'gpt-4o', input: 'weather' });
    expect(functionCalls(json)).toMatchObject([{ name: 'get_weather', parsed_arguments: { city: 'Paris' } }]);
    const stream = await foreign.client.responses.create({ model: 'gpt-4o', input: 'weather', stream: true });
    expect(functionCalls(await stream.finalResponse())).toMatchObject([
      { name: 'get_weather', parsed_arguments: { city: 'Paris' } },
    ]);
  });

  it('types its errors', async () => {
    const error = await foreign.client.responses
      .create({ model: 'gpt-4o', input: 'slow down' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
  });
});

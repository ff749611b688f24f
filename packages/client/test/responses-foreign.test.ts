import { LLMock } from '@copilotkit/aimock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionCalls, RateLimitError, Threadline } from '../src/index';

// The Responses door of aimock, a mock nobody here wrote: its own event pacing, ids and error shapes.

const LONG = 'A foreign server streams this sentence in twenty-character pieces, and the client joins them.';

let mock: LLMock;
let client: Threadline;

beforeAll(async () => {
  mock = new LLMock({ port: 0, logLevel: 'silent', chunkSize: 20 });
  mock.onMessage('long answer', { content: LONG });
  mock.onMessage('weather', {
    toolCalls: [{ name: 'get_weather', arguments: JSON.stringify({ city: 'Paris' }) }],
  });
  mock.onMessage('slow down', {
    error: { message: 'Rate limit reached.', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
    status: 429,
    retryAfter: 0,
  });
  await mock.start();
  client = new Threadline({
    baseURL: `${mock.url}/v1`,
    dialect: 'openai',
    apiKey: 'sk-foreign',
    maxRetries: 0,
  });
});
afterAll(() => mock.stop());

describe('responses against a server nobody here wrote (aimock)', () => {
  it('reads a JSON response and a stream of small deltas into the same output_text', async () => {
    const json = await client.responses.create({ model: 'gpt-4o', input: 'long answer' });
    expect(json.output_text).toBe(LONG);
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'long answer', stream: true });
    const deltas: string[] = [];
    for await (const piece of stream.textStream) deltas.push(piece);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(LONG);
    expect((await stream.finalResponse()).output_text).toBe(LONG);
  });

  it('reads its function calls, streamed or not', async () => {
    const json = await client.responses.create({ model: 'gpt-4o', input: 'weather' });
    expect(functionCalls(json)).toMatchObject([{ name: 'get_weather', parsed_arguments: { city: 'Paris' } }]);
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'weather', stream: true });
    expect(functionCalls(await stream.finalResponse())).toMatchObject([
      { name: 'get_weather', parsed_arguments: { city: 'Paris' } },
    ]);
  });

  it('types its errors', async () => {
    const error = await client.responses
      .create({ model: 'gpt-4o', input: 'slow down' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
  });
});

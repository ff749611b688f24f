import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, start } from '../src/index';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

describe('wire compatibility with the official openai SDK', () => {
  let running: RunningServer;
  let client: OpenAI;
  beforeAll(async () => {
    running = await start({
      port: 0,
      fixtures: [
        {
          match: { userText: 'break mid-stream' },
          reply: { text: 'a b c', error: { status: 500, afterChunks: 2 } },
        },
      ],
    });
    client = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
  });
  afterEach(() => running.server.faults.clear());
  afterAll(() => running.close());

  it('creates a completion', async () => {
    const completion = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    expect(completion.choices[0]!.message.content).toBe('You said: Hello there');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBe(
      completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
    );
    expect(completion.id).toMatch(/^run_/);
  });

  it('streams a completion, with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'threadline-large',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Stream me' }],
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    const ids = new Set<string>();
    for await (const chunk of stream) {
      ids.add(chunk.id);
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('You said: Stream me');
    expect(ids.size).toBe(1);
    expect(usage?.completion_tokens).toBe(5);
  });

  it('accumulates a streamed completion with the stream helper', async () => {
    const stream = client.chat.completions.stream({
      model: '',
      messages: [{ role: 'user', content: 'helper' }],
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('You said: helper');
  });

  it('gets tool calls, JSON and streamed', async () => {
    const params = {
      model: '',
      tools: [weatherTool],
      tool_choice: { type: 'function' as const, function: { name: 'get_weather' } },
      messages: [{ role: 'user' as const, content: 'Weather in Berlin?' }],
    };
    const json = await client.chat.completions.create(params);
    const call = json.choices[0]!.message.tool_calls![0]!;
    expect(json.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Berlin' });
    const streamed = await client.chat.completions.stream(params).finalChatCompletion();
    const streamedCall = streamed.choices[0]!.message.tool_calls![0]!;
    expect(streamedCall.type === 'function' && streamedCall.function).toEqual({
      name: 'get_weather',
      arguments: '{"city":"Berlin"}',
    });
    expect(streamed.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it.each([false, true])('runs the tool round trip to stop with runTools (stream: %s)', async (stream) => {
    const calls: Array<{ city: string }> = [];
    const tools = [
      {
        type: 'function' as const,
        function: {
          ...weatherTool.function,
          parse: (input: string) => JSON.parse(input) as { city: string },
          function: (args: { city: string }) => {
            calls.push(args);
            return { tempC: 21 };
          },
        },
      },
    ];
    const messages = [{ role: 'user' as const, content: 'What is the weather in Paris?' }];
    const runner = stream
      ? client.chat.completions.runTools({ model: '', stream: true, messages, tools })
      : client.chat.completions.runTools({ model: '', messages, tools });
    const content = await runner.finalContent();
    expect(calls).toEqual([{ city: 'Paris' }]);
    expect(content).toBe('get_weather returned {"tempC":21}');
  });

  const raise = async (run: () => Promise<unknown>): Promise<APIError> => {
    try {
      await run();
    } catch (error) {
      expect(error).toBeInstanceOf(APIError);
      return error as APIError;
    }
    throw new Error('expected the call to fail');
  };
  const say = (
    headers: Record<string, string> = {},
    body: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {},
  ) =>
    client.chat.completions.create(
      { model: '', messages: [{ role: 'user', content: 'x' }], ...body },
      { headers },
    );

  it('raises 400 as BadRequestError with param and code', async () => {
    const error = await raise(() => say({}, { temperature: 5 }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      param: 'temperature',
      code: 'invalid_value',
      type: 'invalid_request_error',
    });
    const tool = await raise(() => say({}, { tool_choice: 'required' }));
    expect(tool).toMatchObject({ status: 400, param: 'tool_choice', code: 'invalid_tool_choice' });
  });

  it('raises 401 as AuthenticationError', async () => {
    const locked = await start({ port: 0, auth: { apiKeys: ['sk-right'] } });
    try {
      const wrong = new OpenAI({ baseURL: `${locked.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
      const error = await raise(() =>
        wrong.chat.completions.create({ model: '', messages: [{ role: 'user', content: 'x' }] }),
      );
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    } finally {
      await locked.close();
    }
  });

  it('raises 402 as an APIError with status 402', async () => {
    const error = await raise(() => say({ 'x-threadline-fault': 'status=402' }));
    expect(error.status).toBe(402);
    expect(error.code).toBe('insufficient_quota');
  });

  it('raises an unknown model as NotFoundError, JSON and streamed', async () => {
    const error = await raise(() => say({}, { model: 'gpt-9' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    const streamed = await raise(async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-9',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      });
      for await (const _ of stream) {
        // the error frame ends the stream as a thrown APIError
      }
    });
    expect(streamed).toMatchObject({
      code: 'model_not_found',
      message: expect.stringContaining("model 'gpt-9' not found"),
    });
  });

  it('raises a mid-stream error frame as an APIError after the text before it', async () => {
    let text = '';
    const error = await raise(async () => {
      const stream = await client.chat.completions.create({
        model: '',
        stream: true,
        messages: [{ role: 'user', content: 'break mid-stream' }],
      });
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    });
    expect(text).toBe('a b');
    expect(error.type).toBe('server_error');
  });

  it('raises 413 for a body over 32 MB', async () => {
    const error = await raise(() =>
      say({}, { messages: [{ role: 'user', content: 'x'.repeat(33 * 1024 * 1024) }] }),
    );
    expect(error).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('raises 429 as RateLimitError and 500 as InternalServerError', async () => {
    const limited = await raise(() => say({ 'x-threadline-fault': 'rate-limit=1' }));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(limited.headers?.get('retry-after')).toBe('1');
    const failed = await raise(() => say({ 'x-threadline-fault': 'status=500' }));
    expect(failed).toBeInstanceOf(InternalServerError);
    expect(failed).toMatchObject({ status: 500, code: 'server_error' });
    expect(failed.requestID).toMatch(/^req_/);
  });

  it('retries queued 429s the SDK way, and never retries out-of-quota', async () => {
    const retrying = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: 'x', maxRetries: 2 });
    running.server.faults.enqueue('rate-limit=0', 2);
    const before = running.server.journal.list().length;
    const completion = await retrying.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'retry' }],
    });
    expect(completion.choices[0]!.message.content).toBe('You said: retry');
    expect(running.server.journal.list().length - before).toBe(3);

    running.server.faults.enqueue('quota', 3);
    const start = running.server.journal.list().length;
    const error = await raise(() =>
      retrying.chat.completions.create({ model: '', messages: [{ role: 'user', content: 'quota' }] }),
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.code).toBe('insufficient_quota');
    expect(running.server.journal.list().length - start).toBe(1);
  });

  it('lists models', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['threadline-mini', 'threadline-large']);
    expect((await client.models.retrieve('threadline-mini')).id).toBe('threadline-mini');
  });
});

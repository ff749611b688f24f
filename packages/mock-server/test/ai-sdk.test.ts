import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  APICallError,
  generateText,
  jsonSchema,
  StreamProviderError,
  stepCountIs,
  streamText,
  tool,
} from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, start } from '../src/index';

// The Vercel AI SDK (`ai` + `@ai-sdk/openai-compatible`) is a second real client nobody here wrote:
// it parses our JSON and SSE with its own schemas, so a drift in the wire format fails here.

interface RunRecord {
  status: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  tool_calls: Array<{ name: string; arguments: string }>;
}

describe('wire compatibility with the Vercel AI SDK (openai-compatible provider)', () => {
  let running: RunningServer;
  let provider: ReturnType<typeof createOpenAICompatible>;
  const runOf = async (id: string): Promise<RunRecord> =>
    (await fetch(`${running.url}/v1/runs/${id}`)).json();
  const lastRunId = () => running.server.journal.list().at(-1)!.runId!;

  beforeAll(async () => {
    running = await start({ port: 0 });
    provider = createOpenAICompatible({
      name: 'threadline',
      baseURL: `${running.url}/v1`,
      includeUsage: true,
    });
  });
  afterAll(() => running.close());

  /** Streams a prompt to the end, collecting the text and the errors the SDK reports through onError. */
  async function streamCollecting(model: string, prompt: string) {
    const errors: unknown[] = [];
    const result = streamText({
      model: provider(model),
      prompt,
      maxRetries: 0,
      onError: ({ error }) => void errors.push(error),
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    return { text, errors };
  }
  beforeEach(() => running.server.reset());

  it('generateText: the deterministic reply, finish reason and the usage the run records', async () => {
    const result = await generateText({
      model: provider('threadline-mini'),
      prompt: 'hello there',
      maxRetries: 0,
    });
    expect(result.text).toBe('You said: hello there');
    expect(result.finishReason).toBe('stop');
    const run = await runOf(lastRunId());
    expect(run.status).toBe('completed');
    expect(result.usage.inputTokens).toBe(run.usage.prompt_tokens);
    expect(result.usage.outputTokens).toBe(run.usage.completion_tokens);
    expect(result.usage.totalTokens).toBe(run.usage.total_tokens);
  });

  it('streamText: the same text streamed, with the usage chunk read', async () => {
    const result = streamText({ model: provider('threadline-mini'), prompt: 'hello there', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('You said: hello there');
    expect(await result.finishReason).toBe('stop');
    const run = await runOf(lastRunId());
    expect((await result.usage).outputTokens).toBe(run.usage.completion_tokens);
  });

  it('a client tool: streamed call deltas assemble, the SDK executes it, the result round trip ends in text', async () => {
    const calls: unknown[] = [];
    const result = streamText({
      model: provider('threadline-mini'),
      prompt: 'What is the weather in Lyon? Use get_weather city=Lyon',
      maxRetries: 0,
      stopWhen: stepCountIs(3),
      tools: {
        get_weather: tool({
          description: 'Current weather for a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
            additionalProperties: false,
          }),
          execute: async (input) => {
            calls.push(input);
            return { city: input.city, sky: 'clear' };
          },
        }),
      },
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(calls).toEqual([{ city: 'Lyon' }]);
    expect(text).toBe('get_weather returned {"city":"Lyon","sky":"clear"}');
    const steps = await result.steps;
    expect(steps.map((s) => s.finishReason)).toEqual(['tool-calls', 'stop']);
  });

  it('an unknown model: APICallError 404 without streaming, a typed stream error (not empty success) streamed', async () => {
    const json = await generateText({ model: provider('no-such-model'), prompt: 'hi', maxRetries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(json)).toBe(true);
    expect((json as APICallError).statusCode).toBe(404);
    expect((json as APICallError).message).toMatch(/no-such-model/);

    const { text, errors } = await streamCollecting('no-such-model', 'hi');
    expect(text).toBe('');
    expect(errors).toHaveLength(1);
    // Streamed, the failure arrives as the terminal error frame: the SDK raises it with its type and code.
    const streamed = errors[0];
    expect(StreamProviderError.isInstance(streamed)).toBe(true);
    expect(streamed).toMatchObject({ type: 'not_found_error', code: 'model_not_found', isRetryable: false });
    expect((streamed as Error).message).toMatch(/no-such-model/);
  });

  it('session memory through provider headers: a fact stated in one call is recalled in the next', async () => {
    const remembering = createOpenAICompatible({
      name: 'threadline',
      baseURL: `${running.url}/v1`,
      headers: { 'X-Session-Id': 'ai-sdk-session', 'X-User-Id': 'ada' },
    });
    await generateText({ model: remembering(''), prompt: 'My locker code is ZEBRA-42.', maxRetries: 0 });
    const recalled = await generateText({
      model: remembering(''),
      prompt: 'What is my locker code?',
      maxRetries: 0,
    });
    expect(recalled.text).toContain('ZEBRA-42');

    const stateless = await generateText({
      model: provider(''),
      prompt: 'What is my locker code?',
      maxRetries: 0,
    });
    expect(stateless.text).not.toContain('ZEBRA-42');
  });

  it('a mid-stream error frame surfaces as a stream error after the text before it', async () => {
    running.server.faults.enqueue('error-frame-after=2', 1);
    const { text, errors } = await streamCollecting('threadline-mini', 'one two three four five six seven');
    expect('You said: one two three four five six seven'.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan('You said: one two three four five six seven'.length);
    expect(text.length).toBeGreaterThan(0);
    expect(errors).toHaveLength(1);
    expect(StreamProviderError.isInstance(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ type: 'server_error', code: 'server_error' });
  });
});

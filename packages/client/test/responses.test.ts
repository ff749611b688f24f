import { describe, expect, it } from 'vitest';
import {
  functionCallOutputs,
  functionCalls,
  NotFoundError,
  ResponseStream,
  type ResponsesStreamEvent,
  responseStreamFromResponse,
  ThreadlineError,
  ThreadlineResponses,
} from '../src/index';
import { useServer } from './support/server';

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

const messageText = (output: { type: string; content?: { type: string; text?: string }[] }[]) =>
  output
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content ?? [])
    .map((part) => part.text ?? '')
    .join('');

describe.each(['msw', 'port'] as const)('client.responses (%s)', (over) => {
  const ref = useServer({ over });

  it('create() answers a typed response with output_text', async () => {
    const response = await ref.client.responses.create({ model: '', input: 'hello responses' });
    expect(response).toMatchObject({ object: 'response', status: 'completed' });
    expect(response.id).toMatch(/^run_/);
    expect(response.output_text).toBe('You said: hello responses');
    expect(response.output_text).toBe(messageText(response.output));
  });

  it('a stream yields typed events in sequence; finalResponse() is the completed response', async () => {
    const stream = await ref.client.responses.create({ model: '', input: 'one two three', stream: true });
    expect(stream).toBeInstanceOf(ResponseStream);
    const events: ResponsesStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0]!.type).toBe('response.created');
    expect(events.at(-1)!.type).toBe('response.completed');
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    expect(deltas.length).toBeGreaterThan(1);
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('You said: one two three');
    expect(deltas.join('')).toBe(final.output_text);
    expect(final.id).toBe(stream.runId);
  });

  it('a stream cut by max_output_tokens ends response.incomplete; finalResponse() says so', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const stream = await ref.client.responses.create({
      model: '',
      input: long,
      max_output_tokens: 16,
      stream: true,
    });
    let text = '';
    for await (const piece of stream.textStream) text += piece;
    const final = await stream.finalResponse();
    expect(final).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    expect(final.output_text).toBe(text);
    expect(text.length).toBeLessThan(`You said: ${long}`.length);
  });

  it('textStream yields only the text; finalResponse() works without iterating', async () => {
    const stream = await ref.client.responses.create({ model: '', input: 'text only', stream: true });
    let text = '';
    for await (const piece of stream.textStream) text += piece;
    expect(text).toBe('You said: text only');
    const again = await ref.client.responses.create({ model: '', input: 'text only', stream: true });
    expect((await again.finalResponse()).output_text).toBe(text);
    await expect(
      (async () => {
        for await (const _ of again) {
        }
      })(),
    ).rejects.toThrow(/iterated once/);
  });

  it('toReadableStream() relays the events, read back with responseStreamFromResponse', async () => {
    const stream = await ref.client.responses.create({ model: '', input: 'relay me', stream: true });
    const relayed = new Response(stream.toReadableStream(), {
      headers: { 'content-type': 'text/event-stream' },
    });
    const browserSide = await responseStreamFromResponse(relayed);
    const types: string[] = [];
    for await (const event of browserSide) types.push(event.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect((await browserSide.finalResponse()).output_text).toBe('You said: relay me');
  });

  it('an error relayed by toReadableStream() arrives typed on the other side', async () => {
    const stream = await ref.client.responses.create(
      { model: '', input: 'one two three four five six', stream: true },
      { headers: { 'x-threadline-fault': 'error-frame-after=2' } },
    );
    const browserSide = await responseStreamFromResponse(new Response(stream.toReadableStream()));
    const error = await browserSide.finalResponse().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InternalServerError', code: 'server_error' });
  });

  it('previous_response_id continues the conversation with only the new input', async () => {
    const first = await ref.client.responses.create({ model: '', input: 'My name is Ada.' });
    const second = await ref.client.responses.create({
      model: '',
      previous_response_id: first.id,
      input: 'And tomorrow?',
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toBe('You said: And tomorrow?');
    const alone = await ref.client.responses.create({ model: '', input: 'And tomorrow?' });
    expect(second.usage!.input_tokens).toBeGreaterThan(alone.usage!.input_tokens);
    const sent = ref.server.journal.list().at(-2)!.body as { input: unknown };
    expect(sent.input).toBe('And tomorrow?');
    const missing = await ref.client.responses
      .create({ model: '', previous_response_id: 'run_never', input: 'x' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ code: 'previous_response_not_found', param: 'previous_response_id' });
  });

  it('withOptions({ threadId }) scopes memory on this door as on chat', async () => {
    const onThread = ref.client.withOptions({ threadId: 'thread-responses-1' });
    const first = await onThread.responses.create({ model: '', input: 'remember this' });
    const second = await onThread.responses.create({ model: '', input: 'and this' });
    const alone = await ref.client.responses.create({ model: '', input: 'and this' });
    expect(second.usage!.input_tokens).toBeGreaterThan(alone.usage!.input_tokens);
    expect(first.output_text).toBe('You said: remember this');
    const headers = ref.server.journal.list().at(-2)!.headers as Record<string, string>;
    expect(headers['ic-thread-id']).toBe('thread-responses-1');
  });

  it('a function call round trip with functionCallOutputs()', async () => {
    const first = await ref.client.responses.create({
      model: '',
      input: 'What is the weather in Paris?',
      tools: [weather],
    });
    const calls = functionCalls(first);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ type: 'function_call', name: 'get_weather' });
    expect(calls[0]!.parsed_arguments).toHaveProperty('city');
    const input = functionCallOutputs(first, (call) => ({ city: call.parsed_arguments, temp_c: 21 }));
    expect(input).toEqual([
      {
        type: 'function_call_output',
        call_id: calls[0]!.call_id,
        output: expect.stringContaining('"temp_c":21'),
      },
    ]);
    const second = await ref.client.responses.create({
      model: '',
      tools: [weather],
      previous_response_id: first.id,
      input,
    });
    expect(second.output_text).toContain('"temp_c":21');
    expect(() => functionCallOutputs(first, {})).toThrow(ThreadlineError);
    expect(functionCallOutputs(first, { [calls[0]!.call_id]: 'sunny' })[0]!.output).toBe('sunny');
  });

  it('a streamed function call: argument deltas, and the call in finalResponse()', async () => {
    const stream = await ref.client.responses.create({
      model: '',
      input: 'What is the weather in Paris?',
      tools: [weather],
      stream: true,
    });
    let args = '';
    for await (const event of stream) {
      if (event.type === 'response.function_call_arguments.delta') args += event.delta;
    }
    const [call] = functionCalls(await stream.finalResponse());
    expect(call!.arguments).toBe(args);
  });

  it('an unknown model is a NotFoundError, streamed or not', async () => {
    const json = await ref.client.responses.create({ model: 'nope-model', input: 'x' }).catch((e) => e);
    expect(json).toBeInstanceOf(NotFoundError);
    const streamed = await ref.client.responses
      .create({ model: 'nope-model', input: 'x', stream: true })
      .then((s) => s.finalResponse())
      .catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(NotFoundError);
    expect(streamed).toMatchObject({ code: 'model_not_found' });
  });

  it('ThreadlineResponses, the small entry, speaks the same door', async () => {
    const small = new ThreadlineResponses({ baseURL: ref.url });
    const stream = await small.responses.create({ model: '', input: 'small', stream: true });
    expect((await stream.finalResponse()).output_text).toBe('You said: small');
    const scoped = small.withOptions({ sessionId: 's-1' });
    expect(scoped).toBeInstanceOf(ThreadlineResponses);
    expect(scoped.options).toMatchObject({ baseURL: ref.url, sessionId: 's-1' });
  });
});

describe('reading a responses stream from any server (responseStreamFromResponse)', () => {
  const sse = (...events: Record<string, unknown>[]) =>
    new Response(
      events
        .map((e, i) => `event: ${e.type}\ndata: ${JSON.stringify({ sequence_number: i, ...e })}\n\n`)
        .join(''),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  const created = { type: 'response.created', response: { id: 'resp_1', object: 'response', output: [] } };
  // The item is added first: a delta for an item never added is itself a malformed stream.
  const added = {
    type: 'response.output_item.added',
    output_index: 0,
    item: { type: 'message', id: 'm', role: 'assistant', status: 'in_progress', content: [] },
  };
  const delta = {
    type: 'response.output_text.delta',
    item_id: 'm',
    output_index: 0,
    content_index: 0,
    delta: 'hi',
  };

  it('a terminal event without its response object is MalformedResponseError', async () => {
    const stream = await responseStreamFromResponse(
      sse(created, added, delta, { type: 'response.completed' }),
    );
    await expect(stream.finalResponse()).rejects.toThrow(/carries no response object/);
  });

  it('an error event in the flat form (code beside type) is typed with that code', async () => {
    const stream = await responseStreamFromResponse(
      sse(created, added, delta, {
        type: 'error',
        code: 'rate_limit_exceeded',
        message: 'slow down',
        param: null,
      }),
    );
    const error = await stream.finalResponse().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'rate_limit_exceeded',
      message: expect.stringContaining('slow down'),
    });
  });

  it('a relayed error event follows the last sequence number', async () => {
    const upstream = await responseStreamFromResponse(
      sse(created, added, delta, {
        type: 'error',
        error: { type: 'server_error', code: 'boom', message: 'x', param: null },
      }),
    );
    const text = await new Response(upstream.toReadableStream()).text();
    const last = text.trim().split('\n\n').at(-1)!;
    expect(last.startsWith('event: error\n')).toBe(true);
    expect(JSON.parse(last.split('data: ')[1]!)).toMatchObject({ sequence_number: 3, code: 'boom' });
  });
});

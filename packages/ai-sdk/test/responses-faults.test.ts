import { APICallError, InvalidResponseDataError } from '@ai-sdk/provider';
import { generateText, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { useServer } from './support/server';

// Every fault of the reference server that touches the Responses door, as an app on the SDK sees it.
const ref = useServer();
const fault = (spec: string) => ({ headers: { 'x-threadline-fault': spec } });
const HELLO = 'Say hello in three words.';

async function streamed(spec: string, prompt = HELLO, extra: { abortSignal?: AbortSignal } = {}) {
  const errors: unknown[] = [];
  const result = streamText({
    model: ref.provider().responses(''),
    prompt,
    ...fault(spec),
    ...extra,
    onError: ({ error }) => {
      errors.push(error);
    },
  });
  let text = '';
  let finishReason: string | undefined;
  const tools: string[] = [];
  let aborted = false;
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'tool-call' || part.type === 'tool-result') tools.push(part.type);
    if (part.type === 'finish') finishReason = part.finishReason;
    if (part.type === 'abort') aborted = true;
  }
  return { text, finishReason, errors, tools, aborted };
}

async function httpError(spec: string, stream = false): Promise<APICallError> {
  const options = { model: ref.provider().responses(''), prompt: 'hi', maxRetries: 0, ...fault(spec) };
  let error: unknown;
  if (stream) {
    const result = streamText({
      ...options,
      onError: ({ error: e }) => {
        error = e;
      },
    });
    await result.consumeStream();
  } else error = await generateText(options).catch((e: unknown) => e);
  if (!APICallError.isInstance(error)) throw new Error(`expected an APICallError, got ${String(error)}`);
  return error;
}

describe('HTTP faults on /v1/responses are APICallError with the server’s retry judgement', () => {
  it.each([
    ['status=500', 500, true, 'server_error'],
    ['status=400', 400, false, undefined],
    ['status=503; should-retry=false', 503, false, undefined],
    ['status=400; should-retry=true', 400, true, undefined],
    ['quota', 429, false, 'insufficient_quota'],
    ['body-limit=10', 413, false, undefined],
  ] as const)('%s → %i, retryable %s', async (spec, status, retryable, code) => {
    for (const stream of [false, true]) {
      const error = await httpError(spec, stream);
      expect(error.statusCode).toBe(status);
      expect(error.isRetryable).toBe(retryable);
      if (code) expect(error.data).toMatchObject({ code });
    }
  });

  it('rate-limit: 429, retryable, Retry-After kept for the SDK’s backoff', async () => {
    const error = await httpError('rate-limit=2');
    expect(error).toMatchObject({
      statusCode: 429,
      isRetryable: true,
      data: { code: 'rate_limit_exceeded' },
    });
    expect(error.responseHeaders?.['retry-after']).toBe('2');
  });

  it.each(['express', 'string', 'fastapi'])(
    'error-shape=%s: the server’s message whatever the body shape',
    async (shape) => {
      const error = await httpError(`status=400; error-shape=${shape}`);
      expect(error.statusCode).toBe(400);
      expect(error.message).not.toMatch(/^HTTP 400$/);
      expect(error.responseBody).toContain(error.message);
    },
  );

  it('error-shape=fastapi: its `detail` is the message, and the status and whole body are kept', async () => {
    const error = await httpError('status=400; error-shape=fastapi');
    expect(error.statusCode).toBe(400);
    expect(error.isRetryable).toBe(false);
    expect(JSON.parse(error.responseBody!)).toEqual({ detail: error.message });
  });

  it('latency: the SDK’s abort signal ends the wait', async () => {
    const started = Date.now();
    const error = await generateText({
      model: ref.provider().responses(''),
      prompt: 'hi',
      abortSignal: AbortSignal.timeout(100),
      ...fault('latency=5000'),
    }).catch((e: unknown) => e);
    expect((error as Error).name).toMatch(/Abort|Timeout/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('stream faults: an error part with finish error, or interrupted when nothing said why', () => {
  it('error-frame-after=2: the text so far, then the server’s code as the stream error', async () => {
    const { text, finishReason, errors } = await streamed('error-frame-after=2; code=overloaded_error');
    expect(text.length).toBeGreaterThan(0);
    expect(finishReason).toBe('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'overloaded_error', statusCode: 500 });
  });

  it('a scripted mid-stream failure (the demo prompt): error event then response.failed, one error', async () => {
    const { finishReason, errors } = await streamed('', 'Please fail this turn mid-stream.');
    expect(finishReason).toBe('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: expect.any(String),
      message: expect.stringContaining('Scripted error'),
    });
  });

  it('an unknown model streamed: response.failed with model_not_found (404), never an empty success', async () => {
    const errors: unknown[] = [];
    const result = streamText({
      model: ref.provider().responses('no-such-model'),
      prompt: 'hi',
      onError: ({ error }) => void errors.push(error),
    });
    expect(await result.finishReason).toBe('error');
    expect(errors[0]).toMatchObject({ code: 'model_not_found', statusCode: 404 });
    const json = await generateText({
      model: ref.provider().responses('no-such-model'),
      prompt: 'hi',
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(json).toMatchObject({ statusCode: 404, data: { code: 'model_not_found' } });
  });

  it('malformed-chunk-after=2: a parse error part, finish error', async () => {
    const { finishReason, errors } = await streamed('malformed-chunk-after=2');
    expect(finishReason).toBe('error');
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message ?? errors[0])).toMatch(/JSON/i);
  });

  it('drop-after=2: the text so far, an error saying the stream broke off, finish interrupted', async () => {
    const { text, finishReason, errors } = await streamed('drop-after=2');
    expect(text.length).toBeGreaterThan(0);
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toContain('broke off');
    expect(finishReason).toBe('interrupted');
  });

  it('stall-after=2: the caller’s abort signal ends the stalled stream', async () => {
    const started = Date.now();
    const { text, aborted, finishReason } = await streamed('stall-after=2', HELLO, {
      abortSignal: AbortSignal.timeout(1500),
    });
    expect(text.length).toBeGreaterThan(0);
    expect(aborted).toBe(true);
    expect(finishReason).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('no-done: no terminal event → finish interrupted, no error, the text kept', async () => {
    const { text, finishReason, errors } = await streamed('no-done');
    expect(text).toBe(`You said: ${HELLO}`);
    expect(finishReason).toBe('interrupted');
    expect(errors).toEqual([]);
  });

  it('wrong-content-type: a stream sent as JSON is refused as a protocol error', async () => {
    const error = await httpError('wrong-content-type', true);
    expect(error.message).toMatch(/text\/event-stream/);
    expect(error.isRetryable).toBe(false);
  });
});

describe('Responses protocol faults: a broken stream ends in an error, a harmless one changes nothing', () => {
  it.each([
    ['sequence-gap', /sequence_number/],
    ['item-done-without-added', /never added/],
    ['lost-text-delta', /do not add up/],
    ['changing-response-id', /response id changed/],
  ])('%s → an invalid_stream error, finish error', async (spec, message) => {
    const { finishReason, errors } = await streamed(spec);
    expect(finishReason).toBe('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'invalid_stream',
      isRetryable: false,
      message: expect.stringMatching(message),
    });
  });

  it('frames-after-done: the repeated terminal event is ignored', async () => {
    const { text, finishReason, errors } = await streamed('frames-after-done');
    expect({ text, finishReason, errors }).toEqual({
      text: `You said: ${HELLO}`,
      finishReason: 'stop',
      errors: [],
    });
  });

  it('duplicate-output-id: one message per response, so the text is whole', async () => {
    const { text, errors } = await streamed('duplicate-output-id');
    expect({ text, errors }).toEqual({ text: `You said: ${HELLO}`, errors: [] });
  });

  it('hide-mcp-calls: the server tool ran but no tool part shows; only the answer says so', async () => {
    const { text, tools } = await streamed('hide-mcp-calls', 'Please look up order A-1001.');
    expect(tools).toEqual([]);
    expect(text).toContain('lookup_order returned');
    expect(ref.server.tools.executions).toHaveLength(1);
  });

  it('bad-approval-id: a pause whose id cannot be decided is an error, not a card that cannot work', async () => {
    const { finishReason, errors, tools } = await streamed(
      'bad-approval-id',
      'Please delete the draft Q3-plan.',
    );
    expect(finishReason).toBe('error');
    expect(tools).toEqual([]);
    expect(errors[0]).toMatchObject({
      code: 'invalid_stream',
      message: expect.stringContaining('<run_id>::<tool_call_id>'),
    });
    const json = await generateText({
      model: ref.provider().responses(''),
      prompt: 'Please delete the draft Q3-plan.',
      ...fault('bad-approval-id'),
    }).catch((e: unknown) => e);
    expect(InvalidResponseDataError.isInstance(json)).toBe(true);
  });

  it('bad-response-object: a JSON answer with the wrong object and no created_at still gives its text', async () => {
    const result = await generateText({
      model: ref.provider().responses(''),
      prompt: HELLO,
      ...fault('bad-response-object'),
    });
    expect(result.text).toBe(`You said: ${HELLO}`);
    expect(result.response.timestamp).toBeInstanceOf(Date);
  });

  it('ignore-unknown-previous: the server runs the turn instead of a 404 (the SDK cannot tell)', async () => {
    const result = await generateText({
      model: ref.provider().responses(''),
      prompt: HELLO,
      providerOptions: { threadline: { previousResponseId: 'run_never' } },
      ...fault('ignore-unknown-previous'),
    });
    expect(result.text).toBe(`You said: ${HELLO}`);
  });

  it('bad-usage: the SDK’s total is input + output; the server’s own total stays in raw', async () => {
    const result = await generateText({
      model: ref.provider().responses(''),
      prompt: HELLO,
      ...fault('bad-usage'),
    });
    const raw = result.usage.raw as { input_tokens: number; output_tokens: number; total_tokens: number };
    expect(raw.total_tokens).not.toBe(raw.input_tokens + raw.output_tokens);
    expect(result.usage.totalTokens).toBe(raw.input_tokens + raw.output_tokens);
  });

  it('empty-success: an empty answer arrives as an empty text with finish stop', async () => {
    const result = await generateText({
      model: ref.provider().responses(''),
      prompt: HELLO,
      ...fault('empty-success'),
    });
    expect(result.text).toBe('');
    expect(result.finishReason).toBe('stop');
  });
});

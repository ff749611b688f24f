import { APICallError } from '@ai-sdk/provider';
import { generateText, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { useServer } from './support/server';

const ref = useServer();

const fault = (spec: string) => ({ headers: { 'x-threadline-fault': spec } });

/** Runs streamText to its end and collects what an app sees: parts, errors and the finish reason. */
async function streamed(
  spec: string,
  extra: { prompt?: string; maxRetries?: number; abortSignal?: AbortSignal } = {},
) {
  const errors: unknown[] = [];
  const result = streamText({
    model: ref.provider().chat(''),
    prompt: 'Say hello in three words.',
    ...fault(spec),
    onError: ({ error }) => {
      errors.push(error);
    },
    ...extra,
  });
  let text = '';
  let finishReason: string | undefined;
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'finish') finishReason = part.finishReason;
  }
  return { text, finishReason, errors };
}

async function httpError(spec: string): Promise<APICallError> {
  const error = await generateText({
    model: ref.provider().chat(''),
    prompt: 'hi',
    maxRetries: 0,
    ...fault(spec),
  }).catch((e: unknown) => e);
  if (!APICallError.isInstance(error)) throw new Error(`expected an APICallError, got ${String(error)}`);
  return error;
}

describe('HTTP faults become APICallError with the server’s retry judgement', () => {
  it('status=500: retryable, code kept in data', async () => {
    const error = await httpError('status=500');
    expect(error.statusCode).toBe(500);
    expect(error.isRetryable).toBe(true);
    expect(error.data).toMatchObject({ code: 'server_error', type: 'server_error' });
  });

  it('status=400: not retryable', async () => {
    expect((await httpError('status=400')).isRetryable).toBe(false);
  });

  it('rate-limit: 429, retryable, Retry-After kept for the SDK’s backoff', async () => {
    const error = await httpError('rate-limit=2');
    expect(error.statusCode).toBe(429);
    expect(error.isRetryable).toBe(true);
    expect(error.responseHeaders?.['retry-after']).toBe('2');
    expect(error.responseHeaders?.['retry-after-ms']).toBe('2000');
  });

  it('quota: 429 insufficient_quota that must not be retried (x-should-retry: false)', async () => {
    const error = await httpError('quota');
    expect(error.statusCode).toBe(429);
    expect(error.isRetryable).toBe(false);
    expect(error.data).toMatchObject({ code: 'insufficient_quota' });
  });

  it('should-retry overrides the status both ways', async () => {
    expect((await httpError('status=503; should-retry=false')).isRetryable).toBe(false);
    expect((await httpError('status=400; should-retry=true')).isRetryable).toBe(true);
  });

  it.each([
    ['express', 'string'],
    ['fastapi', 'string'],
    ['string', 'string'],
  ])('error-shape=%s still yields a message', async (shape) => {
    const error = await httpError(`status=404; error-shape=${shape}`);
    expect(error.statusCode).toBe(404);
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.isRetryable).toBe(false);
  });

  it('numeric-error-code: the code is kept as text', async () => {
    const error = await httpError('status=404; numeric-error-code');
    expect(error.data).toMatchObject({ code: '404' });
  });

  it('a retryable 500 queued once is retried by the SDK with the same Idempotency-Key', async () => {
    ref.server.faults.enqueue('status=500');
    const result = await generateText({ model: ref.provider().chat(''), prompt: 'retry me', maxRetries: 1 });
    expect(result.text).toBe('You said: retry me');
    const sent = ref.journal().filter((e) => e.path === '/v1/chat/completions');
    expect(sent.map((e) => e.status)).toEqual([500, 200]);
    expect(sent[0]?.headers['idempotency-key']).toMatch(/^tl-ai-[0-9a-f]{64}$/);
    expect(sent[1]?.headers['idempotency-key']).toBe(sent[0]?.headers['idempotency-key']);
  });

  it('latency past the caller’s timeout aborts the call', async () => {
    const error = await generateText({
      model: ref.provider().chat(''),
      prompt: 'slow',
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(150),
      ...fault('latency=3000'),
    }).catch((e: unknown) => e);
    expect((error as Error).name).toMatch(/AbortError|TimeoutError/);
  });
});

describe('stream faults as the SDK reports them', () => {
  it('error-frame-after: an error part raised as StreamProviderError with the server’s code and status; finish error', async () => {
    const { text, finishReason, errors } = await streamed('error-frame-after=2');
    expect(text.length).toBeGreaterThan(0);
    expect(finishReason).toBe('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      name: 'AI_StreamProviderError',
      code: 'server_error',
      statusCode: 500,
    });
    expect((errors[0] as { data: { runId: string } }).data.runId).toMatch(/^run_/);
  });

  it('the demo failing prompt ends the same way', async () => {
    const { finishReason, errors } = await streamed('', { prompt: 'Please fail this turn mid-stream.' });
    expect(finishReason).toBe('error');
    expect(errors[0]).toMatchObject({ code: 'server_error' });
  });

  it('malformed-chunk-after: a parse error part, finish error, no half-parsed text', async () => {
    const { text, finishReason, errors } = await streamed('malformed-chunk-after=2');
    expect(finishReason).toBe('error');
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toMatch(/JSON/i);
    expect('You said: Say hello in three words.'.startsWith(text)).toBe(true);
  });

  it('drop-after: an error part saying the stream broke off, finish interrupted', async () => {
    const { finishReason, errors } = await streamed('drop-after=2');
    expect(finishReason).toBe('interrupted');
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toContain('broke off');
  });

  it('no-done: a clean end without [DONE] is interrupted, not stop', async () => {
    const { text, finishReason, errors } = await streamed('no-done');
    expect(text).toBe('You said: Say hello in three words.');
    expect(finishReason).toBe('interrupted');
    expect(errors).toEqual([]);
  });

  it('wrong-content-type: refused as a protocol error before any part', async () => {
    const { finishReason, errors } = await streamed('wrong-content-type', { maxRetries: 0 });
    expect(finishReason).toBeUndefined();
    expect(APICallError.isInstance(errors[0])).toBe(true);
    expect(String((errors[0] as Error).message)).toContain('text/event-stream');
  });

  it('stall-after: the caller’s abort ends the stalled stream', async () => {
    const started = Date.now();
    const { text, finishReason } = await streamed('stall-after=2', { abortSignal: AbortSignal.timeout(300) });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(text).toBe('You said');
    expect(finishReason).toBeUndefined();
    // Leaving closed the connection, which cancels the run on the server.
    const runId = ref.journal().at(-1)?.runId ?? '';
    let status = '';
    for (let i = 0; i < 150 && status !== 'cancelled'; i++) {
      status = (await ref.run(runId)).status;
      if (status !== 'cancelled') await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe('cancelled');
  });

  it('frames-after-done and double-finish: nothing after [DONE] counts, one finish', async () => {
    for (const spec of ['frames-after-done', 'double-finish']) {
      const { text, finishReason, errors } = await streamed(spec);
      expect(text).toBe('You said: Say hello in three words.');
      expect(finishReason).toBe('stop');
      expect(errors).toEqual([]);
    }
  });

  it('no-usage-chunk: usage is unknown rather than zero', async () => {
    const result = streamText({ model: ref.provider().chat(''), prompt: 'hi', ...fault('no-usage-chunk') });
    expect((await result.usage).inputTokens).toBeUndefined();
  });

  it('changing-ids, no-role, bad-usage: the reply still arrives whole', async () => {
    for (const spec of ['changing-ids', 'no-role', 'bad-usage', 'usage-chunk-id']) {
      const { text, finishReason } = await streamed(spec);
      expect(text).toBe('You said: Say hello in three words.');
      expect(finishReason).toBe('stop');
    }
  });
});

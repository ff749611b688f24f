import { describe, expect, it } from 'vitest';
import {
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  BadRequestError,
  IncompleteStreamError,
  InternalServerError,
  MalformedResponseError,
  RateLimitError,
  StreamIdleTimeoutError,
  ThreadlineChat,
  ThreadlineResponses,
} from '../src/index';
import { settledRun, useServer } from './support/server';

const LONG = 'one two three four five six seven eight nine ten eleven twelve';
const fault = (spec: string, extra: Record<string, unknown> = {}) => ({
  headers: { 'x-threadline-fault': spec },
  maxRetries: 0,
  ...extra,
});

describe.each(['msw', 'port'] as const)('every fault of the responses door is a typed error (%s)', (over) => {
  const ref = useServer({ over });
  const streamed = (spec: string, extra?: Record<string, unknown>) =>
    ref.client.responses.create({ model: '', input: LONG, stream: true }, fault(spec, extra));
  /** Reads a stream to its end; what it threw, and the text deltas before that. */
  async function drain(stream: Awaited<ReturnType<typeof streamed>>) {
    let deltas = 0;
    try {
      for await (const event of stream) if (event.type === 'response.output_text.delta') deltas++;
      return { deltas, error: undefined };
    } catch (error) {
      return { deltas, error };
    }
  }

  it('error-frame-after: the error event is thrown with the server code; finalResponse() rejects with it', async () => {
    const stream = await streamed('error-frame-after=2');
    const { deltas, error } = await drain(stream);
    expect(deltas).toBe(2);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ code: 'server_error', type: 'server_error' });
    await expect(stream.finalResponse()).rejects.toBe(error);
  });

  it('response.failed before any output (an unknown model) rejects create() as the JSON call does', async () => {
    const error = await ref.client.responses
      .create({ model: 'no-such-model', input: 'x', stream: true }, { maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('malformed-chunk-after: a frame that is not JSON is MalformedResponseError', async () => {
    const { deltas, error } = await drain(await streamed('malformed-chunk-after=1'));
    expect(deltas).toBe(1);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/not a JSON event/);
  });

  it('no-done: a stream without its terminal event is IncompleteStreamError', async () => {
    const stream = await streamed('no-done');
    const { deltas, error } = await drain(stream);
    expect(deltas).toBeGreaterThan(1);
    expect(error).toBeInstanceOf(IncompleteStreamError);
    expect((error as Error).message).toMatch(/without a terminal event/);
  });

  it('drop-after: a connection that ends mid-stream is IncompleteStreamError (or a connection error)', async () => {
    const { deltas, error } = await drain(await streamed('drop-after=2'));
    // In-process the broken body can overtake the last delta still queued; over a port both arrive.
    expect(deltas).toBeGreaterThanOrEqual(1);
    expect(deltas).toBeLessThanOrEqual(2);
    expect(error).toBeInstanceOf(APIError);
    expect(error instanceof IncompleteStreamError || (error as APIError).status === undefined).toBe(true);
  });

  it('a failure before the stream opens is retried like any failed attempt', async () => {
    ref.server.faults.enqueue('status=503', 1);
    const stream = await ref.client.responses.create(
      { model: '', input: 'recover', stream: true },
      { maxRetries: 1 },
    );
    expect(ref.server.journal.list().filter((r) => r.path === '/v1/responses')).toHaveLength(2);
    expect((await stream.finalResponse()).output_text).toBe('You said: recover');
  });

  it('wrong-content-type: the events are still read', async () => {
    const stream = await streamed('wrong-content-type');
    expect(stream.response.headers.get('content-type')).toContain('application/json');
    expect((await stream.finalResponse()).output_text).toBe(`You said: ${LONG}`);
  });

  it.each([
    [400, BadRequestError],
    [429, RateLimitError],
    [500, InternalServerError],
  ])('status=%i is that typed error, JSON or streamed', async (status, Class) => {
    for (const stream of [false, true]) {
      const error = await ref.client.responses
        .create({ model: '', input: 'x', stream }, fault(`status=${status}; code=custom_code`))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Class);
      expect(error).toMatchObject({ status, code: 'custom_code' });
    }
  });

  it('a validation error names its param', async () => {
    const error = await ref.client.responses
      .create({ model: '', input: 'x', temperature: 9 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ param: 'temperature' });
  });
});

describe('cancellation on the responses door (real port)', () => {
  const ref = useServer({ over: 'port' });
  const paced = { headers: { 'x-threadline-chunk-delay': '30' } };

  it('break closes the connection: the server cancels the run; finalResponse() rejects', async () => {
    const stream = await ref.client.responses.create({ model: '', input: LONG, stream: true }, paced);
    for await (const event of stream) if (event.type === 'response.output_text.delta') break;
    await expect(stream.finalResponse()).rejects.toBeInstanceOf(APIUserAbortError);
    expect((await settledRun(ref.client, stream.runId!)).status).toBe('cancelled');
  });

  it('abort() stops a pending read at once', async () => {
    const stream = await ref.client.responses.create({ model: '', input: LONG, stream: true }, paced);
    setTimeout(() => stream.abort(), 50);
    await expect(stream.finalResponse()).rejects.toBeInstanceOf(APIUserAbortError);
    expect((await settledRun(ref.client, stream.runId!)).status).toBe('cancelled');
  });

  // Over a port only: through msw, undici asserts on a socket closed after its request was aborted.
  it('stall-after: the idle timeout fails the stream with StreamIdleTimeoutError; the run is cancelled', async () => {
    const stream = await ref.client.responses.create(
      { model: '', input: LONG, stream: true },
      { streamIdleTimeout: 200, headers: { 'x-threadline-fault': 'stall-after=2' } },
    );
    const started = Date.now();
    let deltas = 0;
    const error = await (async () => {
      for await (const event of stream) if (event.type === 'response.output_text.delta') deltas++;
    })().catch((e: unknown) => e);
    expect(deltas).toBe(2);
    expect(error).toBeInstanceOf(StreamIdleTimeoutError);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(stream.finalResponse()).rejects.toBe(error);
    expect((await settledRun(ref.client, stream.runId!)).status).toBe('cancelled');
  });
});

describe('ThreadlineResponses resolves options as ThreadlineChat does', () => {
  it.each([
    [{ baseURL: 'http://h:1/v1/' }],
    [{ baseURL: 'http://h:1', apiKey: null }],
    [{ baseURL: 'http://h:1', logLevel: 'debug' as const, sessionId: 's' }],
  ])('%o', (options) => {
    expect(new ThreadlineResponses(options).options).toEqual(new ThreadlineChat(options).options);
  });

  it.each([[{}], [{ baseURL: 'ftp://x' }], [{ baseURL: 'http://h', timeout: -1 }]])(
    'refuses %o the same way',
    (options) => {
      const thrown = (make: () => unknown) => {
        try {
          make();
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      };
      const message = thrown(() => new ThreadlineChat(options));
      expect(message).not.toBe('no error');
      expect(thrown(() => new ThreadlineResponses(options))).toBe(message);
    },
  );
});

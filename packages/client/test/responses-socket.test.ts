import { afterEach, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIUserAbortError,
  BadRequestError,
  IncompleteStreamError,
  NotFoundError,
  ResponseStream,
  type ResponsesSocket,
  type ResponsesStreamEvent,
  Threadline,
  ThreadlineError,
} from '../src/index';
import { realServer, useServer } from './support/server';

describe('client.responses.connect() (WebSocket mode, over a port)', () => {
  const ref = useServer({ over: 'port' });
  let socket: ResponsesSocket | undefined;
  afterEach(() => socket?.close());

  it('runs create() turns in order on one socket, each a typed event stream', async () => {
    socket = await ref.client.responses.connect();
    const first = await socket.create({ model: '', input: 'first turn' });
    expect(first).toBeInstanceOf(ResponseStream);
    const events: ResponsesStreamEvent[] = [];
    for await (const event of first) events.push(event);
    expect(events[0]!.type).toBe('response.created');
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    // Two turns asked for at once still run one after the other, each with its own answer.
    const [second, third] = await Promise.all([
      socket.create({ model: '', input: 'second turn' }),
      socket.create({ model: '', input: 'third turn' }),
    ]);
    let text = '';
    for await (const delta of second.textStream) text += delta;
    expect(text).toBe('You said: second turn');
    expect((await third.finalResponse()).output_text).toBe('You said: third turn');
    const posts = ref.server.journal.list().filter((e) => e.path === '/v1/responses');
    expect(posts.map((e) => (e.body as { input: string }).input)).toEqual([
      'first turn',
      'second turn',
      'third turn',
    ]);
    expect(posts.every((e) => (e.body as { stream?: unknown }).stream === true)).toBe(true);
  });

  it('previous_response_id continues across turns, including a store: false one held by the socket', async () => {
    socket = await ref.client.responses.connect();
    const first = await (
      await socket.create({ model: '', input: 'My name is Ada.', store: false })
    ).finalResponse();
    const second = await (
      await socket.create({ model: '', previous_response_id: first.id, input: 'And tomorrow?' })
    ).finalResponse();
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toBe('You said: And tomorrow?');
    const alone = await ref.client.responses.create({ model: '', input: 'And tomorrow?' });
    expect(second.usage!.input_tokens).toBeGreaterThan(alone.usage!.input_tokens);
    // The store: false response lives on that socket only: HTTP cannot continue it.
    const overHttp = await ref.client.responses
      .create({ model: '', previous_response_id: first.id, input: 'x' })
      .catch((e: unknown) => e);
    expect(overHttp).toBeInstanceOf(NotFoundError);
  });

  it('an error frame is the typed error an HTTP call throws, and the socket goes on', async () => {
    socket = await ref.client.responses.connect();
    const missing = await socket
      .create({ model: '', previous_response_id: 'run_never', input: 'x' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({
      status: 404,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
    const bad = await socket
      .create({ model: '', input: 'x', temperature: 'hot' } as never)
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(bad).toMatchObject({ status: 400, param: 'temperature' });
    const after = await socket.create({ model: '', input: 'still here' });
    expect((await after.finalResponse()).output_text).toBe('You said: still here');
  });

  it('break on a turn drops the rest of its events; the next turn gets only its own', async () => {
    socket = await ref.client.responses.connect();
    const first = await socket.create({ model: '', input: 'one two three four five six' });
    for await (const event of first) if (event.type === 'response.output_text.delta') break;
    const second = await socket.create({ model: '', input: 'next' });
    const events: ResponsesStreamEvent[] = [];
    for await (const event of second) events.push(event);
    expect(events[0]!.sequence_number).toBe(0);
    expect(events.at(-1)!.type).toBe('response.completed');
    const text = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join('');
    expect(text).toBe('You said: next');
  });

  it('an unknown model is a NotFoundError from the stream, as over HTTP', async () => {
    socket = await ref.client.responses.connect();
    const error = await socket.create({ model: 'no-such-model', input: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toMatch(/not_found/);
  });

  it('a socket that breaks mid-turn is an IncompleteStreamError; later turns are connection errors', async () => {
    socket = await ref.client.responses.connect();
    ref.server.faults.enqueue('drop-after=3');
    const stream = await socket.create({ model: '', input: 'a long enough answer to cut' });
    const error = await stream.finalResponse().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteStreamError);
    expect(socket.closed).toBe(true);
    const next = await socket.create({ model: '', input: 'x' }).catch((e: unknown) => e);
    expect(next).toBeInstanceOf(APIConnectionError);
  });

  it('close() ends the session: the running and waiting turns are rejected', async () => {
    socket = await ref.client.responses.connect();
    const running = socket.create({ model: '', input: 'one' });
    const waiting = socket.create({ model: '', input: 'two' });
    socket.close();
    const results = await Promise.allSettled([running, waiting]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(APIUserAbortError);
    }
    expect(await socket.create({ model: '', input: 'x' }).catch((e: unknown) => e)).toBeInstanceOf(
      APIUserAbortError,
    );
  });

  it('sends the identity headers on the upgrade', async () => {
    const scoped = ref.client.withOptions({ threadId: 'socket-thread-1' });
    socket = await scoped.responses.connect();
    await (await socket.create({ model: '', input: 'on a thread' })).finalResponse();
    const headers = ref.server.journal.list().at(-1)!.headers as Record<string, string>;
    expect(headers['ic-thread-id']).toBe('socket-thread-1');
  });
});

describe('client.responses.connect() with credentials', () => {
  it('sends the API key on the upgrade; a wrong key cannot open the socket', async () => {
    const server = await realServer({ auth: { mode: 'api-key', apiKeys: ['sk-socket-good'] } });
    try {
      const good = await new Threadline({
        baseURL: server.url,
        apiKey: 'sk-socket-good',
      }).responses.connect();
      expect((await (await good.create({ model: '', input: 'hi' })).finalResponse()).output_text).toBe(
        'You said: hi',
      );
      good.close();
      const refused = await new Threadline({ baseURL: server.url, apiKey: 'sk-socket-bad' }).responses
        .connect()
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(APIConnectionError);
    } finally {
      await server.close();
    }
  });

  it('a runtime without a global WebSocket gets a clear error, nothing sent', async () => {
    const saved = globalThis.WebSocket;
    (globalThis as { WebSocket?: unknown }).WebSocket = undefined;
    try {
      const error = await new Threadline({ baseURL: 'http://127.0.0.1:9' }).responses
        .connect()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ThreadlineError);
      expect((error as Error).message).toMatch(/global WebSocket/);
    } finally {
      globalThis.WebSocket = saved;
    }
  });
});

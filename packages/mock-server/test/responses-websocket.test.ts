import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '@threadline/protocol';
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assertSpecValid } from '../../protocol/test/support/openapi';
import { type RunningServer, type StartOptions, start } from '../src/index';
import { MAX_QUEUED_MESSAGES } from '../src/node-websocket';
import { MAX_CONNECTION_RESPONSES } from '../src/routes/responses/connection-cache';
import { buildCli, listening, runCli } from './support/cli';
import { deltaText, expectItemsInOrder, respond, responseBody, streamEvents } from './support/responses';
import { finalResponse, ResponsesSocket } from './support/responses-socket';
import type { Target } from './support/target';

const weather = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

let running: RunningServer | null = null;
const sockets: ResponsesSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) await socket.close();
  await running?.close();
  running = null;
});

async function serve(config: StartOptions = {}): Promise<RunningServer> {
  running = await start({ port: 0, ...config });
  return running;
}

async function connect(url: string, headers: Record<string, string> = {}): Promise<ResponsesSocket> {
  const socket = await ResponsesSocket.open(url, headers);
  sockets.push(socket);
  return socket;
}

/** The same server over plain HTTP, for the helpers the other responses tests use. */
const target = (server: RunningServer): Target => ({
  name: 'real port',
  server: server.server,
  url: server.url,
  fetch: (path, init) => fetch(`${server.url}${path}`, init),
  close: async () => {},
});

/** A function call turn, then the id and call id a continuation answers. */
async function callTurn(socket: ResponsesSocket, extra: Record<string, unknown> = {}) {
  const events = await socket.turn({ input: 'What is the weather in Paris?', tools: [weather], ...extra });
  const response = finalResponse(events);
  const call = (response.output as Array<Record<string, unknown>>)[0]!;
  expect(call.type).toBe('function_call');
  return { id: response.id, callId: call.call_id as string };
}

const answer = (id: string, callId: string, extra: Record<string, unknown> = {}) => ({
  previous_response_id: id,
  input: [{ type: 'function_call_output', call_id: callId, output: '{"temp_c":18}' }],
  tools: [weather],
  ...extra,
});

describe('WebSocket mode on /v1/responses', () => {
  it('runs several turns in sequence on one socket, each the SSE stream of the same request', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const first = await socket.turn({ input: 'Say hello.' });
    const second = await socket.turn({ input: 'Tell me about otters.' });
    for (const events of [first, second]) {
      expect(events[0]!.type).toBe('response.created');
      expect(events.at(-1)!.type).toBe('response.completed');
      expectItemsInOrder(events);
    }
    expect(finalResponse(first).id).not.toBe(finalResponse(second).id);
    // The HTTP door answers the same request with the same events and text.
    const sse = await streamEvents(await respond(target(server), { input: 'Say hello.', stream: true }));
    expect(deltaText(first)).toBe(deltaText(sse));
    expect(deltaText(first).length).toBeGreaterThan(0);
    expect(first.map((e) => e.type)).toEqual(sse.map((e) => e.type));
    // Each socket turn is a run, as an HTTP turn is.
    const run = await (await fetch(`${server.url}/v1/runs/${finalResponse(second).id}`)).json();
    expect(run.status).toBe('completed');
  });

  it('continues a stored response by previous_response_id across turns, and over HTTP too', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const { id, callId } = await callTurn(socket);
    const events = await socket.turn(answer(id, callId));
    const output = finalResponse(events).output as Array<{ type: string }>;
    expect(output.map((item) => item.type)).toEqual(['message']);
    expect(deltaText(events).length).toBeGreaterThan(0);
    // A stored response is the server's: a plain POST continues it as well.
    const http = await respond(target(server), answer(id, callId));
    expect(http.status).toBe(200);
    await responseBody(http);
  });

  it('queues a create sent while a turn runs and answers it after that turn, in order', async () => {
    const server = await serve({ chunkDelayMs: 5 });
    const socket = await connect(server.url);
    socket.send({ type: 'response.create', model: '', input: 'first question' });
    socket.send({ type: 'response.create', model: '', input: 'second question' });
    const first = await socket.events();
    const second = await socket.events();
    expect(finalResponse(first).status).toBe('completed');
    expect(finalResponse(second).status).toBe('completed');
    expect(second[0]!.sequence_number).toBe(0);
  });

  it('echoes a stream_id on every event of that response', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const events = await socket.turn({ input: 'Say hello.', stream_id: 'agent_1' });
    expect(events.every((e) => e.stream_id === 'agent_1')).toBe(true);
  });

  it('holds store:false responses on the connection only: not over HTTP, not after a reconnect', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const { id, callId } = await callTurn(socket, { store: false });
    // A chain of store:false turns on the same connection.
    const next = await socket.turn(answer(id, callId, { store: false }));
    const nextId = finalResponse(next).id;
    const third = await socket.turn({ previous_response_id: nextId, input: 'Thanks!', store: false });
    expect(finalResponse(third).status).toBe('completed');

    const http = await respond(target(server), answer(id, callId));
    expect(http.status).toBe(404);
    expect((await responseBody(http)).error.code).toBe(ERROR_CODES.previousResponseNotFound);

    await socket.close();
    const again = await connect(server.url);
    again.send({ type: 'response.create', model: '', previous_response_id: nextId, input: 'Still there?' });
    const lost = await again.error();
    expect(lost.status).toBe(404);
    expect(lost.error).toMatchObject({
      code: ERROR_CODES.previousResponseNotFound,
      param: 'previous_response_id',
    });
  });

  it('a stored response continuing a connection-held one keeps the whole conversation', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const { id, callId } = await callTurn(socket, { store: false });
    const stored = finalResponse(await socket.turn(answer(id, callId, { store: true })));
    await socket.close();
    // Its history reaches back to the function call, which only the closed connection held.
    const http = await respond(target(server), { previous_response_id: stored.id, input: 'And tomorrow?' });
    expect(http.status).toBe(200);
    await responseBody(http);
  });

  it('holds a bounded number of store:false responses per connection, dropping the oldest', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const ids: string[] = [];
    for (let i = 0; i <= MAX_CONNECTION_RESPONSES; i++) {
      ids.push(finalResponse(await socket.turn({ input: `turn ${i}`, store: false })).id);
    }
    socket.send({ type: 'response.create', model: '', previous_response_id: ids[0], input: 'first?' });
    expect((await socket.error()).error.code).toBe(ERROR_CODES.previousResponseNotFound);
    const second = await socket.turn({ previous_response_id: ids[1], input: 'second?', store: false });
    expect(finalResponse(second).status).toBe('completed');
  });

  it('a failed continuation evicts the connection-held response it named', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const { id, callId } = await callTurn(socket, { store: false });
    socket.send({ type: 'response.create', model: '', ...answer(id, 'call_never_issued', { store: false }) });
    const failed = await socket.error();
    expect(failed.status).toBe(400);
    expect(failed.error.param).toBe('input[0].call_id');
    // The right call id no longer helps: the connection forgot that response.
    socket.send({ type: 'response.create', model: '', ...answer(id, callId, { store: false }) });
    const gone = await socket.error();
    expect(gone.status).toBe(404);
    expect(gone.error.code).toBe(ERROR_CODES.previousResponseNotFound);
  });

  it('a continuation whose stream fails evicts the connection-held response too', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const { id, callId } = await callTurn(socket, { store: false });
    const failed = await socket.turn(answer(id, callId, { store: false, model: 'no-such-model' }));
    expect(failed.at(-1)!.type).toBe('response.failed');
    socket.send({ type: 'response.create', model: '', ...answer(id, callId, { store: false }) });
    expect((await socket.error()).error.code).toBe(ERROR_CODES.previousResponseNotFound);
  });

  it('applies a fault header of the upgrade to its turns: drop-after breaks the connection mid-stream', async () => {
    const server = await serve();
    const socket = await connect(server.url, { 'x-threadline-fault': 'drop-after=2' });
    socket.send({ type: 'response.create', model: '', input: 'Tell me a long story about otters.' });
    const types: string[] = [];
    for (let text = await socket.nextText(); text !== null; text = await socket.nextText()) {
      types.push(JSON.parse(text).type);
    }
    expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(2);
    expect(types).not.toContain('response.completed');
    expect(socket.closed?.code).toBe(1006);
  });

  it('answers bad messages with error messages and keeps the socket open', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const cases: Array<[unknown, number, string, string | null]> = [
      ['{"type": "response.create", ', 400, ERROR_CODES.invalidJson, null],
      ['[1,2]', 400, ERROR_CODES.invalidType, null],
      [{ model: '', input: 'hi' }, 400, ERROR_CODES.missingParameter, 'type'],
      [{ type: 'response.cancel' }, 400, ERROR_CODES.unsupportedValue, 'type'],
      [{ type: 'response.create', input: 'hi', stream: true }, 400, ERROR_CODES.unsupportedValue, 'stream'],
      [
        { type: 'response.create', input: 'hi', background: true },
        400,
        ERROR_CODES.unsupportedValue,
        'background',
      ],
      [
        { type: 'response.create', input: 'hi', stream_id: 'no spaces' },
        400,
        ERROR_CODES.invalidValue,
        'stream_id',
      ],
      [
        { type: 'response.create', model: '', input: 'hi', temperature: 9 },
        400,
        ERROR_CODES.invalidValue,
        'temperature',
      ],
    ];
    for (const [message, status, code, param] of cases) {
      socket.send(message);
      const reply = await socket.error();
      expect({ message, status: reply.status, code: reply.error.code }).toEqual({ message, status, code });
      if (param !== null) expect(reply.error.param).toBe(param);
    }
    // An unknown model is told in the stream, as on an SSE stream: created, then failed.
    const unknown = await socket.turn({ model: 'no-such-model', input: 'hi' });
    expect(unknown.map((e) => e.type)).toEqual(['response.created', 'response.failed']);
    expect(finalResponse(unknown).error).toMatchObject({ code: ERROR_CODES.modelNotFound });
    socket.ws.send(Buffer.from('{"type":"response.create"}'), { binary: true });
    expect((await socket.error()).error.code).toBe(ERROR_CODES.invalidValue);
    const events = await socket.turn({ input: 'Still working?' });
    expect(finalResponse(events).status).toBe('completed');
  });

  it('tells an error of a flat-error dialect in the same nested error message', async () => {
    const server = await serve({ dialect: 'spice', auth: { apiKeys: ['sk-good'] } });
    const socket = await connect(server.url, { authorization: 'Bearer sk-good' });
    socket.send({ type: 'response.create', model: '', input: 'hi', temperature: 9 });
    const reply = await socket.error();
    expect(reply.status).toBe(400);
    expect(reply.error).toMatchObject({ code: ERROR_CODES.invalidValue, param: 'temperature' });
    expect(typeof reply.error.message).toBe('string');
  });

  it('survives a small fuzz of malformed messages: every one gets a 4xx error message, never a 5xx', async () => {
    const server = await serve();
    const socket = await connect(server.url);
    const values: unknown[] = [null, true, 0, -1, 1e308, '', 'x'.repeat(300), [], {}, [{}], { a: 1 }];
    const fields = [
      'input',
      'model',
      'tools',
      'tool_choice',
      'previous_response_id',
      'store',
      'metadata',
      'text',
    ];
    let seed = 7;
    const pick = <T>(list: T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return list[seed % list.length]!;
    };
    for (let i = 0; i < 40; i++) {
      const message: Record<string, unknown> = { type: 'response.create', input: 'hi' };
      message[pick(fields)] = pick(values);
      message[pick(fields)] = pick(values);
      socket.send(message);
      const reply = await socket.next();
      if (reply.type === 'error') {
        assertSpecValid('openai', 'ResponseWsError', reply);
        expect(reply.status as number).toBeGreaterThanOrEqual(400);
        expect(reply.status as number).toBeLessThan(500);
      } else {
        // A fuzzed message that is still a valid request streams a whole turn.
        expect(reply.type).toBe('response.created');
        for (
          let e = await socket.next();
          !String(e.type).match(/^response\.(completed|incomplete|failed)$/);
        )
          e = await socket.next();
      }
    }
    expect(socket.closed).toBeNull();
  });

  it('refuses an upgrade without valid credentials with the JSON error body and status', async () => {
    const server = await serve({ auth: { apiKeys: ['sk-good'] } });
    const refusal = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${server.url}/v1/responses`, {
          headers: {
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
            ...headers,
          },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('upgrade', () => reject(new Error('upgraded')));
        req.on('error', reject);
        req.end();
      });
    for (const [headers, code] of [
      [{}, ERROR_CODES.missingCredentials],
      [{ authorization: 'Bearer sk-bad' }, ERROR_CODES.invalidApiKey],
    ] as const) {
      const { status, body } = await refusal(headers);
      expect(status).toBe(401);
      const parsed = JSON.parse(body);
      assertSpecValid('openai', 'ErrorResponse', parsed);
      expect(parsed.error.code).toBe(code);
    }
    const badUser = await refusal({ authorization: 'Bearer sk-good', 'x-user-id': 'no spaces' });
    expect(badUser.status).toBe(400);
    expect(JSON.parse(badUser.body).error.param).toBe('x-user-id');
    const socket = await connect(server.url, { authorization: 'Bearer sk-good' });
    expect(finalResponse(await socket.turn({ input: 'hi' })).status).toBe('completed');
  });

  it('takes no WebSocket on any other path, and leaves other upgrades (h2c) plain HTTP requests', async () => {
    const server = await serve();
    const opened = ResponsesSocket.open(`${server.url}/v1/chat`);
    await expect(opened).rejects.toThrow(/Unexpected server response: 40[45]/);
    // curl --http2 on http:// asks for h2c: the request is answered as HTTP/1.1, body and all.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = JSON.stringify({ model: '', input: 'hi' });
      const req = httpRequest(`${server.url}/v1/responses`, {
        method: 'POST',
        headers: {
          connection: 'Upgrade, HTTP2-Settings',
          upgrade: 'h2c',
          'http2-settings': 'AAMAAABkAAQCAAAAAAIAAAAA',
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).status).toBe('completed');
  });

  it('cancels the running turn when the socket closes', async () => {
    const server = await serve({ chunkDelayMs: 200 });
    const socket = await connect(server.url);
    socket.send({ type: 'response.create', model: '', input: 'Tell me a long story about otters.' });
    const created = await socket.next();
    expect(created.type).toBe('response.created');
    const id = (created.response as { id: string }).id;
    await socket.close();
    await expect
      .poll(async () => (await (await fetch(`${server.url}/v1/runs/${id}`)).json()).status)
      .toBe('cancelled');
  });

  it('cancels a turn whose socket closed before its stream began', async () => {
    const server = await serve();
    // The latency ends early when the client leaves; the stall keeps the stream from ending by itself.
    const socket = await connect(server.url, { 'x-threadline-fault': 'latency=400; stall-after=0' });
    socket.send({ type: 'response.create', model: '', input: 'hi' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await socket.close();
    const runId = () => server.server.journal.list().find((e) => e.path === '/v1/responses')?.runId;
    await expect.poll(runId).toMatch(/^run_/);
    await expect
      .poll(async () => (await (await fetch(`${server.url}/v1/runs/${runId()}`)).json()).status)
      .toBe('cancelled');
  });

  it('with a db file, closing the server records the socket turn it cut as cancelled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'threadline-ws-db-'));
    const errors = vi.spyOn(console, 'error');
    try {
      const db = join(dir, 'state.db');
      const first = await serve({ db });
      const socket = await connect(first.url, { 'x-threadline-fault': 'stall-after=1' });
      socket.send({ type: 'response.create', model: '', input: 'Tell me a long story about otters.' });
      const id = ((await socket.next()).response as { id: string }).id;
      await first.close();
      running = null;
      expect(errors).not.toHaveBeenCalled();
      const second = await serve({ db });
      expect((await (await fetch(`${second.url}/v1/runs/${id}`)).json()).status).toBe('cancelled');
    } finally {
      errors.mockRestore();
      await running?.close();
      running = null;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('closes the socket on a message over the size limit or a flood of queued messages', async () => {
    const server = await serve({ chunkDelayMs: 200 });
    const big = await connect(server.url);
    big.send(JSON.stringify({ type: 'response.create', input: 'x'.repeat(32 * 1024 * 1024 + 1) }));
    await expect.poll(() => big.closed?.code, { timeout: 10_000 }).toBe(1009);

    const flood = await connect(server.url);
    for (let i = 0; i <= MAX_QUEUED_MESSAGES + 1; i++) flood.send({ type: 'response.create', input: 'hi' });
    await expect.poll(() => flood.closed?.code, { timeout: 10_000 }).toBe(1008);
  });

  it('is served by the CLI, which still exits cleanly on SIGTERM with a socket open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'threadline-ws-cli-'));
    try {
      const cli = runCli(await buildCli(dir), ['--port', '0']);
      try {
        const url = await listening(cli);
        const socket = await connect(url);
        expect(finalResponse(await socket.turn({ input: 'hi' })).status).toBe('completed');
        cli.child.kill('SIGTERM');
        expect(await cli.exit).toBe(0);
        await expect.poll(() => socket.closed).not.toBeNull();
        expect(cli.stderr()).toBe('');
      } finally {
        if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('works with the openai SDK ResponsesWS client', async () => {
    const server = await serve({ auth: { apiKeys: ['sk-good'] } });
    const client = new OpenAI({ apiKey: 'sk-good', baseURL: `${server.url}/v1` });
    const rws = new ResponsesWS(client);
    try {
      const seen: string[] = [];
      const done = new Promise<{ id: string; output: unknown[] }>((resolve, reject) => {
        rws.on('event', (event) => {
          seen.push(event.type);
          if (event.type === 'response.completed') resolve(event.response as never);
        });
        rws.on('error', reject);
      });
      rws.send({
        type: 'response.create',
        model: '',
        input: 'What is the weather in Paris?',
        tools: [weather],
      } as never);
      const first = await done;
      expect(seen[0]).toBe('response.created');
      const call = first.output[0] as { type: string; call_id: string };
      expect(call.type).toBe('function_call');
      const failed = new Promise<unknown>((resolve) => rws.once('error', resolve));
      rws.send({ type: 'response.create', model: '', previous_response_id: 'run_nope', input: 'hi' });
      const error = (await failed) as { error?: { status: number; error: { code: string } } };
      expect(error.error?.status).toBe(404);
      expect(error.error?.error.code).toBe(ERROR_CODES.previousResponseNotFound);
    } finally {
      rws.close({ code: 1000, reason: 'done' });
    }
  });
});

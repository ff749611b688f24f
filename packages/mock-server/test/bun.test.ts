import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import OpenAI, { NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, listening, runProcess } from './support/cli';
import { GlobalResponsesSocket } from './support/web-socket-client';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
// Bun from the `bun` npm package, aliased `bun1` (pnpm reserves the name `bun` for package managers).
const BUN = here('../node_modules/bun1/bin/bun.exe');

// The server core is `fetch(Request) → Response`: behind Bun.serve it must behave as behind node:http.
describe('the reference server under Bun (Bun.serve, web-standard core only)', () => {
  let bun: CliRun;
  let url: string;
  let client: OpenAI;
  beforeAll(async () => {
    expect(existsSync(BUN), `${BUN} (install dev dependencies)`).toBe(true);
    bun = runProcess(BUN, ['--conditions=@threadline/source', here('fixtures/bun-serve.ts')]);
    url = await listening(bun);
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
  });
  afterAll(async () => {
    bun.child.kill('SIGTERM');
    await bun.exit;
  });

  it('answers JSON and a stream with usage, as over node:http', async () => {
    const json = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'hello from bun' }],
    });
    expect(json.choices[0]?.message.content).toBe('You said: hello from bun');

    const stream = await client.chat.completions.create({
      model: '',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hello from bun' }],
    });
    let text = '';
    let total = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      total = chunk.usage?.total_tokens ?? total;
    }
    expect(text).toBe('You said: hello from bun');
    expect(total).toBe(json.usage?.total_tokens);
  });

  it('raises an unknown model as a typed 404', async () => {
    const error = await client.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('cancels the run when the client leaves mid-stream', async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-threadline-chunk-delay': '50' },
      body: JSON.stringify({
        model: '',
        stream: true,
        messages: [{ role: 'user', content: 'a b c d e f g h' }],
      }),
      signal: controller.signal,
    });
    const runId = response.headers.get('x-threadline-run-id');
    expect(runId).toMatch(/^run_/);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => {});
    const status = async () =>
      ((await (await fetch(`${url}/v1/runs/${runId}`)).json()) as { status: string }).status;
    await expect.poll(status, { timeout: 3000 }).toBe('cancelled');
  });
});

// WebSocket mode through bunWebSocket(server): the same connection logic as the node adapter's.
describe('WebSocket mode on /v1/responses under Bun (bunWebSocket)', () => {
  const KEY = { authorization: 'Bearer sk-bun' };
  let bun: CliRun;
  let url: string;
  const sockets: GlobalResponsesSocket[] = [];
  const connect = async (headers: Record<string, string> = {}) => {
    const socket = await GlobalResponsesSocket.open(url, { ...KEY, ...headers });
    sockets.push(socket);
    return socket;
  };
  const last = (events: Array<Record<string, unknown>>) =>
    events[events.length - 1]?.response as {
      id: string;
      status: string;
      previous_response_id: string | null;
    };
  beforeAll(async () => {
    bun = runProcess(BUN, ['--conditions=@threadline/source', here('fixtures/bun-websocket-serve.ts')]);
    url = await listening(bun);
  });
  afterAll(async () => {
    for (const socket of sockets) await socket.close();
    bun.child.kill('SIGTERM');
    await bun.exit;
  });

  it('refuses an upgrade without the API key with the JSON 401, as the HTTP door does', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/v1/responses`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => reject(new Error('the upgrade was accepted')));
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error.code).toBe('missing_credentials');
  });

  it('runs sequential turns on one socket, continuing a store:false response by previous_response_id', async () => {
    const socket = await connect();
    const first = await socket.turn({ input: 'hello over bun', store: false });
    expect(first[0]?.type).toBe('response.created');
    expect(first.map((event) => event.sequence_number)).toEqual(first.map((_, i) => i));
    const text = first
      .filter((event) => event.type === 'response.output_text.delta')
      .map((event) => event.delta)
      .join('');
    expect(text).toBe('You said: hello over bun');
    const firstId = last(first).id;

    const second = await socket.turn({ previous_response_id: firstId, input: 'and again', store: false });
    expect(last(second)).toMatchObject({ status: 'completed', previous_response_id: firstId });
    // The store:false response is the connection's: a plain POST cannot continue it.
    const http = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { ...KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ model: '', previous_response_id: firstId, input: 'over http' }),
    });
    expect(http.status).toBe(404);
    expect(((await http.json()) as { error: { code: string } }).error.code).toBe(
      'previous_response_not_found',
    );
  });

  it('answers a bad message with an error message and keeps serving the socket', async () => {
    const socket = await connect();
    socket.send('not json');
    expect(await socket.next()).toMatchObject({
      type: 'error',
      status: 400,
      error: { code: 'invalid_json' },
    });
    socket.send({ type: 'response.cancel', stream_id: 'lane-1' });
    expect(await socket.next()).toMatchObject({
      type: 'error',
      status: 400,
      stream_id: 'lane-1',
      error: { code: 'unsupported_value', param: 'type' },
    });
    expect(last(await socket.turn({ input: 'still here' })).status).toBe('completed');
  });

  it('cancels the running turn when the socket closes', async () => {
    const socket = await connect({ 'x-threadline-chunk-delay': '200' });
    socket.send({ type: 'response.create', model: '', input: 'Tell me a long story about otters.' });
    const created = await socket.next();
    expect(created.type).toBe('response.created');
    const id = (created.response as { id: string }).id;
    await socket.close();
    const status = async () =>
      ((await (await fetch(`${url}/v1/runs/${id}`, { headers: KEY })).json()) as { status: string }).status;
    await expect.poll(status, { timeout: 5000 }).toBe('cancelled');
  });
});

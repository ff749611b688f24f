import { decodeSSE, type SSEFrame } from '@threadline/protocol';
import { type ChatCompletionChunk, chatCompletionChunkSchema } from '@threadline/protocol/schemas';
import { expect } from 'vitest';
import { createMockServer, type MockServer, type StartOptions, start } from '../../src/index';

/** A reference server reached one way: through its in-process handler or over a real port. */
export interface Target {
  name: string;
  server: MockServer;
  /** The server root (`http://threadline.test` in-process, `http://127.0.0.1:PORT` over a port). */
  url: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export type TargetFactory = (config?: StartOptions) => Promise<Target>;

export const inProcess: TargetFactory = async (config = {}) => {
  const { port: _port, host: _host, ...rest } = config;
  const server = createMockServer(rest);
  const url = 'http://threadline.test';
  return {
    name: 'in-process',
    server,
    url,
    fetch: (path, init) => server.fetch(new Request(`${url}${path}`, init)),
    close: async () => server.close(),
  };
};

export const overPort: TargetFactory = async (config = {}) => {
  const running = await start({ ...config, port: 0, host: '127.0.0.1' });
  return {
    name: 'real port',
    server: running.server,
    url: running.url,
    fetch: (path, init) => fetch(`${running.url}${path}`, init),
    close: () => running.close(),
  };
};

/** For `describe.each`: every behaviour is checked both ways. */
export const TARGETS: Array<[string, TargetFactory]> = [
  ['in-process', inProcess],
  ['real port', overPort],
];

export function postJson(
  target: Target,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return target.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const chat = (target: Target, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  postJson(target, '/v1/chat/completions', { model: '', ...body }, headers);

export const userSays = (text: string) => [{ role: 'user', content: text }];

/** Every SSE frame of a response body. */
export async function frames(response: Response): Promise<SSEFrame[]> {
  const out: SSEFrame[] = [];
  for await (const frame of decodeSSE(response.body!)) out.push(frame);
  return out;
}

/**
 * The chunks of a stream (every data frame but [DONE] and named events), checked against the schema.
 * Written by hand on the server, each must also be JSON as JSON.stringify writes it.
 */
export async function chunks(response: Response): Promise<ChatCompletionChunk[]> {
  return (await frames(response))
    .filter((f) => f.data !== '[DONE]' && f.event === undefined)
    .map((f) => {
      const value = JSON.parse(f.data);
      expect(f.data).toBe(JSON.stringify(value));
      return chatCompletionChunkSchema.parse(value);
    });
}

/** The text a stream's deltas add up to. */
export function streamedText(list: ChatCompletionChunk[]): string {
  return list.map((c) => c.choices[0]?.delta.content ?? '').join('');
}

/** The error body of a response, asserting its status. */
export async function errorOf(response: Response) {
  const body = (await response.json()) as {
    error: { message: string; type: string; param: string | null; code: string | null };
  };
  return { status: response.status, ...body.error };
}

import { decodeSSE, type SSEFrame } from '@threadline/protocol';
import { type ChatCompletionChunk, chatCompletionChunkSchema } from '@threadline/protocol/schemas';
import type { MockServer } from '../../src/index';

export const BASE = 'http://threadline.test';

/** A JSON POST to the in-process handler. */
export function post(
  server: MockServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return server.fetch(
    new Request(`${BASE}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

export function get(
  server: MockServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return server.fetch(new Request(`${BASE}${path}`, { headers }));
}

export const chat = (
  server: MockServer,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) => post(server, '/v1/chat/completions', { model: '', ...body }, headers);

export const userSays = (text: string) => [{ role: 'user', content: text }];

/** Every SSE frame of a response body. */
export async function frames(response: Response): Promise<SSEFrame[]> {
  const out: SSEFrame[] = [];
  for await (const frame of decodeSSE(response.body!)) out.push(frame);
  return out;
}

/** The chunks of a stream (every data frame but [DONE] and named events), checked against the schema. */
export async function chunks(response: Response): Promise<ChatCompletionChunk[]> {
  return (await frames(response))
    .filter((f) => f.data !== '[DONE]' && f.event === undefined)
    .map((f) => chatCompletionChunkSchema.parse(JSON.parse(f.data)));
}

/** The text a stream's deltas add up to. */
export function streamedText(list: ChatCompletionChunk[]): string {
  return list.map((c) => c.choices[0]?.delta.content ?? '').join('');
}

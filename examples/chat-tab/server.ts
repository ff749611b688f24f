import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { createThreadline } from '@threadline/ai-sdk';
import { convertToModelMessages, type LanguageModel, streamText, validateUIMessages } from 'ai';

/** Which door of the server the route talks to; the responses door shows read-only server tools too. */
export type Door = 'chat' | 'responses';

export interface ChatTabOptions {
  /** The Threadline server's root URL (its API under /v1). */
  baseURL: string;
  /** The bundled browser app (build.ts). */
  script: string;
  door?: Door;
  port?: number;
  host?: string;
}

// Everything in a request comes from the browser, so each part of it is bounded.
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_MESSAGES = 200;
/** The ids the server accepts for a session: checked here so a bad one is the route's 400. */
const SESSION_ID = /^[A-Za-z0-9._:@+-]{1,256}$/;

// No parameter properties: Node runs this file by stripping types, which cannot rewrite them.
class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not JSON');
  }
}

/** POST /api/chat: the UI messages and the tab's session id in, a UI message stream out. */
async function chat(
  req: IncomingMessage,
  model: () => LanguageModel,
  signal: AbortSignal,
): Promise<Response> {
  const body = (await readJson(req)) as { messages?: unknown; sessionId?: unknown } | null;
  const sessionId = body?.sessionId;
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) throw new HttpError(400, 'bad sessionId');
  if (!Array.isArray(body?.messages) || body.messages.length > MAX_MESSAGES) {
    throw new HttpError(400, `messages must be an array of at most ${MAX_MESSAGES}`);
  }
  const messages = await validateUIMessages({ messages: body.messages }).catch(() => {
    throw new HttpError(400, 'messages are not UI messages');
  });
  const result = streamText({
    model: model(),
    messages: await convertToModelMessages(messages),
    // Memory is the server's: the session id is all the route adds.
    providerOptions: { threadline: { sessionId } },
    abortSignal: signal,
    // One line per failed turn; the browser gets the message through onError below.
    onError: ({ error }) =>
      console.error(`chat turn failed: ${error instanceof Error ? error.message : error}`),
  });
  return result.toUIMessageStreamResponse({
    onError: (error) => (error instanceof Error ? error.message : 'the assistant failed'),
  });
}

/** Writes a Web Response to node's response, stopping if the browser leaves. */
async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) return void res.end();
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream), res).catch(() => {});
}

/** The tab: the page, its bundle and the chat route, on one origin. */
export async function startChatTab(options: ChatTabOptions) {
  const page = await readFile(new URL('./index.html', import.meta.url), 'utf8');
  const threadline = createThreadline({ baseURL: options.baseURL });
  // `''` is the model the server's agent is configured with.
  const model = () => (options.door === 'chat' ? threadline.chat('') : threadline.responses(''));
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://tab').pathname;
    try {
      if (req.method === 'GET' && path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      } else if (req.method === 'GET' && path === '/app.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(options.script);
      } else if (req.method === 'POST' && path === '/api/chat') {
        // A browser that leaves mid-reply cancels the upstream turn too.
        const leaving = new AbortController();
        res.on('close', () => res.writableFinished || leaving.abort());
        await send(res, await chat(req, model, leaving.signal));
      } else {
        throw new HttpError(404, 'not found');
      }
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : 'internal error';
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: message }));
    }
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    // Streams still open (a reply in flight) are ended too, so closing never waits on a browser.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// `node examples/chat-tab/server.ts`: the tab against THREADLINE_BASE_URL, or a reference server of its own.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const script = await readFile(new URL('./dist/app.js', import.meta.url), 'utf8').catch(() => {
    throw new Error('no dist/app.js: run `node examples/chat-tab/build.ts` first');
  });
  let baseURL = process.env.THREADLINE_BASE_URL;
  if (!baseURL) {
    const { start } = await import('@threadline/mock-server');
    // Paced frames, so the reply visibly streams in.
    baseURL = (await start({ port: 0, host: '127.0.0.1', chunkDelayMs: 40 })).url;
    console.log(`reference server on ${baseURL}`);
  }
  const door: Door = process.env.THREADLINE_DOOR === 'chat' ? 'chat' : 'responses';
  const tab = await startChatTab({ baseURL, script, door, port: Number(process.env.PORT ?? 3000) });
  console.log(`chat tab on ${tab.url} (${door} door of ${baseURL})`);
}

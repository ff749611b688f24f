import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { start } from '@threadline/mock-server';

/**
 * A deliberately non-conforming OpenAI-style server: the reference server (openai dialect, API keys)
 * behind a front that rewrites what passes, the way a hand-rolled server gets things wrong:
 *
 * - error bodies are flat `{"message","type","param","code"}` with the HTTP status as a numeric `code`
 *   (the openai dialect promises nested bodies and string codes);
 * - a named `tool_choice` is dropped from requests, so it is neither validated nor obeyed;
 * - a message with an unknown role is read as a user message instead of refused;
 * - stream chunks lack `created`;
 * - `GET /v1/models/{id}` answers 200 with a model of that id for any id.
 *
 * Everything else is the reference server's own behaviour, so every other check must pass.
 */
export const NONCONFORMING_KEY = 'sk-nonconforming';

const KNOWN_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/** The request body as the front passes it on: named tool_choice dropped, unknown roles made user. */
function rewriteRequest(body: string): string {
  let value: { tool_choice?: unknown; messages?: Array<{ role?: unknown }> };
  try {
    value = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof value !== 'object' || value === null) return body;
  if (typeof value.tool_choice === 'object' && value.tool_choice !== null) delete value.tool_choice;
  for (const message of Array.isArray(value.messages) ? value.messages : []) {
    if (typeof message === 'object' && message !== null && !KNOWN_ROLES.has(String(message.role))) {
      message.role = 'user';
    }
  }
  return JSON.stringify(value);
}

/** An error body made flat, its code the HTTP status. */
function rewriteError(text: string, status: number): string {
  let value: { error?: Record<string, unknown> };
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const inner = value?.error;
  if (typeof inner !== 'object' || inner === null) return text;
  return JSON.stringify({ ...inner, code: status });
}

/** An event stream whose chunks lack `created` (error frames and [DONE] pass untouched). */
function rewriteStream(text: string): string {
  return text
    .split('\n\n')
    .map((frame) => {
      if (!frame.startsWith('data: {')) return frame;
      try {
        const chunk = JSON.parse(frame.slice('data: '.length));
        if (chunk.object !== 'chat.completion.chunk') return frame;
        delete chunk.created;
        return `data: ${JSON.stringify(chunk)}`;
      } catch {
        return frame;
      }
    })
    .join('\n\n');
}

const headersOf = (req: IncomingMessage): Headers => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'host' || name === 'connection' || name === 'content-length')
      continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
};

export async function startNonconforming(): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = await start({ port: 0, dialect: 'openai', auth: { apiKeys: [NONCONFORMING_KEY] } });
  const front = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', upstream.url);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const raw = hasBody
        ? await new Response(Readable.toWeb(req) as ReadableStream<Uint8Array>).text()
        : null;
      // Any id is "found": ask the upstream for a listed one and answer with the id asked for.
      const modelId = /^\/v1\/models\/([^/]+)$/.exec(url.pathname)?.[1];
      const answer = await fetch(modelId ? new URL('/v1/models', upstream.url) : url, {
        method: req.method,
        headers: headersOf(req),
        body: raw === null ? null : rewriteRequest(raw),
      });
      let text = await answer.text();
      const status = answer.status;
      if (modelId && status === 200) {
        const listed = JSON.parse(text).data[0];
        text = JSON.stringify({ ...listed, id: decodeURIComponent(modelId) });
      } else if (status >= 400) {
        text = rewriteError(text, status);
      } else if ((answer.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        text = rewriteStream(text);
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(name)) {
          out[name] = value;
        }
      });
      res.writeHead(status, out);
      res.end(status === 204 ? undefined : text);
    } catch {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    }
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const { port } = front.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        front.closeAllConnections();
        front.close(() => resolve());
      });
      await upstream.close();
    },
  };
}

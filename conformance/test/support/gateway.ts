import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/** A request passing through: its URL and headers may be changed in place, its body replaced. */
export interface Passing {
  url: URL;
  headers: Headers;
  body: string | null;
}
export type Rewrite = (request: Passing) => void;

export interface Gateway {
  url: string;
  close(): Promise<void>;
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'host' || name === 'connection') continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * A reverse proxy in front of a real server that rewrites requests on the way (bodies are read whole:
 * fine for the small requests of the checks it is used with): the reference server behind a
 * misconfigured gateway, for proving checks fail on behaviour no fault mode produces.
 */
export async function startGateway(target: string, rewrite: Rewrite): Promise<Gateway> {
  const server = createServer(async (req, res) => {
    const leave = new AbortController();
    res.once('close', () => leave.abort());
    try {
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const passing: Passing = {
        url: new URL(req.url ?? '/', target),
        headers: headersOf(req),
        body: hasBody ? await new Response(Readable.toWeb(req) as ReadableStream<Uint8Array>).text() : null,
      };
      rewrite(passing);
      passing.headers.delete('content-length');
      const upstream = await fetch(passing.url, {
        method: req.method,
        headers: passing.headers,
        body: passing.body,
        signal: leave.signal,
      });
      const out: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') {
          out[name] = value;
        }
      });
      res.writeHead(upstream.status, out);
      if (!upstream.body) return void res.end();
      for await (const chunk of upstream.body) res.write(chunk);
      res.end();
    } catch {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Drops these headers from every request (a gateway stripping what it does not know). */
export const dropHeaders =
  (...names: string[]): Rewrite =>
  ({ headers }) => {
    for (const name of names) headers.delete(name);
  };

/**
 * Remembers the last value of each header and adds it to requests that lack one: a gateway (or a
 * server) with a sticky "current" session or thread, so turns that name none still see one.
 */
export function stickyHeaders(...names: string[]): Rewrite {
  const last = new Map<string, string>();
  return ({ headers }) => {
    for (const name of names) {
      const value = headers.get(name);
      if (value !== null) last.set(name, value);
      else if (last.has(name)) headers.set(name, last.get(name)!);
    }
  };
}

/** Replaces the content of every tool message with this decision (a client-side bug, seen by the server). */
export const forceDecision =
  (decision: string): Rewrite =>
  (request) => {
    if (request.body === null || !request.url.pathname.endsWith('/chat/completions')) return;
    let body: { messages?: Array<{ role?: string; content?: unknown }> };
    try {
      body = JSON.parse(request.body);
    } catch {
      return;
    }
    for (const message of body.messages ?? []) if (message.role === 'tool') message.content = decision;
    request.body = JSON.stringify(body);
  };

/**
 * "Sanitises" ingest paths by removing `..` segments and leading slashes instead of refusing them: the
 * request then names some other file, which is not what a refusal looks like.
 */
export const sanitizeIngestPaths: Rewrite = ({ url }) => {
  const path = url.searchParams.get('file_path');
  if (path === null) return;
  const cleaned = path
    .split('/')
    .filter((segment) => segment !== '..' && segment !== '')
    .join('/');
  url.searchParams.set('file_path', cleaned);
};

import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientClosedRequest, payloadTooLarge } from './internal/errors';
import type { InboundRequest } from './internal/wire';

// The core's view of a node:http request: what the node adapter (node.ts) hands the server core.

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function readNodeBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        // Stop here: not one byte more is kept. The adapter drains the rest after answering 413.
        cleanup();
        req.pause();
        reject(payloadTooLarge(limit));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, total));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(clientClosedRequest());
    };
    // The client may have left while the request waited (e.g. behind a latency fault): its 'close'
    // has already fired, so listening for it would wait forever.
    if (req.destroyed && !req.readableEnded) {
      reject(clientClosedRequest());
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** The header entries of a node request's headers object (the journal keeps the object, not the request). */
function* nodeHeaderEntries(headers: IncomingMessage['headers']): Iterable<[string, string]> {
  for (const name in headers) {
    const value = headerValue(headers[name]);
    if (value !== null) yield [name, value] as [string, string];
  }
}

/**
 * The core's view of a node request: one object per request, its methods on the prototype (no closures
 * allocated per request on the hot path).
 */
class NodeInbound implements InboundRequest {
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly headerRecord: IncomingMessage['headers'];
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  #controller: AbortController | undefined;

  constructor(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.method = req.method ?? 'GET';
    this.path = q === -1 ? url : url.slice(0, q);
    this.search = q === -1 ? '' : url.slice(q + 1);
    this.headerRecord = req.headers;
    this.#req = req;
    this.#res = res;
  }

  header(name: string): string | null {
    return headerValue(this.headerRecord[name]);
  }

  get headerEntries(): () => Iterable<[string, string]> {
    const headers = this.headerRecord;
    return () => nodeHeaderEntries(headers);
  }

  readBody(limit: number): Promise<Uint8Array> {
    return readNodeBody(this.#req, limit);
  }

  // Created on first use only: most requests never ask whether the client left.
  get signal(): AbortSignal {
    if (!this.#controller) {
      const ctl = new AbortController();
      this.#controller = ctl;
      const res = this.#res;
      res.once('close', () => {
        if (!res.writableFinished) ctl.abort();
      });
    }
    return this.#controller.signal;
  }
}

export function inboundFrom(req: IncomingMessage, res: ServerResponse): InboundRequest {
  return new NodeInbound(req, res);
}

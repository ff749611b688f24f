import type { FileObject } from '@threadline/protocol';
import { StreamIdleTimeoutError } from '../core/errors';
import { DEFAULTS, mergeOptions, type RequestOptions } from '../core/options';
import { readJSON, request } from '../core/request';
import { guardBody } from '../core/timeouts';
import { segment } from '../core/url';
import type { ClientContext } from './chat';

/** A stored file's bytes: read them whole, or stream `body` to disk. */
export interface FileContent {
  /** A Response over the (idle-guarded) body: `.body`, `.headers`, `.arrayBuffer()`, `.blob()`… */
  response: Response;
  body: ReadableStream<Uint8Array> | null;
  headers: Headers;
  /** `content-type` as the server sent it. */
  contentType: string | null;
  bytes(): Promise<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
  blob(): Promise<Blob>;
  text(): Promise<string>;
}

export class Files {
  constructor(private readonly client: ClientContext) {}

  /** `GET /v1/files/{id}`: the file's metadata. */
  async retrieve(id: string, options?: RequestOptions): Promise<FileObject> {
    return request(mergeOptions(this.client.options, options), {
      method: 'GET',
      path: `/v1/files/${segment(id)}`,
      read: readJSON<FileObject>,
    });
  }

  /**
   * `GET /v1/files/{id}/content`: the exact bytes, streamable. The stream idle timeout bounds the wait
   * for the headers and each wait for more bytes; a broken connection fails reads with APIConnectionError.
   */
  async content(id: string, options?: RequestOptions): Promise<FileContent> {
    const merged = mergeOptions(this.client.options, options);
    const idleMs = merged.streamIdleTimeout ?? DEFAULTS.streamIdleTimeout;
    return request(merged, {
      method: 'GET',
      path: `/v1/files/${segment(id)}/content`,
      accept: '*/*',
      idleMs,
      async read(attempt) {
        attempt.stopTimer();
        const source = attempt.response;
        const body = source.body
          ? guardBody(source.body, {
              idleMs,
              signal: attempt.controller.signal,
              idleError: () => new StreamIdleTimeoutError(`Download sent no bytes for ${idleMs} ms.`),
              onIdle: (error) => attempt.abort(error),
              onEnd: () => attempt.release(),
              readError: (error) => attempt.toError(error),
            })
          : null;
        const response = new Response(body, { status: source.status, headers: source.headers });
        return {
          response,
          body: response.body,
          headers: source.headers,
          contentType: source.headers.get('content-type'),
          bytes: async () => new Uint8Array(await response.arrayBuffer()),
          arrayBuffer: () => response.arrayBuffer(),
          blob: () => response.blob(),
          text: () => response.text(),
        };
      },
    });
  }
}

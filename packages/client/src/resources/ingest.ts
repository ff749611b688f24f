import { type IngestResponse, MAX_REQUEST_BYTES } from '@threadline/protocol';
import { RequestTooLargeError, ThreadlineError } from '../core/errors';
import { mergeOptions, type RequestOptions } from '../core/options';
import { type RawBody, readJSON, request } from '../core/request';
import { isBrowser } from '../internal/env';
import type { ClientContext } from './chat';

export interface UploadProgress {
  /** Bytes handed to the connection so far. */
  loaded: number;
  /** Total bytes, when known (not for a stream). */
  total: number | null;
}

/** Upload sources: bytes, a Blob (a File, `fs.openAsBlob(path)`), or a stream of bytes. */
export type IngestFile =
  | Blob
  | ArrayBuffer
  | ArrayBufferView
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

export type IngestParams =
  /** A path on the server, relative to its upload directory (not a local file: use `file` for that). */
  | { filePath: string; uri?: undefined; file?: undefined }
  /** An object-storage URI the server can read: `s3://bucket/key` or `gs://bucket/prefix/`. */
  | { uri: string; filePath?: undefined; file?: undefined }
  | {
      file: IngestFile;
      filename: string;
      contentType?: string;
      /** Called as bytes go out (in browsers, at the start and the end only). */
      onUploadProgress?: (progress: UploadProgress) => void;
      filePath?: undefined;
      uri?: undefined;
    };

const CHUNK = 64 * 1024;

/** `POST /v1/ingest`: loads a document into the memory of the session the options name. */
export async function ingest(
  client: ClientContext,
  params: IngestParams,
  callOptions?: RequestOptions,
): Promise<IngestResponse> {
  const options = mergeOptions(client.options, callOptions);
  const sources = [params.filePath, params.uri, params.file].filter((value) => value !== undefined).length;
  if (sources !== 1) throw new ThreadlineError('ingest takes exactly one of filePath, uri or file');
  if (params.filePath !== undefined)
    return send(options, { file_path: nonEmpty(params.filePath, 'filePath') });
  if (params.uri !== undefined) return send(options, { uri: nonEmpty(params.uri, 'uri') });
  const { file, onUploadProgress: progress } = params;
  const filename = nonEmpty(params.filename, 'filename');
  const sized = isSized(file) ? file : await collectIfBrowser(file);
  const contentType =
    params.contentType ?? ((sized instanceof Blob && sized.type) || 'application/octet-stream');
  if (!sized) {
    const stream = file as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
    const body = { contentType, replayable: false, make: () => counted(iterate(stream), null, progress) };
    return send(options, { filename }, body);
  }
  const size = sized instanceof Blob ? sized.size : sized.byteLength;
  if (size > MAX_REQUEST_BYTES) throw new RequestTooLargeError(size);
  // fetch reports no upload progress; outside browsers the bytes go out as a counted stream instead.
  const streamed = progress !== undefined && !isBrowser();
  const body: RawBody = {
    contentType,
    replayable: true,
    make: streamed ? () => counted(sliced(sized), size, progress) : () => sized as BodyInit,
  };
  if (!streamed) progress?.({ loaded: 0, total: size });
  const result = await send(options, { filename }, body);
  if (!streamed) progress?.({ loaded: size, total: size });
  return result;
}

function send(
  options: RequestOptions,
  query: Record<string, string>,
  body?: RawBody,
): Promise<IngestResponse> {
  const spec = { method: 'POST' as const, path: '/v1/ingest', query, read: readJSON<IngestResponse> };
  return request(options, body ? { ...spec, body } : spec);
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ThreadlineError(`ingest: ${name} must be a non-empty string`);
  return value;
}

const isSized = (file: IngestFile): file is Blob | ArrayBuffer | ArrayBufferView =>
  file instanceof Blob || file instanceof ArrayBuffer || ArrayBuffer.isView(file);

// Browsers stream request bodies only over HTTP/2, so there a stream is gathered first (within the limit).
async function collectIfBrowser(file: IngestFile): Promise<Blob | undefined> {
  if (!isBrowser()) return undefined;
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of iterate(file as ReadableStream<Uint8Array>)) {
    size += chunk.byteLength;
    if (size > MAX_REQUEST_BYTES) throw new RequestTooLargeError(size);
    parts.push(chunk);
  }
  return new Blob(parts as BlobPart[]);
}

async function* iterate(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (!(source instanceof ReadableStream)) {
    for await (const chunk of source)
      yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    return;
  }
  const reader = source.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function* sliced(source: Blob | ArrayBuffer | ArrayBufferView): AsyncGenerator<Uint8Array> {
  if (source instanceof Blob) {
    yield* iterate(source.stream());
    return;
  }
  const bytes = ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
    : new Uint8Array(source);
  for (let offset = 0; offset < bytes.byteLength; offset += CHUNK)
    yield bytes.subarray(offset, offset + CHUNK);
}

/** A body stream that reports progress and stops an upload that passes the limit. */
function counted(
  chunks: AsyncGenerator<Uint8Array>,
  total: number | null,
  progress: ((progress: UploadProgress) => void) | undefined,
): ReadableStream<Uint8Array> {
  let loaded = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const step = await chunks.next();
        if (step.done) {
          controller.close();
          return;
        }
        loaded += step.value.byteLength;
        if (loaded > MAX_REQUEST_BYTES) {
          throw new RequestTooLargeError(
            loaded,
            `upload passed the ${MAX_REQUEST_BYTES}-byte limit and was stopped`,
          );
        }
        controller.enqueue(step.value);
        progress?.({ loaded, total });
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

import {
  type ChatCompletionChunk,
  DONE,
  decodeSSE,
  type ProgressEvent,
  parseErrorBody,
  type SSEFrame,
} from '@threadline/protocol';
import { IncompleteStreamError, inferStatus, MalformedResponseError, makeAPIError } from './errors';
import { redactText, safeResponseHeaders } from './redact';

export interface ChunkReaderContext {
  response: Response;
  secrets: readonly string[];
  /** Progress frames go here, never into the chunks. */
  onProgress: ((event: ProgressEvent) => void) | undefined;
  /** Turns a failed body read into the client's typed error. */
  toError: (error: unknown) => Error;
}

/**
 * Reads typed chunks off an SSE body: `null` at `[DONE]`; an error frame, a frame that is not JSON, or an
 * end without `[DONE]` throws a typed error. Named events other than progress are ignored, as the
 * protocol asks of clients.
 */
export class ChunkReader {
  readonly #frames: AsyncGenerator<SSEFrame, void, undefined>;
  readonly #ctx: ChunkReaderContext;
  #count = 0;

  constructor(body: ReadableStream<Uint8Array>, ctx: ChunkReaderContext) {
    this.#ctx = ctx;
    this.#frames = decodeSSE(body);
  }

  async next(): Promise<ChatCompletionChunk | null> {
    while (true) {
      let step: IteratorResult<SSEFrame, void>;
      try {
        step = await this.#frames.next();
      } catch (error) {
        throw this.#ctx.toError(error);
      }
      if (step.done) throw this.#incomplete();
      const frame = step.value;
      if (frame.data === DONE) {
        this.#drain();
        return null;
      }
      const event = frame.event;
      if (event === 'progress') {
        if (this.#ctx.onProgress) this.#ctx.onProgress(this.#parse(frame) as ProgressEvent);
        continue;
      }
      if (event !== undefined && event !== 'message' && event !== 'error') continue;
      const value = this.#parse(frame) as ChatCompletionChunk & { error?: unknown };
      if (value.error !== undefined) throw this.#errorFrame(value);
      this.#count++;
      return value;
    }
  }

  // Nothing may follow [DONE]; reading the body to its end (rather than cancelling it) lets the server
  // finish the turn cleanly instead of seeing a disconnect.
  #drain(): void {
    const frames = this.#frames;
    void (async () => {
      try {
        while (!(await frames.next()).done) {}
      } catch {
        // The turn is complete; a late connection error changes nothing.
      }
    })();
  }

  #parse(frame: SSEFrame): unknown {
    try {
      return JSON.parse(frame.data);
    } catch {
      throw new MalformedResponseError(
        `stream frame ${this.#count + 1} is not JSON: ${JSON.stringify(redactText(frame.data, this.#ctx.secrets).slice(0, 80))}`,
        this.#meta(),
      );
    }
  }

  #errorFrame(value: unknown) {
    const info = parseErrorBody(JSON.parse(redactText(JSON.stringify(value), this.#ctx.secrets)));
    return makeAPIError(inferStatus(info), info, {
      headers: safeResponseHeaders(this.#ctx.response.headers),
    });
  }

  #incomplete(): IncompleteStreamError {
    const type = this.#ctx.response.headers.get('content-type');
    return new IncompleteStreamError(
      `stream ended without [DONE] after ${this.#count} chunks (content-type ${type}); the answer may be cut short`,
      this.#meta(),
    );
  }

  #meta() {
    return { status: this.#ctx.response.status, headers: safeResponseHeaders(this.#ctx.response.headers) };
  }
}

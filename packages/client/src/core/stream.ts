import {
  type ChatCompletionChunk,
  DONE_FRAME,
  encodeSSE,
  formatErrorBody,
  HEADERS,
  type ProgressEvent,
} from '@threadline/protocol';
import { Assembler, type FinalCompletion } from './assemble';
import { ChunkReader } from './chunks';
import {
  APIError,
  APIUserAbortError,
  IncompleteStreamError,
  MalformedResponseError,
  StreamIdleTimeoutError,
  ThreadlineError,
} from './errors';
import { DEFAULTS } from './options';
import { relayedAttempt } from './relay';
import type { Attempt } from './request';
import { guardBody } from './timeouts';

type Outcome = { value: FinalCompletion } | { error: unknown };

export interface StreamFromResponseOptions {
  onProgress?: (event: ProgressEvent) => void;
  streamIdleTimeout?: number;
  signal?: AbortSignal;
}

/**
 * A streamed chat completion: an async iterable of typed chunks (iterate it once). `break` or `abort()`
 * closes the connection, which cancels the run on the server. `finalCompletion()` assembles the whole
 * answer; `toReadableStream()` re-encodes it as SSE to relay to a browser.
 */
export class ChatCompletionStream implements AsyncIterable<ChatCompletionChunk> {
  readonly response: Response;
  readonly #attempt: Attempt;
  readonly #reader: ChunkReader;
  readonly #assembler = new Assembler();
  #first: ChatCompletionChunk | null | undefined;
  #started = false;
  #outcome: Outcome | undefined;
  #waiters: [(value: FinalCompletion) => void, (error: unknown) => void][] = [];
  #relay: ((event: ProgressEvent) => void) | undefined;

  /** @internal Built by `chat.completions.create`, or `streamFromResponse`. */
  constructor(attempt: Attempt, idleMs: number, onProgress?: (event: ProgressEvent) => void) {
    this.#attempt = attempt;
    const response = attempt.response;
    this.response = response;
    const body = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    const guarded = guardBody(body, {
      idleMs,
      signal: attempt.controller.signal,
      idleError: () =>
        new StreamIdleTimeoutError(`Stream sent no bytes for ${idleMs} ms; the connection was closed.`),
      onIdle: (error) => attempt.abort(error),
      onEnd: () => attempt.release(),
    });
    this.#reader = new ChunkReader(guarded, {
      response,
      secrets: attempt.secrets,
      toError: (error) => attempt.toError(error),
      onProgress: (event) => {
        onProgress?.(event);
        this.#relay?.(event);
      },
    });
  }

  /** The server's `x-request-id`. */
  get requestId(): string | null {
    return this.response.headers.get(HEADERS.requestId);
  }

  /** The run of this turn (`x-threadline-run-id`; chunk ids carry it too). */
  get runId(): string | null {
    return this.response.headers.get(HEADERS.runId);
  }

  /** The controller of the underlying request. */
  get controller(): AbortController {
    return this.#attempt.controller;
  }

  /**
   * @internal Reads up to the first chunk before the stream is handed out, so a failure that happens
   * before the caller has seen any byte (an error frame, a drop, a stall) can still be retried.
   */
  async open(): Promise<void> {
    this.#first = await this.#reader.next();
  }

  /** Closes the connection. A pending or later read throws APIUserAbortError. */
  abort(): void {
    this.#attempt.abort(new APIUserAbortError('Stream aborted.'));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk, void, undefined> {
    if (this.#started)
      throw new ThreadlineError('a stream can be iterated once; use finalCompletion() for the rest');
    this.#started = true;
    let ended = false;
    try {
      const signal = this.#attempt.controller.signal;
      if (signal.aborted) throw signal.reason;
      let chunk = this.#first === undefined ? await this.#reader.next() : this.#first;
      this.#first = undefined;
      while (chunk !== null) {
        this.#assembler.add(chunk);
        yield chunk;
        chunk = await this.#reader.next();
      }
      ended = true;
      this.#settle({ value: this.#assembler.result() });
    } catch (error) {
      // Transport failures arrive typed already; anything else (an onProgress callback that threw) is
      // the caller's own error and passes through unchanged.
      ended = true;
      this.#attempt.abort(error instanceof Error ? error : new Error(String(error)));
      this.#settle({ error });
      throw error;
    } finally {
      this.#attempt.release();
      if (!ended) {
        // The consumer stopped early (`break`): close the connection so the server cancels the run.
        const error = new APIUserAbortError('Stream closed by the consumer before it ended.');
        this.#attempt.abort(error);
        this.#settle({ error });
      }
    }
  }

  /** The whole answer: text, tool calls (arguments joined and parsed), usage, finish and stop reason. */
  finalCompletion(): Promise<FinalCompletion> {
    const outcome = this.#outcome;
    if (outcome) return 'value' in outcome ? Promise.resolve(outcome.value) : Promise.reject(outcome.error);
    const promise = new Promise<FinalCompletion>((resolve, reject) => this.#waiters.push([resolve, reject]));
    if (!this.#started) {
      void (async () => {
        try {
          for await (const _ of this) {
          }
        } catch {
          // settle() has handed the error to the waiters.
        }
      })();
    }
    return promise;
  }

  /**
   * The stream as SSE bytes (chunks, progress events, `[DONE]`) for a `Response` to a browser, which can
   * read it back with `streamFromResponse`. An API error becomes an error frame; a broken
   * upstream breaks the relay too, so the browser sees an incomplete stream rather than a clean end.
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    const pending: string[] = [];
    this.#relay = (event) => pending.push(encodeSSE(event, { event: 'progress' }));
    const iterator = this[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        let out = '';
        try {
          const step = await iterator.next();
          out = pending.splice(0).join('') + (step.done ? DONE_FRAME : encodeSSE(step.value));
          controller.enqueue(encoder.encode(out));
          if (step.done) controller.close();
        } catch (error) {
          if (error instanceof APIError && error.error && !isBroken(error)) {
            const frame = encodeSSE(
              formatErrorBody({ ...error.error, type: error.error.type ?? 'server_error' }),
            );
            controller.enqueue(encoder.encode(pending.splice(0).join('') + frame + DONE_FRAME));
            controller.close();
          } else controller.error(error);
        }
      },
      // The reader went away: close the upstream now. Only then end the iterator — a return() queues
      // behind a pending read, which on a stalled upstream would wait out the idle timeout.
      cancel: async () => {
        this.#attempt.abort(new APIUserAbortError('Relay cancelled by its reader.'));
        this.#settle({ error: this.#attempt.controller.signal.reason });
        await iterator.return(undefined).catch(() => {});
      },
    });
  }

  #settle(outcome: Outcome): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    for (const [resolve, reject] of this.#waiters.splice(0)) {
      if ('value' in outcome) resolve(outcome.value);
      else reject(outcome.error);
    }
  }
}

/**
 * Whether a stream's error means its upstream broke (cut short, or unreadable): a relay must then break
 * too, so its reader sees an incomplete stream, rather than encode it as an error frame and end cleanly.
 */
export const isBroken = (error: APIError): boolean =>
  error instanceof IncompleteStreamError || error instanceof MalformedResponseError;

/**
 * Reads a stream relayed with `toReadableStream()` (or any Chat Completions SSE response), with the same
 * typed chunks, errors and `finalCompletion()` — in a browser, say, behind your own server route. A
 * function rather than a static method so programs that never relay do not carry it.
 */
export async function streamFromResponse(
  response: Response,
  options: StreamFromResponseOptions = {},
): Promise<ChatCompletionStream> {
  const attempt = await relayedAttempt(response, options.signal);
  const stream = new ChatCompletionStream(
    attempt,
    options.streamIdleTimeout ?? DEFAULTS.streamIdleTimeout,
    options.onProgress,
  );
  await stream.open();
  return stream;
}

import { encodeSSE, HEADERS, type ResponseResource, type ResponsesStreamEvent } from '@threadline/protocol';
import { APIError, APIUserAbortError, StreamIdleTimeoutError, ThreadlineError } from './errors';
import { DEFAULTS } from './options';
import { relayedAttempt } from './relay';
import type { Attempt } from './request';
import { EventReader } from './response-events';
import { isBroken } from './stream';
import { guardBody } from './timeouts';

/** A response as the client hands it out: the server's resource plus `output_text`, as openai-node has. */
export type ResponseObject = ResponseResource & {
  /** Every `output_text` part of the `message` items, joined: the answer's text (`''` when none). */
  output_text: string;
};

/** Adds `output_text` to a response resource (in place; returns it). */
export function withOutputText(resource: ResponseResource): ResponseObject {
  let text = '';
  for (const item of resource.output ?? []) {
    if (item.type !== 'message') continue;
    for (const part of item.content) if (part.type === 'output_text') text += part.text;
  }
  const response = resource as ResponseObject;
  response.output_text = text;
  return response;
}

type Outcome = { value: ResponseObject } | { error: unknown };

const OPENING = new Set(['response.created', 'response.queued', 'response.in_progress']);

/**
 * A streamed response: an async iterable of typed events (a union on `type`; iterate it once). `break`
 * or `abort()` closes the connection, which cancels the run on the server. `finalResponse()` is the
 * terminal event's response; `textStream` yields only the text deltas; `toReadableStream()` re-encodes
 * the events as SSE to relay to a browser.
 */
export class ResponseStream implements AsyncIterable<ResponsesStreamEvent> {
  readonly response: Response;
  readonly #attempt: Attempt;
  readonly #reader: EventReader;
  /** Events read by open(), handed out first. */
  #head: (ResponsesStreamEvent | null)[] = [];
  #started = false;
  #final: ResponseResource | undefined;
  #sequence = -1;
  #outcome: Outcome | undefined;
  #waiters: [(value: ResponseObject) => void, (error: unknown) => void][] = [];

  /** @internal Built by `responses.create`, or `responseStreamFromResponse`. */
  constructor(attempt: Attempt, idleMs: number) {
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
    this.#reader = new EventReader(guarded, {
      response,
      secrets: attempt.secrets,
      toError: (error) => attempt.toError(error),
    });
  }

  /** The server's `x-request-id`. */
  get requestId(): string | null {
    return this.response.headers.get(HEADERS.requestId);
  }

  /** The run of this response (`x-threadline-run-id`; the response id is the run id too). */
  get runId(): string | null {
    return this.response.headers.get(HEADERS.runId);
  }

  /** The controller of the underlying request. */
  get controller(): AbortController {
    return this.#attempt.controller;
  }

  /**
   * @internal Reads inside the attempt up to the first event past the lifecycle ones (`created`,
   * `queued`, `in_progress`), so a failure before anything happened is retried, or thrown from
   * `create()` with the class a JSON call would throw (an unknown model's `response.failed`).
   */
  async open(): Promise<void> {
    while (true) {
      const event = await this.#reader.next();
      this.#head.push(event);
      if (event === null || !OPENING.has(event.type)) return;
    }
  }

  /** Closes the connection. A pending or later read throws APIUserAbortError. */
  abort(): void {
    this.#attempt.abort(new APIUserAbortError('Stream aborted.'));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ResponsesStreamEvent, void, undefined> {
    if (this.#started)
      throw new ThreadlineError('a stream can be iterated once; use finalResponse() for the rest');
    this.#started = true;
    let ended = false;
    try {
      const signal = this.#attempt.controller.signal;
      if (signal.aborted) throw signal.reason;
      const head = this.#head;
      let event = head.length > 0 ? head.shift()! : await this.#reader.next();
      while (event !== null) {
        this.#sequence = event.sequence_number;
        // Lifecycle events carry the whole response; the terminal one's is the final answer.
        if (event.type.startsWith('response.') && 'response' in event) {
          this.#final = (event as { response: ResponseResource }).response;
        }
        yield event;
        event = head.length > 0 ? head.shift()! : await this.#reader.next();
      }
      ended = true;
      this.#settle({ value: withOutputText(this.#final!) });
    } catch (error) {
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

  /** Only the text: each `response.output_text.delta`, in order. Consumes the stream. */
  get textStream(): AsyncIterable<string> {
    const events = this;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const event of events) if (event.type === 'response.output_text.delta') yield event.delta;
      },
    };
  }

  /** The response of the terminal event (`completed` or `incomplete`), with `output_text`. */
  finalResponse(): Promise<ResponseObject> {
    const outcome = this.#outcome;
    if (outcome) return 'value' in outcome ? Promise.resolve(outcome.value) : Promise.reject(outcome.error);
    const promise = new Promise<ResponseObject>((resolve, reject) => this.#waiters.push([resolve, reject]));
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
   * The events as SSE bytes (`event: <type>` + `data:`), readable back with `responseStreamFromResponse`.
   * An API error becomes an `error` event; a broken upstream breaks the relay too, so the reader sees an
   * incomplete stream rather than a clean end.
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    const iterator = this[Symbol.asyncIterator]();
    const next = () => this.#sequence + 1;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const step = await iterator.next();
          if (step.done) controller.close();
          else controller.enqueue(encoder.encode(encodeSSE(step.value, { event: step.value.type })));
        } catch (error) {
          if (error instanceof APIError && error.error && !isBroken(error)) {
            const { type, code, message, param } = error.error;
            const payload = { type: type ?? 'server_error', code, message, param };
            const frame = encodeSSE(
              { type: 'error', sequence_number: next(), error: payload, code, message, param },
              { event: 'error' },
            );
            controller.enqueue(encoder.encode(frame));
            controller.close();
          } else controller.error(error);
        }
      },
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
 * Reads a stream relayed with `toReadableStream()` (or any Responses SSE answer) with the same typed
 * events, errors and `finalResponse()`: in a browser behind your own route, say.
 */
export async function responseStreamFromResponse(
  response: Response,
  options: { streamIdleTimeout?: number; signal?: AbortSignal } = {},
): Promise<ResponseStream> {
  const attempt = await relayedAttempt(response, options.signal);
  const stream = new ResponseStream(attempt, options.streamIdleTimeout ?? DEFAULTS.streamIdleTimeout);
  await stream.open();
  return stream;
}

import { decodeSSE, parseErrorBody, type ResponsesStreamEvent, type SSEFrame } from '@threadline/protocol';
import type { ChunkReaderContext } from './chunks';
import { IncompleteStreamError, inferStatus, MalformedResponseError, makeAPIError } from './errors';
import { redactText, safeResponseHeaders } from './redact';
import { StreamRules } from './response-rules';

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Reads typed Responses events off an SSE body: `null` once the body ends after the terminal event
 * (`completed` or `incomplete`). An `error` event or `response.failed` throws the typed error for the
 * server's code; a frame that is not JSON, an event that breaks a stream rule (StreamRules), an event after
 * the terminal one, or an end before a terminal event, throws too.
 */
export class EventReader {
  readonly #frames: AsyncGenerator<SSEFrame, void, undefined>;
  readonly #ctx: Pick<ChunkReaderContext, 'response' | 'secrets' | 'toError'>;
  readonly #rules = new StreamRules();
  #count = 0;
  /** After the terminal event: the body must end with nothing more. */
  #ended = false;
  #finished = false;

  constructor(
    body: ReadableStream<Uint8Array>,
    ctx: Pick<ChunkReaderContext, 'response' | 'secrets' | 'toError'>,
  ) {
    this.#ctx = ctx;
    this.#frames = decodeSSE(body);
  }

  async next(): Promise<ResponsesStreamEvent | null> {
    if (this.#finished) return null;
    let step: IteratorResult<SSEFrame, void>;
    try {
      step = await this.#frames.next();
    } catch (error) {
      if (!this.#ended) throw this.#ctx.toError(error);
      // The response is complete; a late connection error changes nothing.
      this.#finished = true;
      return null;
    }
    if (this.#ended) {
      this.#finished = true;
      if (step.done) return null;
      throw new MalformedResponseError(
        `an event follows the terminal event: ${JSON.stringify(redactText(step.value.data, this.#ctx.secrets).slice(0, 60))}`,
        this.#meta(),
      );
    }
    if (step.done) throw this.#incomplete();
    const event = this.#parse(step.value);
    const type = event.type;
    if (type === 'error') throw this.#apiError(errorOfEvent(event));
    if (type === 'response.failed') {
      const error = (event as { response?: { error?: { code?: string; message?: string } | null } }).response
        ?.error;
      const code = error?.code ?? null;
      // A failed response names only a code: infer the type a JSON answer would have had, so an unknown
      // model is a NotFoundError whether the call streamed or not.
      throw this.#apiError({
        type: code?.endsWith('_not_found') ? 'not_found_error' : 'server_error',
        code,
        message: error?.message ?? 'The response failed.',
        param: null,
      });
    }
    const broken = this.#rules.check(event as unknown as Record<string, unknown>);
    if (broken) throw new MalformedResponseError(`stream breaks the protocol: ${broken}`, this.#meta());
    this.#count++;
    if (TERMINAL.has(type)) {
      const response = (event as { response?: unknown }).response;
      if (response === null || typeof response !== 'object') {
        throw new MalformedResponseError(`terminal event ${type} carries no response object`, this.#meta());
      }
      this.#ended = true;
    }
    return event;
  }

  #parse(frame: SSEFrame): ResponsesStreamEvent {
    let value: unknown;
    try {
      value = JSON.parse(frame.data);
    } catch {
      value = undefined;
    }
    if (
      value === null ||
      typeof value !== 'object' ||
      typeof (value as { type?: unknown }).type !== 'string'
    ) {
      throw new MalformedResponseError(
        `stream event ${this.#count + 1} is not a JSON event with a type: ${JSON.stringify(redactText(frame.data, this.#ctx.secrets).slice(0, 80))}`,
        this.#meta(),
      );
    }
    return value as ResponsesStreamEvent;
  }

  #apiError(payload: ErrorPayload) {
    const clean = parseErrorBody(
      JSON.parse(redactText(JSON.stringify({ error: payload }), this.#ctx.secrets)),
    );
    return makeAPIError(inferStatus(clean), clean, {
      headers: safeResponseHeaders(this.#ctx.response.headers),
    });
  }

  #incomplete(): IncompleteStreamError {
    const type = this.#ctx.response.headers.get('content-type');
    return new IncompleteStreamError(
      `stream ended without a terminal event after ${this.#count} events (content-type ${type}); the response may be cut short`,
      this.#meta(),
    );
  }

  #meta() {
    return { status: this.#ctx.response.status, headers: safeResponseHeaders(this.#ctx.response.headers) };
  }
}

/** The open standard nests the payload under `error`; OpenAI's document puts it beside `type`. */
interface ErrorPayload {
  type: string;
  code: string | null;
  message: string;
  param: string | null;
}

function errorOfEvent(event: ResponsesStreamEvent): ErrorPayload {
  const flat = event as {
    error?: Partial<ErrorPayload>;
    code?: string | null;
    message?: string;
    param?: string | null;
  };
  const nested = flat.error ?? {};
  return {
    type: nested.type ?? 'server_error',
    code: nested.code ?? flat.code ?? null,
    message: nested.message ?? flat.message ?? 'The stream failed.',
    param: nested.param ?? flat.param ?? null,
  };
}

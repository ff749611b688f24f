import type { SSEFrame } from '@threadline/protocol';
import { ensure, ensureGround, show } from '../internal/expect';
import type { Exchange, StreamExchange } from '../internal/http';
import type { CheckContext } from '../runner/context';

/*
 * Lenient readers for the Responses door (docs/protocol.md#responses). Schema validity is judged once,
 * by responses.json.schema and responses.stream.event-schema; every other check reads only the fields
 * it needs through these, so one deviation fails one check.
 */

export const RESPONSES = '/v1/responses';

/** A prompt every server answers in plain text. */
export const PLAIN_INPUT = 'Say hello in a few words.';

/** The checks that judge the ground the other responses checks build on. */
export const RESPONSES_GROUND = {
  /** The plain JSON turn answers 200 with a valid response resource. */
  jsonTurn: 'responses.json.schema',
  /** The plain streamed turn opens: HTTP 200 with an event stream. */
  streamOpens: 'responses.stream.content-type',
  /** Every event of the plain streamed turn is JSON (and schema-valid). */
  eventSchema: 'responses.stream.event-schema',
  /** The plain streamed turn runs to its end: response.completed, no error event, no broken-off body. */
  streamCompletes: 'responses.stream.completes',
} as const;

/** What a check reading a whole stream of its own may be blocked by. */
export const RESPONSES_STREAM_GROUND: readonly string[] = [
  RESPONSES_GROUND.streamOpens,
  RESPONSES_GROUND.eventSchema,
  RESPONSES_GROUND.streamCompletes,
];

export type Obj = Record<string, unknown>;
export const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Obj => (isObj(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A response resource as checks read it: `output` always a list of objects. */
export interface LooseResponse {
  id: unknown;
  status: unknown;
  output: Obj[];
  error: Obj | null;
}

export function looseResponse(value: unknown): LooseResponse {
  const body = obj(value);
  return {
    id: body.id,
    status: body.status,
    output: list(body.output).map(obj),
    error: isObj(body.error) ? body.error : null,
  };
}

/** The text of a response's message items (output_text parts; other values add nothing). */
export function outputText(response: LooseResponse): string {
  return response.output
    .filter((item) => item.type === 'message')
    .flatMap((item) => list(item.content).map(obj))
    .map((part) => (part.type === 'output_text' && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

export const itemsOfType = (response: LooseResponse, type: string): Obj[] =>
  response.output.filter((item) => item.type === type);

/** A request body naming the run's model; `extra` overrides. */
export const responsesBody = (ctx: CheckContext, input: unknown, extra: Record<string, unknown> = {}) => ({
  model: ctx.model,
  input,
  ...extra,
});

/**
 * A 200 answer holding a response object, read leniently. With `by`, a non-200 or non-JSON answer
 * blocks the check instead of failing it.
 */
export function ensureResponse(answer: Exchange, what: string, by?: string): LooseResponse {
  const got = `HTTP ${answer.status} ${show(answer.text)}`;
  const ok = answer.status === 200 && isObj(answer.json);
  const message = `${what}: expected HTTP 200 with a response object`;
  if (by) ensureGround(ok, by, message, 'HTTP 200 with a response', got);
  else ensure(ok, message, 'HTTP 200 with a response', got);
  return looseResponse(answer.json);
}

/** The plain JSON turn, made once per run. */
export const plainResponseExchange = (ctx: CheckContext): Promise<Exchange> =>
  ctx.sharedSend('responses-json-plain', { path: RESPONSES, json: responsesBody(ctx, PLAIN_INPUT) });

/** The plain JSON turn several checks look at; a non-200 answer blocks them by responses.json.schema. */
export async function plainResponse(ctx: CheckContext) {
  const answer = await plainResponseExchange(ctx);
  return { answer, response: ensureResponse(answer, 'a plain responses turn', RESPONSES_GROUND.jsonTurn) };
}

/** One event as checks read it: its `type`, `sequence_number` and the rest, as sent. */
export type LooseEvent = Obj & { type: unknown };

/** The data of a frame as a JSON object, or undefined (the event-schema check judges such frames). */
function frameObject(frame: SSEFrame): Obj | undefined {
  try {
    const value: unknown = JSON.parse(frame.data);
    return isObj(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The events of a stream that are JSON objects; other frames are left out. */
export const eventsOf = (stream: StreamExchange): LooseEvent[] =>
  stream.frames.flatMap((frame) => {
    const event = frameObject(frame);
    return event ? [event as LooseEvent] : [];
  });

export const TERMINAL_TYPES: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);
export const isTerminal = (event: LooseEvent): boolean =>
  typeof event.type === 'string' && TERMINAL_TYPES.has(event.type);

/** The final response a stream's terminal event carries, read leniently. */
export const terminalResponse = (events: readonly LooseEvent[]): LooseResponse | null => {
  const end = events.findLast(isTerminal);
  return end ? looseResponse(end.response) : null;
};

/** The stream answered 200 (else blocked by `by`, or failed without it). */
export function ensureStreamOpened(stream: StreamExchange, what: string, by?: string): void {
  const message = `${what}: the stream did not open`;
  const got = `HTTP ${stream.status} ${stream.text ?? ''}`;
  if (by) ensureGround(stream.status === 200, by, message, 'HTTP 200 text/event-stream', got);
  else ensure(stream.status === 200, message, 'HTTP 200 text/event-stream', got);
}

/**
 * The events of a stream the check must see whole: every frame JSON (else blocked by the event-schema
 * check), the body complete and ending in `response.completed` (or `incomplete`) without an `error`
 * event (else blocked by responses.stream.completes, which judges exactly that on the plain turn).
 */
export function wholeEvents(stream: StreamExchange, what: string): LooseEvent[] {
  const broken = stream.frames.find((frame) => frameObject(frame) === undefined);
  ensureGround(
    !broken,
    RESPONSES_GROUND.eventSchema,
    `${what}: an event is not JSON, so the stream cannot be judged whole`,
    'every event a JSON object',
    broken?.data,
  );
  const events = eventsOf(stream);
  ensureGround(
    !stream.bodyError,
    RESPONSES_GROUND.streamCompletes,
    `${what}: the stream broke off (${stream.bodyError})`,
    'a complete stream',
    `${stream.frames.length} events, then ${stream.bodyError}`,
  );
  const error = events.find((e) => e.type === 'error' || e.type === 'response.failed');
  ensureGround(
    !error,
    RESPONSES_GROUND.streamCompletes,
    `${what}: the turn failed`,
    'a complete turn',
    error,
  );
  const last = events.at(-1);
  ensureGround(
    last && (last.type === 'response.completed' || last.type === 'response.incomplete'),
    RESPONSES_GROUND.streamCompletes,
    `${what}: the stream did not end with response.completed`,
    'response.completed last',
    last ? `last event: ${show(last)}` : 'no events',
  );
  return events;
}

/** A check's own stream, opened (blocked by the content-type check) and read whole. */
export function completeEvents(stream: StreamExchange, what: string): LooseEvent[] {
  ensureStreamOpened(stream, what, RESPONSES_GROUND.streamOpens);
  return wholeEvents(stream, what);
}

/** The plain streamed turn several checks look at; one that did not open blocks them. */
export async function plainResponseStream(ctx: CheckContext): Promise<StreamExchange> {
  const stream = await ctx.sharedStream('responses-stream-plain', {
    path: RESPONSES,
    json: responsesBody(ctx, PLAIN_INPUT, { stream: true }),
  });
  ensureStreamOpened(stream, 'a plain streamed responses turn', RESPONSES_GROUND.streamOpens);
  return stream;
}

/** The text deltas of a stream, per item id, in order. */
export function deltasByItem(events: readonly LooseEvent[], type: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const event of events) {
    if (event.type !== type || typeof event.item_id !== 'string') continue;
    out.set(
      event.item_id,
      (out.get(event.item_id) ?? '') + (typeof event.delta === 'string' ? event.delta : ''),
    );
  }
  return out;
}

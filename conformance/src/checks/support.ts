import { DONE, type SSEFrame } from '@threadline/protocol';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  FinishReason,
  RunRecord,
  Usage,
} from '@threadline/protocol/schemas';
import { CheckFailure, ensure, ensureErrorAnswer, ensureGround, ensureOk, show } from '../internal/expect';
import type { Exchange, StreamExchange } from '../internal/http';
import type { CheckContext } from '../runner/context';

export const CHAT = '/v1/chat/completions';

/** A prompt every server answers in plain text. */
export const PLAIN_PROMPT = 'Say hello in a few words.';

/**
 * The checks that judge the ground others build on. A check reading the shared exchange they judge
 * names them in `after` and is blocked, not failed, when that ground is broken.
 */
export const GROUND = {
  /** The plain streamed turn opens: HTTP 200 with an event stream. */
  streamOpens: 'chat.stream.content-type',
  /** The plain streamed turn runs to its end: no error frame, no broken-off body. */
  streamCompletes: 'chat.stream.completes',
  /** Every data frame of the plain streamed turn is a valid chunk (JSON, at least). */
  chunkSchema: 'chat.stream.chunk-schema',
  /** The plain streamed turn is terminated by [DONE]. */
  doneLast: 'chat.stream.done-terminator',
  /** The plain JSON turn answers 200 with a JSON object. */
  jsonTurn: 'chat.json.schema',
  /** GET /v1/models answers a list. */
  modelList: 'models.list-shape',
} as const;

/** What a check reading a whole stream (completeChunks, wholeChunks) may be blocked by. */
export const STREAM_GROUND: readonly string[] = [
  GROUND.streamOpens,
  GROUND.streamCompletes,
  GROUND.chunkSchema,
  GROUND.doneLast,
];

/*
 * Lenient readers. Schema validity is judged once, by the schema checks (chat.json.schema,
 * chat.stream.chunk-schema, models.list-shape, health.shape, runs.record); every other check reads the
 * fields it needs through these, so one deviation (a chunk without `created`) fails one check, not
 * twenty. They only make sure the containers a check walks exist (choices, delta, message, tool_calls,
 * function): values stay as the server sent them, so each check still sees — and reports — a wrong one.
 */

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Obj => (isObj(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function looseCall(value: unknown): Obj {
  const call = obj(value);
  return { ...call, function: obj(call.function) };
}

/** A chunk as checks read it: `choices`, each `delta` and its `tool_calls` always present. */
export function looseChunk(value: unknown): ChatCompletionChunk {
  const chunk = obj(value);
  const choices = list(chunk.choices).map((raw) => {
    const choice = obj(raw);
    const delta = obj(choice.delta);
    const calls = Array.isArray(delta.tool_calls) ? delta.tool_calls.map(looseCall) : undefined;
    return {
      ...choice,
      delta: { ...delta, ...(calls ? { tool_calls: calls } : {}) },
      finish_reason: choice.finish_reason ?? null,
    };
  });
  return { ...chunk, choices } as unknown as ChatCompletionChunk;
}

/** A completion as checks read it: `choices`, each `message` and its `tool_calls` always present. */
export function looseCompletion(value: unknown): ChatCompletion {
  const completion = obj(value);
  const choices = list(completion.choices).map((raw) => {
    const choice = obj(raw);
    const message = obj(choice.message);
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls.map(looseCall) : undefined;
    return { ...choice, message: { ...message, ...(calls ? { tool_calls: calls } : {}) } };
  });
  return { ...completion, choices } as unknown as ChatCompletion;
}

/** A run record as checks read it: `tool_calls` and `file_ids` always lists. */
export function looseRunRecord(value: unknown): RunRecord {
  const run = obj(value);
  return {
    ...run,
    tool_calls: list(run.tool_calls).map(obj),
    file_ids: list(run.file_ids),
  } as unknown as RunRecord;
}

/** Frames that carry chunks: unnamed data frames other than [DONE]. */
export const dataFrames = (frames: readonly SSEFrame[]): SSEFrame[] =>
  frames.filter((f) => f.event === undefined && f.data !== DONE);

/** Parses a frame's data as JSON; a frame that is not JSON fails the check. */
export function frameJson(frame: SSEFrame): unknown {
  try {
    return JSON.parse(frame.data);
  } catch {
    throw new CheckFailure('a stream frame is not JSON', 'every data frame to be JSON', frame.data);
  }
}

/** The JSON object of a data frame, or undefined when it is not one (that is chunk-schema's to judge). */
function frameObject(frame: SSEFrame): Obj | undefined {
  try {
    const value: unknown = JSON.parse(frame.data);
    return isObj(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The chunks of a stream, read leniently: every data frame before [DONE] holding a JSON object that is
 * not an error frame. Frames that are not JSON are left out — `chat.stream.chunk-schema` judges those —
 * and so are frames after [DONE] (`chat.stream.nothing-after-done`'s).
 */
export function chunksOf(exchange: StreamExchange): ChatCompletionChunk[] {
  const done = exchange.frames.findIndex((f) => f.data === DONE && f.event === undefined);
  const frames = done === -1 ? exchange.frames : exchange.frames.slice(0, done);
  return dataFrames(frames).flatMap((frame) => {
    const value = frameObject(frame);
    if (!value || 'error' in value) return [];
    return [looseChunk(value)];
  });
}

/** A data frame whose JSON has an `error` member: a terminal error frame. */
export function isErrorFrame(frame: SSEFrame): boolean {
  return 'error' in (frameObject(frame) ?? {});
}

/**
 * The chunks of a stream the check must see whole (a finish_reason, the usage chunk): blocked by
 * `by` (chat.stream.completes) when the body broke off or the turn ended in an error frame.
 */
export function wholeChunks(
  exchange: StreamExchange,
  what: string,
  by: string = GROUND.streamCompletes,
): ChatCompletionChunk[] {
  ensureGround(
    !exchange.bodyError,
    by,
    `${what}: the stream broke off (${exchange.bodyError}), so it cannot be judged whole`,
    'a complete stream',
    `${exchange.frames.length} frames, then ${exchange.bodyError}`,
  );
  const error = dataFrames(exchange.frames).find(isErrorFrame);
  ensureGround(!error, by, `${what}: the turn ended in an error frame`, 'a complete turn', error?.data);
  const broken = dataFrames(exchange.frames).find((frame) => frameObject(frame) === undefined);
  ensureGround(
    !broken,
    GROUND.chunkSchema,
    `${what}: a frame is not a JSON chunk, so the stream cannot be judged whole`,
    'every data frame a JSON chunk',
    broken?.data,
  );
  return chunksOf(exchange);
}

/** The text the deltas add up to (deltas whose content is not a string add nothing). */
export const streamedText = (chunks: readonly ChatCompletionChunk[]): string =>
  chunks
    .map((c) => {
      const content = c.choices[0]?.delta.content;
      return typeof content === 'string' ? content : '';
    })
    .join('');

/**
 * A stream answered 200, or the check fails saying what came instead — or, with `by`, is blocked by
 * the check that judges that this stream opens.
 */
export function ensureStreamOpened(exchange: StreamExchange, what: string, by?: string): void {
  const message = `${what}: the stream did not open`;
  const got = `HTTP ${exchange.status} ${exchange.text ?? ''}`;
  if (by) ensureGround(exchange.status === 200, by, message, 'HTTP 200 text/event-stream', got);
  else ensure(exchange.status === 200, message, 'HTTP 200 text/event-stream', got);
}

/** The stream ended cleanly and its last frame is [DONE]. */
export function ensureDoneLast(exchange: StreamExchange, what: string): void {
  ensure(
    !exchange.bodyError,
    `${what}: the stream broke off (${exchange.bodyError})`,
    'a stream ending in [DONE]',
    exchange.bodyError,
  );
  const last = exchange.frames.at(-1);
  ensure(
    last?.data === DONE && last.event === undefined,
    `${what}: the last frame is not [DONE]`,
    'data: [DONE] as the last frame',
    last ? `last frame: ${show(last.data)}` : 'no frames',
  );
}

/**
 * A check's own stream, read whole: it opened, ran to its end and [DONE] came last; returns its chunks
 * (lenient). What breaks here is judged on the plain stream by the ground checks (it opens, completes,
 * ends in [DONE]): when one of them failed the check is blocked by it, otherwise this is its own failure.
 */
export function completeChunks(exchange: StreamExchange, what: string): ChatCompletionChunk[] {
  ensureStreamOpened(exchange, what, GROUND.streamOpens);
  const chunks = wholeChunks(exchange, what);
  const last = exchange.frames.at(-1);
  // Present, not necessarily last: what follows [DONE] is chat.stream.nothing-after-done's to judge.
  ensureGround(
    exchange.frames.some((f) => f.data === DONE && f.event === undefined),
    GROUND.doneLast,
    `${what}: no data: [DONE]`,
    'data: [DONE] after the last chunk',
    last ? `last frame: ${show(last.data)}` : 'no frames',
  );
  return chunks;
}

/**
 * The finish_reason a stream ended with: the last one it carries (how many it carries is
 * chat.stream.one-finish-reason's to judge), or null.
 */
export const lastFinishReason = (chunks: readonly ChatCompletionChunk[]): FinishReason | null =>
  finishReasons(chunks).at(-1) ?? null;

/** Every finish_reason the chunks carry, in order, nulls left out. */
export const finishReasons = (chunks: readonly ChatCompletionChunk[]): FinishReason[] =>
  chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((r) => r !== null);

/**
 * A 200 answer holding a completion with a first choice, read leniently (see looseCompletion). With
 * `by`, a non-200 or non-JSON answer blocks the check instead of failing it.
 */
export function ensureCompletion(answer: Exchange, what: string, by?: string): ChatCompletion {
  const got = `HTTP ${answer.status} ${show(answer.text)}`;
  const check = by
    ? (ok: boolean, message: string, expected: string) => ensureGround(ok, by, message, expected, got)
    : (ok: boolean, message: string, expected: string) => ensure(ok, message, expected, got);
  check(answer.status === 200, `${what}: expected HTTP 200`, 'HTTP 200');
  check(isObj(answer.json), `${what}: the body is not a JSON object`, 'a chat.completion');
  const completion = looseCompletion(answer.json);
  ensure(completion.choices.length > 0, `${what}: the answer has no choices[0]`, 'a first choice', got);
  return completion;
}

export function ensureUsageAddsUp(usage: Usage): void {
  const sum = usage.prompt_tokens + usage.completion_tokens;
  ensure(usage.total_tokens === sum, 'usage totals do not add up', `total_tokens ${sum}`, usage);
}

/**
 * The plain streamed turn several checks look at; one that did not open blocks the check by
 * chat.stream.content-type (which fails on it).
 */
export async function plainStream(ctx: CheckContext, includeUsage = false): Promise<StreamExchange> {
  const stream = await ctx.sharedStream(includeUsage ? 'stream-usage' : 'stream-plain', {
    path: CHAT,
    json: ctx.chatBody(PLAIN_PROMPT, {
      stream: true,
      ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    }),
  });
  ensureStreamOpened(
    stream,
    includeUsage ? 'a streamed turn with usage' : 'a plain streamed turn',
    GROUND.streamOpens,
  );
  return stream;
}

/** The plain JSON turn several checks look at; a non-200 answer blocks the check by chat.json.schema. */
export async function plainCompletion(ctx: CheckContext) {
  const answer = await ctx.sharedSend('json-plain', { path: CHAT, json: ctx.chatBody(PLAIN_PROMPT) });
  return { answer, completion: ensureCompletion(answer, 'a plain chat turn', GROUND.jsonTurn) };
}

/** GET /v1/runs/{id} answered 200, read leniently (runs.record judges the record's schema). */
export async function runRecord(ctx: CheckContext, id: string): Promise<RunRecord> {
  const answer = await ctx.send({ path: `/v1/runs/${encodeURIComponent(id)}` });
  ensureOk(answer, `GET /v1/runs/${id}`);
  ensure(
    isObj(answer.json),
    `GET /v1/runs/${id}: the body is not a JSON object`,
    'a run record',
    answer.text,
  );
  return looseRunRecord(answer.json);
}

/** GET /v1/runs/{id} as raw JSON, for the check that validates its schema. */
export async function runRecordBody(ctx: CheckContext, id: string): Promise<unknown> {
  const answer = await ctx.send({ path: `/v1/runs/${encodeURIComponent(id)}` });
  ensureOk(answer, `GET /v1/runs/${id}`);
  return answer.json;
}

/** A chat request whose body is sent verbatim as JSON: for bodies no JSON encoder would write. */
export const sendRawChatBody = (ctx: CheckContext, body: string | Uint8Array) =>
  ctx.send({ path: CHAT, body, headers: { 'content-type': 'application/json' } });

/** GET of something that does not exist is 404 with an error body. */
export async function ensureNotFound(ctx: CheckContext, path: string): Promise<void> {
  ensureErrorAnswer(await ctx.send({ path }), { status: 404 }, `GET ${path}`);
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A user message whose text contains a marker, for memory and ingest checks. */
export const codeWord = (ctx: CheckContext): string =>
  `CODE${ctx
    .uid('w')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()}`;

/** The reply repeats the code word: memory (or an ingested document) was retrieved. */
export function ensureRecalled(reply: string, word: string, failure: string): void {
  ensure(reply.includes(word), failure, `a reply containing ${word}`, reply);
}

/** The reply does not repeat the code word: memory stayed where it belongs. */
export function ensureNotRecalled(reply: string, word: string, failure: string): void {
  ensure(!reply.includes(word), failure, `no ${word}`, reply);
}

import { DONE, type SSEFrame } from '@threadline/protocol';
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  chatCompletionChunkSchema,
  chatCompletionSchema,
  type FinishReason,
  runRecordSchema,
  type Usage,
} from '@threadline/protocol/schemas';
import { CheckFailure, ensure, ensureErrorAnswer, ensureOk, ensureSchema, show } from '../internal/expect';
import type { Exchange, StreamExchange } from '../internal/http';
import type { CheckContext } from '../runner/context';

export const CHAT = '/v1/chat/completions';

/** A prompt every server answers in plain text. */
export const PLAIN_PROMPT = 'Say hello in a few words.';

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

/**
 * The chunks of a complete stream, each validated against the protocol's chunk schema; an error frame
 * or a stream that broke off fails.
 */
export function chunksOf(exchange: StreamExchange): ChatCompletionChunk[] {
  // A stream that broke off cannot be judged as a whole: every check reading its chunks fails.
  ensure(
    !exchange.bodyError,
    `the stream broke off (${exchange.bodyError})`,
    'a complete stream',
    `${exchange.frames.length} frames, then ${exchange.bodyError}`,
  );
  return dataFrames(exchange.frames).map((frame) => {
    const value = frameJson(frame);
    const parsed = chatCompletionChunkSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CheckFailure(
        `a stream frame is not a valid chunk (${issue?.path.join('.') || '(root)'}: ${issue?.message})`,
        'every data frame to be a chat.completion.chunk',
        frame.data,
      );
    }
    return parsed.data;
  });
}

/** The text the deltas add up to. */
export const streamedText = (chunks: readonly ChatCompletionChunk[]): string =>
  chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

/** A stream answered 200 as an event stream, or the check fails saying what came instead. */
export function ensureStreamOpened(exchange: StreamExchange, what: string): void {
  ensure(
    exchange.status === 200,
    `${what}: the stream did not open`,
    'HTTP 200 text/event-stream',
    `HTTP ${exchange.status} ${exchange.text ?? ''}`,
  );
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

/** The stream opened, every chunk is valid and [DONE] came last; returns the chunks. */
export function completeChunks(exchange: StreamExchange, what: string): ChatCompletionChunk[] {
  ensureStreamOpened(exchange, what);
  const chunks = chunksOf(exchange);
  ensureDoneLast(exchange, what);
  return chunks;
}

/** Every finish_reason the chunks carry, in order, nulls left out. */
export const finishReasons = (chunks: readonly ChatCompletionChunk[]): FinishReason[] =>
  chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((r) => r !== null);

/** A 200 answer whose body is a valid chat.completion. */
export function ensureCompletion(answer: Exchange, what: string): ChatCompletion {
  ensureOk(answer, what);
  return ensureSchema(chatCompletionSchema, answer.json, 'chat.completion');
}

export function ensureUsageAddsUp(usage: Usage): void {
  const sum = usage.prompt_tokens + usage.completion_tokens;
  ensure(usage.total_tokens === sum, 'usage totals do not add up', `total_tokens ${sum}`, usage);
}

/** The plain streamed turn several checks look at; a stream that did not open fails the check. */
export async function plainStream(ctx: CheckContext, includeUsage = false): Promise<StreamExchange> {
  const stream = await ctx.sharedStream(includeUsage ? 'stream-usage' : 'stream-plain', {
    path: CHAT,
    json: ctx.chatBody(PLAIN_PROMPT, {
      stream: true,
      ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    }),
  });
  ensureStreamOpened(stream, includeUsage ? 'a streamed turn with usage' : 'a plain streamed turn');
  return stream;
}

/** The plain JSON turn several checks look at, answered 200 with a valid completion. */
export async function plainCompletion(ctx: CheckContext) {
  const answer = await ctx.sharedSend('json-plain', { path: CHAT, json: ctx.chatBody(PLAIN_PROMPT) });
  return { answer, completion: ensureCompletion(answer, 'a plain chat turn') };
}

export async function runRecord(ctx: CheckContext, id: string) {
  const answer = await ctx.send({ path: `/v1/runs/${encodeURIComponent(id)}` });
  ensureOk(answer, `GET /v1/runs/${id}`);
  return ensureSchema(runRecordSchema, answer.json, 'run record');
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

import { DONE, type SSEFrame } from '@threadline/protocol';
import { type ChatCompletionChunk, chatCompletionChunkSchema } from '@threadline/protocol/schemas';
import { CheckFailure, ensure, show } from '../internal/expect';
import type { StreamExchange } from '../internal/http';
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

/** The plain streamed turn several wire checks look at. */
export const plainStream = (ctx: CheckContext, includeUsage = false) =>
  ctx.sharedStream(includeUsage ? 'stream-usage' : 'stream-plain', {
    path: CHAT,
    json: ctx.chatBody(PLAIN_PROMPT, {
      stream: true,
      ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    }),
  });

/** The plain JSON turn several wire checks look at. */
export const plainJson = (ctx: CheckContext) =>
  ctx.sharedSend('json-plain', { path: CHAT, json: ctx.chatBody(PLAIN_PROMPT) });

/** A user message whose text contains a marker, for memory and ingest checks. */
export const codeWord = (ctx: CheckContext): string =>
  `CODE${ctx
    .uid('w')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()}`;

import { DONE, SSE_CONTENT_TYPE } from '@threadline/protocol';
import { chatCompletionChunkSchema } from '@threadline/protocol/schemas';
import { CheckFailure, ensure, ensureGround, show } from '../internal/expect';
import type { StreamExchange } from '../internal/http';
import { type Check, SECTIONS } from '../runner/types';
import {
  chunksOf,
  dataFrames,
  ensureUsageAddsUp,
  finishReasons,
  frameJson,
  GROUND,
  isErrorFrame,
  plainStream,
  STREAM_GROUND,
  streamedText,
  wholeChunks,
} from './support';

const wire = { family: 'wire' } as const;

/** The usage chunk of the include_usage stream: the last chunk, with choices [] and usage. */
function usageChunkOf(stream: StreamExchange) {
  const chunks = wholeChunks(stream, 'a streamed turn with usage');
  const last = chunks.at(-1);
  ensureGround(
    last && last.choices.length === 0 && last.usage,
    'chat.stream.usage-chunk',
    'no usage chunk at the end of the stream',
    'a last chunk with choices [] and usage',
    last,
  );
  return { chunks, usage: last };
}

/** Family 1, streamed: every SSE frame of a chat turn and what the frames mean. */
export const WIRE_STREAM_CHECKS: Check[] = [
  {
    ...wire,
    id: 'chat.stream.content-type',
    title: 'A stream opens with HTTP 200 and is sent as text/event-stream',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const type = stream.headers.get('content-type') ?? '';
      ensure(
        type.startsWith(SSE_CONTENT_TYPE),
        'wrong content type for a stream',
        SSE_CONTENT_TYPE,
        type || '(none)',
      );
    },
  },
  {
    ...wire,
    id: 'chat.stream.completes',
    title: 'A plain streamed turn runs to its end: no error frame, no body cut off',
    capability: 'streaming',
    after: [GROUND.streamOpens],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      ensure(
        !stream.bodyError,
        `the stream broke off (${stream.bodyError})`,
        'a complete stream',
        `${stream.frames.length} frames, then ${stream.bodyError}`,
      );
      const error = dataFrames(stream.frames).find(isErrorFrame);
      ensure(!error, 'a plain turn ended in an error frame', 'no error frame', error?.data);
    },
  },
  {
    ...wire,
    id: 'chat.stream.chunk-schema',
    title: 'Every data frame is a chat.completion.chunk matching the protocol schema',
    capability: 'streaming',
    after: [GROUND.streamOpens],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      let chunks = 0;
      for (const frame of dataFrames(stream.frames)) {
        const value = frameJson(frame);
        // An error frame is a frame of its own kind: chat.stream.completes judges it.
        if (typeof value === 'object' && value !== null && 'error' in value) continue;
        const parsed = chatCompletionChunkSchema.safeParse(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new CheckFailure(
            `a stream frame is not a valid chunk (${issue?.path.join('.') || '(root)'}: ${issue?.message})`,
            'every data frame to be a chat.completion.chunk',
            frame.data,
          );
        }
        chunks++;
      }
      ensure(chunks > 0, 'the stream carried no chunks', 'at least one chunk', stream.frames);
    },
  },
  {
    ...wire,
    id: 'chat.stream.same-id',
    title: 'Every chunk of a stream carries the same id',
    capability: 'streaming',
    after: [GROUND.streamOpens],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const ids = [...new Set(chunksOf(stream).map((c) => c.id))];
      ensure(ids.length <= 1, 'chunk ids differ within one stream', 'one id across chunks', ids);
    },
  },
  {
    ...wire,
    id: 'chat.stream.role-first',
    title: 'The first chunk carries role "assistant"',
    capability: 'streaming',
    after: [GROUND.streamOpens],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const first = chunksOf(stream)[0];
      ensureGround(
        first,
        GROUND.streamCompletes,
        'the stream carried no chunk',
        'a first chunk',
        stream.frames,
      );
      ensure(
        first.choices[0]?.delta.role === 'assistant',
        'the first delta has no role',
        'delta.role "assistant"',
        first,
      );
    },
  },
  {
    ...wire,
    id: 'chat.stream.one-finish-reason',
    title: 'Exactly one chunk carries a finish_reason',
    capability: 'streaming',
    after: STREAM_GROUND,
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const reasons = finishReasons(wholeChunks(stream, 'a plain streamed turn'));
      ensure(reasons.length === 1, 'not exactly one finish_reason', 'one non-null finish_reason', reasons);
    },
  },
  {
    ...wire,
    id: 'chat.stream.text',
    title: 'A plain streamed turn delivers non-empty text',
    capability: 'streaming',
    after: STREAM_GROUND,
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      // Text that arrived proves the property even when the stream broke off later.
      if (streamedText(chunksOf(stream)).length > 0) return;
      const text = streamedText(wholeChunks(stream, 'a plain streamed turn'));
      ensure(
        text.length > 0,
        'the deltas carry no text',
        'non-empty delta.content',
        stream.frames.slice(0, 5),
      );
    },
  },
  {
    ...wire,
    id: 'chat.stream.done-terminator',
    title: 'A stream is terminated by data: [DONE]',
    capability: 'streaming',
    after: [GROUND.streamOpens, GROUND.streamCompletes],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      ensureGround(
        !stream.bodyError,
        GROUND.streamCompletes,
        `the stream broke off (${stream.bodyError}), so its end cannot be judged`,
        'a complete stream',
        stream.bodyError,
      );
      // Frames after [DONE] are chat.stream.nothing-after-done's to judge.
      ensure(
        stream.frames.some((f) => f.data === DONE && f.event === undefined),
        'a plain streamed turn: no data: [DONE]',
        'data: [DONE] after the last chunk',
        `last frame: ${show(stream.frames.at(-1)?.data ?? 'none')}`,
      );
    },
  },
  {
    ...wire,
    id: 'chat.stream.nothing-after-done',
    title: 'Nothing follows [DONE] (with usage asked for)',
    capability: 'streaming',
    after: STREAM_GROUND,
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx, true);
      const at = stream.frames.findIndex((f) => f.data === '[DONE]');
      ensureGround(
        at !== -1,
        'chat.stream.done-terminator',
        'the stream has no [DONE]',
        'data: [DONE]',
        stream.bodyError ?? 'no [DONE] frame',
      );
      const after = stream.frames.slice(at + 1);
      ensure(after.length === 0, 'frames follow [DONE]', 'no frame after [DONE]', after);
    },
  },
  {
    ...wire,
    id: 'chat.stream.usage-chunk',
    title: 'include_usage adds one final chunk with choices [] and usage',
    capability: 'streaming',
    after: [...STREAM_GROUND, 'chat.stream.one-finish-reason'],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx, true);
      const chunks = wholeChunks(stream, 'a streamed turn with usage');
      const last = chunks.at(-1);
      ensure(
        last && last.choices.length === 0 && last.usage,
        'no usage chunk at the end',
        'a last chunk with choices [] and usage',
        last,
      );
      // The last finish chunk: a second one, or none, is chat.stream.one-finish-reason's to judge.
      const finishAt = chunks.findLastIndex((c) => c.choices.some((ch) => ch.finish_reason !== null));
      ensureGround(
        finishAt !== -1,
        'chat.stream.one-finish-reason',
        'the stream has no finish chunk for the usage chunk to follow',
        'a finish chunk, then the usage chunk',
        chunks.slice(-3),
      );
      ensure(
        finishAt === chunks.length - 2,
        'the usage chunk does not follow the finish chunk',
        'finish chunk, then usage chunk',
        chunks.slice(-3),
      );
    },
  },
  {
    ...wire,
    id: 'chat.stream.usage-chunk-id',
    title: "The include_usage chunk carries the stream's id, that of the chunk before it",
    capability: 'streaming',
    after: [...STREAM_GROUND, 'chat.stream.usage-chunk'],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const { chunks, usage } = usageChunkOf(await plainStream(ctx, true));
      // Compared with the chunk before it: ids changing among the other chunks are chat.stream.same-id's.
      const before = chunks.at(-2)?.id;
      ensure(usage.id === before, 'the usage chunk has another id', `id ${show(before)}`, usage.id);
    },
  },
  {
    ...wire,
    id: 'chat.stream.usage-totals',
    title: 'The usage chunk adds up: total = prompt + completion',
    capability: 'streaming',
    after: [...STREAM_GROUND, 'chat.stream.usage-chunk'],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const { usage } = usageChunkOf(await plainStream(ctx, true));
      ensureUsageAddsUp(usage.usage!);
    },
  },
  {
    ...wire,
    id: 'chat.stream.no-usage-unasked',
    title: 'Without include_usage no usage chunk is sent',
    capability: 'streaming',
    after: STREAM_GROUND,
    level: 'SHOULD',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const extra = wholeChunks(stream, 'a plain streamed turn').filter((c) => c.choices.length === 0);
      ensure(extra.length === 0, 'a usage chunk was sent unasked', 'no chunk with choices []', extra);
    },
  },
];

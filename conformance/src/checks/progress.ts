import { progressEventSchema } from '@threadline/protocol/schemas';
import { ensure, ensureSchema } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import { CHAT, chunksOf, ensureDoneLast, ensureStreamOpened, PLAIN_PROMPT, plainStream } from './support';

const wire = { family: 'wire' } as const;

/** A streamed turn with the dialect's progress header enabled. */
const progressStream = (ctx: CheckContext) => {
  const progress = ctx.dialect.progress!;
  return ctx.sharedStream('stream-progress', {
    path: CHAT,
    json: ctx.chatBody(PLAIN_PROMPT, { stream: true }),
    headers: { [progress.header]: progress.enabledValue },
  });
};

/** Progress events (Spice): sent only when asked for, valid, never going backwards. */
export const PROGRESS_CHECKS: Check[] = [
  {
    ...wire,
    id: 'progress.events-when-asked',
    title: 'With the progress header, the stream carries valid progress events next to its chunks',
    capability: 'progress',
    level: 'MUST',
    section: SECTIONS.progress,
    async run(ctx) {
      const stream = await progressStream(ctx);
      ensureStreamOpened(stream, 'a streamed turn asking for progress');
      const events = stream.frames.filter((f) => f.event === 'progress');
      ensure(events.length > 0, 'no progress events', 'event: progress frames', stream.frames.slice(0, 4));
      for (const event of events) ensureSchema(progressEventSchema, JSON.parse(event.data), 'progress event');
      ensure(
        chunksOf(stream).length > 0,
        'the chunks are missing',
        'chunks next to the events',
        stream.frames.length,
      );
      ensureDoneLast(stream, 'a streamed turn asking for progress');
    },
  },
  {
    ...wire,
    id: 'progress.fraction-monotonic',
    title: 'Progress fractions never decrease and name the stream’s run',
    capability: 'progress',
    level: 'MUST',
    section: SECTIONS.progress,
    async run(ctx) {
      const stream = await progressStream(ctx);
      ensureStreamOpened(stream, 'a streamed turn asking for progress');
      const events = stream.frames
        .filter((f) => f.event === 'progress')
        .map((f) => ensureSchema(progressEventSchema, JSON.parse(f.data), 'progress event'));
      const fractions = events.map((e) => e.fraction);
      ensure(
        fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!),
        'a fraction went backwards',
        'non-decreasing fractions',
        fractions,
      );
      const runId = chunksOf(stream)[0]?.id;
      const ids = [...new Set(events.map((e) => e.id))];
      ensure(ids.length === 1 && ids[0] === runId, 'events name another id', `id ${runId}`, ids);
    },
  },
  {
    ...wire,
    id: 'progress.none-unasked',
    title: 'Without the progress header no named event is sent',
    capability: 'progress',
    level: 'MUST',
    section: SECTIONS.progress,
    async run(ctx) {
      const stream = await plainStream(ctx);
      ensureStreamOpened(stream, 'a plain streamed turn');
      const named = stream.frames.filter((f) => f.event !== undefined);
      ensure(named.length === 0, 'named events were sent unasked', 'only data frames', named);
    },
  },
];

import { progressEventSchema } from '@threadline/protocol/schemas';
import { ensure, ensureGround, ensureSchema } from '../internal/expect';
import type { StreamExchange } from '../internal/http';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import {
  CHAT,
  chunksOf,
  completeChunks,
  ensureStreamOpened,
  GROUND,
  PLAIN_PROMPT,
  plainStream,
  STREAM_GROUND,
} from './support';

const wire = { family: 'wire' } as const;

const ASKING = 'a streamed turn asking for progress';

/** A streamed turn with the dialect's progress header enabled; one that did not open fails the check. */
async function progressStream(ctx: CheckContext): Promise<StreamExchange> {
  const progress = ctx.dialect.progress!;
  const stream = await ctx.sharedStream('stream-progress', {
    path: CHAT,
    json: ctx.chatBody(PLAIN_PROMPT, { stream: true }),
    headers: { [progress.header]: progress.enabledValue },
  });
  ensureStreamOpened(stream, ASKING);
  return stream;
}

/** The stream's progress events, each valid against the protocol schema (the schema check's reading). */
const progressEvents = (stream: StreamExchange) =>
  stream.frames
    .filter((f) => f.event === 'progress')
    .map((f) => {
      let value: unknown;
      try {
        value = JSON.parse(f.data);
      } catch {
        value = f.data;
      }
      return ensureSchema(progressEventSchema, value, 'progress event');
    });

/** The progress events read leniently: the JSON objects of `event: progress` frames. */
const looseEvents = (stream: StreamExchange): Array<{ id?: unknown; fraction?: unknown }> =>
  stream.frames
    .filter((f) => f.event === 'progress')
    .flatMap((f) => {
      try {
        const value: unknown = JSON.parse(f.data);
        return typeof value === 'object' && value !== null ? [value] : [];
      } catch {
        return [];
      }
    });

const EVENTS = 'progress.events-when-asked';

/** Progress events (Spice): sent only when asked for, valid, never going backwards. */
export const PROGRESS_CHECKS: Check[] = [
  {
    ...wire,
    id: 'progress.events-when-asked',
    after: STREAM_GROUND,
    title: 'With the progress header, the stream carries valid progress events next to its chunks',
    capability: 'progress',
    level: 'MUST',
    section: SECTIONS.progress,
    async run(ctx) {
      const stream = await progressStream(ctx);
      const events = progressEvents(stream);
      ensure(events.length > 0, 'no progress events', 'event: progress frames', stream.frames.slice(0, 4));
      ensure(
        chunksOf(stream).length > 0,
        'the chunks are missing',
        'chunks next to the events',
        stream.frames.length,
      );
      completeChunks(stream, ASKING);
    },
  },
  {
    ...wire,
    id: 'progress.fraction-monotonic',
    title: 'Progress fractions never decrease and name the stream’s run',
    capability: 'progress',
    after: [EVENTS],
    level: 'MUST',
    section: SECTIONS.progress,
    async run(ctx) {
      const stream = await progressStream(ctx);
      const events = looseEvents(stream);
      ensureGround(
        events.length > 0,
        EVENTS,
        'no progress events',
        'event: progress frames',
        stream.frames.slice(0, 4),
      );
      const fractions = events.map((e) => Number(e.fraction));
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
    after: [GROUND.streamOpens],
    level: 'MUST',
    section: SECTIONS.progress,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const named = stream.frames.filter((f) => f.event !== undefined);
      ensure(named.length === 0, 'named events were sent unasked', 'only data frames', named);
    },
  },
];

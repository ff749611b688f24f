import { responseResourceSchema, responsesStreamEventSchema } from '@threadline/protocol/schemas';
import { ensure, ensureGround, ensureSchema, show } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import {
  deltasByItem,
  eventsOf,
  isObj,
  isTerminal,
  type LooseEvent,
  outputText,
  plainResponse,
  plainResponseExchange,
  plainResponseStream,
  RESPONSES_GROUND,
  terminalResponse,
  wholeEvents,
} from './responses-support';

const family = { family: 'responses', capability: 'responses', section: SECTIONS.responses } as const;
const streamed = { ...family, requires: ['streaming'] } as const;
/** Checks reading the plain streamed turn whole. */
const afterPlainStream = {
  after: [RESPONSES_GROUND.streamOpens, RESPONSES_GROUND.eventSchema, RESPONSES_GROUND.streamCompletes],
} as const;

/** The plain stream's events, read whole (blocked by the ground checks when it is not whole). */
async function plainEvents(ctx: CheckContext): Promise<LooseEvent[]> {
  return wholeEvents(await plainResponseStream(ctx), 'a plain streamed responses turn');
}

/** Family responses, wire: the JSON resource and the named SSE events (docs/protocol.md#responses). */
export const RESPONSES_WIRE_CHECKS: Check[] = [
  {
    ...family,
    id: 'responses.json.schema',
    title: 'POST /v1/responses answers 200 with a schema-valid response resource',
    level: 'MUST',
    async run(ctx) {
      const answer = await plainResponseExchange(ctx);
      ensure(
        answer.status === 200,
        'a plain responses turn: expected HTTP 200',
        'HTTP 200',
        `HTTP ${answer.status} ${show(answer.text)}`,
      );
      ensureSchema(responseResourceSchema, answer.json, 'response resource');
    },
  },
  {
    ...family,
    after: [RESPONSES_GROUND.jsonTurn],
    id: 'responses.json.text-answer',
    title: 'The plain JSON turn is completed with a message item holding text',
    level: 'MUST',
    async run(ctx) {
      const { response } = await plainResponse(ctx);
      ensure(
        response.status === 'completed',
        'the plain turn is not completed',
        'status "completed"',
        response.status,
      );
      ensure(
        outputText(response) !== '',
        'the plain turn has no text',
        'a message with output_text',
        response.output,
      );
    },
  },
  {
    ...streamed,
    id: 'responses.stream.content-type',
    title: 'A streamed responses turn answers 200 text/event-stream',
    level: 'MUST',
    async run(ctx) {
      const stream = await plainResponseStream(ctx);
      const type = stream.headers.get('content-type') ?? '';
      ensure(type.includes('text/event-stream'), 'wrong content-type', 'text/event-stream', type);
    },
  },
  {
    ...streamed,
    after: [RESPONSES_GROUND.streamOpens],
    id: 'responses.stream.event-schema',
    title: 'Every event of a streamed responses turn is schema-valid and named by its type',
    level: 'MUST',
    async run(ctx) {
      const stream = await plainResponseStream(ctx);
      for (const frame of stream.frames) {
        let value: unknown;
        try {
          value = JSON.parse(frame.data);
        } catch {
          ensure(false, 'an event is not JSON', 'every event JSON', frame.data);
        }
        ensureSchema(responsesStreamEventSchema, value, 'stream event');
        const type = (value as { type: string }).type;
        ensure(
          frame.event === undefined || frame.event === type,
          'the SSE event name is not the type',
          type,
          frame.event,
        );
      }
    },
  },
  {
    ...streamed,
    after: [RESPONSES_GROUND.streamOpens, RESPONSES_GROUND.eventSchema],
    id: 'responses.stream.completes',
    title: 'The plain streamed turn runs to its end: response.completed last, no error event',
    level: 'MUST',
    async run(ctx) {
      const stream = await plainResponseStream(ctx);
      const broken = stream.frames.find((frame) => {
        try {
          return !isObj(JSON.parse(frame.data));
        } catch {
          return true;
        }
      });
      ensureGround(
        !broken,
        RESPONSES_GROUND.eventSchema,
        'an event is not JSON',
        'JSON events',
        broken?.data,
      );
      ensure(
        !stream.bodyError,
        `the stream broke off (${stream.bodyError})`,
        'a complete stream',
        stream.bodyError,
      );
      const events = eventsOf(stream);
      const failure = events.find((e) => e.type === 'error' || e.type === 'response.failed');
      ensure(!failure, 'the plain turn failed', 'no error event', failure);
      const last = events.at(-1);
      ensure(
        last?.type === 'response.completed',
        'the stream does not end with response.completed',
        'response.completed last',
        last ?? 'no events',
      );
    },
  },
  {
    ...streamed,
    after: [RESPONSES_GROUND.streamOpens, RESPONSES_GROUND.eventSchema],
    id: 'responses.stream.sequence',
    title: 'sequence_number starts at 0 and grows by one per event',
    level: 'MUST',
    async run(ctx) {
      const stream = await plainResponseStream(ctx);
      const events = eventsOf(stream);
      // A frame that is not JSON hides its number: the event-schema check judges that frame.
      ensureGround(
        events.length === stream.frames.length,
        RESPONSES_GROUND.eventSchema,
        'an event is not JSON, so its sequence_number cannot be read',
        'every event JSON',
        stream.frames.map((f) => f.data.slice(0, 80)),
      );
      ensure(events.length > 0, 'the stream has no events', 'events', 'none');
      const numbers = events.map((e) => e.sequence_number);
      ensure(
        numbers.every((n, i) => n === i),
        'the sequence numbers are not 0, 1, 2, …',
        '0, 1, 2, …',
        numbers,
      );
    },
  },
  {
    ...streamed,
    after: [RESPONSES_GROUND.streamOpens, RESPONSES_GROUND.streamCompletes],
    id: 'responses.stream.one-terminal',
    title: 'Exactly one terminal event (completed, incomplete or failed) ends the stream, last',
    level: 'MUST',
    async run(ctx) {
      const stream = await plainResponseStream(ctx);
      const events = eventsOf(stream);
      const terminals = events.filter(isTerminal).map((e) => e.type);
      ensureGround(
        terminals.length > 0,
        RESPONSES_GROUND.streamCompletes,
        'the stream has no terminal event',
        'one terminal event',
        events.map((e) => e.type),
      );
      ensure(terminals.length === 1, 'more than one terminal event', 'one terminal event', terminals);
      ensure(
        isTerminal(events.at(-1)!),
        'events follow the terminal event',
        'the terminal event last',
        events.map((e) => e.type),
      );
    },
  },
  {
    ...streamed,
    ...afterPlainStream,
    id: 'responses.stream.item-order',
    title: 'Each output item is announced by output_item.added before anything about it, and closed by done',
    level: 'MUST',
    async run(ctx) {
      const events = await plainEvents(ctx);
      const added = new Set<unknown>();
      const done = new Set<unknown>();
      for (const event of events) {
        const item = isObj(event.item) ? event.item : {};
        if (event.type === 'response.output_item.added') added.add(item.id);
        else if (event.type === 'response.output_item.done') {
          ensure(added.has(item.id), 'an item is done before it was added', 'output_item.added first', event);
          done.add(item.id);
        } else if (event.item_id !== undefined) {
          ensure(
            added.has(event.item_id) && !done.has(event.item_id),
            'an event about an item outside added … done',
            'added, its events, done',
            event,
          );
        }
      }
      const open = [...added].filter((id) => !done.has(id));
      ensure(open.length === 0, 'an added item is never done', 'output_item.done for every item', open);
      ensure(
        added.size > 0,
        'the stream announces no output item',
        'an output item',
        events.map((e) => e.type),
      );
    },
  },
  {
    ...streamed,
    ...afterPlainStream,
    id: 'responses.stream.text-assembles',
    title: 'The text deltas of an item concatenate to its output_text.done text and the final text',
    level: 'MUST',
    async run(ctx) {
      const events = await plainEvents(ctx);
      const deltas = deltasByItem(events, 'response.output_text.delta');
      const done = events.filter((e) => e.type === 'response.output_text.done');
      ensure(
        done.length > 0,
        'no output_text.done event',
        'an output_text.done',
        events.map((e) => e.type),
      );
      for (const event of done) {
        const streamedText = deltas.get(String(event.item_id)) ?? '';
        ensure(
          streamedText === event.text,
          'the deltas do not add up to the done text',
          show(event.text),
          streamedText,
        );
      }
      const final = terminalResponse(events);
      const all = [...deltas.values()].join('');
      ensure(
        final && outputText(final) === all,
        "the deltas do not add up to the final response's text",
        all,
        final?.output,
      );
    },
  },
  {
    ...streamed,
    after: [RESPONSES_GROUND.jsonTurn, ...afterPlainStream.after],
    id: 'responses.output-ids-unique',
    title: 'Output item ids are unique: within a response, and across two responses',
    level: 'MUST',
    async run(ctx) {
      const { response } = await plainResponse(ctx);
      const final = terminalResponse(await plainEvents(ctx));
      const ids = [...response.output, ...(final?.output ?? [])].map((item) => item.id);
      ensure(new Set(ids).size === ids.length, 'an output item id repeats', 'distinct ids', ids);
    },
  },
  {
    ...streamed,
    after: [RESPONSES_GROUND.streamOpens],
    id: 'responses.stream.response-id-stable',
    title: 'Every event that carries the response carries the same response id',
    level: 'MUST',
    async run(ctx) {
      const events = eventsOf(await plainResponseStream(ctx));
      const ids = events.filter((e) => isObj(e.response)).map((e) => (e.response as { id?: unknown }).id);
      ensure(
        ids.length > 0,
        'no event carries the response',
        'response.created with the response',
        events.slice(0, 2),
      );
      ensure(
        typeof ids[0] === 'string' && ids.every((id) => id === ids[0]),
        'the response id changes',
        `${ids[0]} throughout`,
        ids,
      );
    },
  },
];

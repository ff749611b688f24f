import type { Reply } from '../engine/types';
import type { FaultSet } from '../faults/parse';
import { quotedPieces, quotedText } from '../model/tokens';
import type { OutputItem } from '../routes/responses/resource';
import { itemJson, partJson } from '../routes/responses/resource-json';
import { splitArguments } from './chunks';
import { pieceEndings } from './piece-ends';
import type { Frame } from './pump';

/**
 * Hands out `sequence_number`s: 0 first, one more per event. A frame the pump pulled but never sent
 * (a stream fault fired in its place) gives its number back, so what the client sees has no gap.
 */
export class EventSequence {
  #next = 0;
  /** The sequence-gap fault: this number is never handed out. */
  readonly #skip: number | undefined;

  constructor(faults: FaultSet = {}) {
    this.#skip = faults.sequenceGap ? 2 : undefined;
  }

  take(): number {
    if (this.#next === this.#skip) this.#next++;
    return this.#next++;
  }

  /** The last frame taken was not sent: the next event reuses its number. */
  giveBack(): void {
    if (this.#next > 0) this.#next--;
  }
}

/**
 * One named event (`event: <type>` and its `data:` line): the bytes of
 * `encodeSSE({ type, sequence_number, ...fields }, { event: type })`, with the fields serialised on
 * their own instead of copied into a new object first (JSON.stringify never writes a raw line break).
 */
export function eventText(sequence: EventSequence, type: string, fields: Record<string, unknown>): string {
  const head = `event: ${type}\ndata: {"type":${JSON.stringify(type)},"sequence_number":${sequence.take()}`;
  const rest = JSON.stringify(fields);
  return rest === '{}' ? `${head}}\n\n` : `${head},${rest.slice(1)}\n\n`;
}

/**
 * The bytes `eventText(sequence, type, fields)` gives, from the fields already serialised: `fieldsJson`
 * is their JSON object text without its braces.
 */
function fieldsEventText(sequence: EventSequence, type: string, fieldsJson: string): string {
  return `event: ${type}\ndata: {"type":${JSON.stringify(type)},"sequence_number":${sequence.take()},${fieldsJson}}\n\n`;
}

/** The text part a message opens with, as JSON: `partJson` of an empty text. */
const EMPTY_PART_JSON = '{"type":"output_text","text":"","annotations":[],"logprobs":[]}';

/**
 * The bytes `eventText(sequence, type, { response })` gives, around a resource already serialised
 * (JSON.stringify never writes a raw line break, so the data stays one line).
 */
function resourceEventText(sequence: EventSequence, type: string, resourceJson: string): string {
  return fieldsEventText(sequence, type, `"response":${resourceJson}`);
}

export interface ResponseStreamParts {
  sequence: EventSequence;
  /** The resource's JSON text in progress, with no output yet. */
  openingJson(): string;
  /**
   * The terminal event's type and its resource's JSON text, once every item is done (with the
   * changing-response-id fault, under another id).
   */
  terminal(): { type: string; json: string };
  /** A scripted mid-stream failure: the `error` event's fields, and the failed resource. */
  scriptedFailure(): { error: Record<string, unknown>; response: unknown };
  /**
   * The stream's protocol-violation faults (item-done-without-added, lost-text-delta,
   * changing-response-id, frames-after-done).
   */
  faults?: FaultSet;
  /**
   * Whether to send an item's deltas as one frame (asked once they are due): yes when nothing sees them
   * one by one (FramePump.framesJoinable, and no progress). The bytes are the same; the pump and sink
   * handle one frame instead of one per piece.
   */
  joinDeltas?: () => boolean;
}

/**
 * The two fixed parts of a delta event around its sequence number: the bytes `eventText` gives for
 * `{ type, sequence_number, item_id, output_index, [content_index,] delta }`, with the envelope written
 * once per item instead of serialised again for every delta (they are most of a stream).
 */
function deltaTemplate(type: string, itemId: string, index: number, extra: string) {
  return {
    head: `event: ${type}\ndata: {"type":${JSON.stringify(type)},"sequence_number":`,
    at: `,"item_id":${JSON.stringify(itemId)},"output_index":${index}${extra},"delta":`,
  };
}

/** A text delta event's end after its sequence number and item: the piece, no logprobs, the frame's end. */
const deltaEnds = pieceEndings((quoted) => `${quoted},"logprobs":[]}\n\n`);

/** An item as announced by `response.output_item.added`: in progress, nothing of it yet. */
function opened(item: OutputItem): OutputItem {
  switch (item.type) {
    case 'message':
      return { ...item, status: 'in_progress' as 'completed', content: [] };
    case 'function_call':
      return { ...item, status: 'in_progress' as 'completed', arguments: '' };
    case 'mcp_call':
      return { ...item, status: 'in_progress' as 'completed', output: null, error: null };
    case 'mcp_approval_request':
      return item;
  }
}

/**
 * The events of one Responses turn, produced lazily (docs/protocol.md, Event sequence): created and
 * in_progress, then each item added → its content → done, then exactly one terminal event. Text and
 * argument deltas are the `chunk` frames the `*-after=<n>` faults count.
 */
export function* responseEvents(
  reply: Reply,
  items: OutputItem[],
  parts: ResponseStreamParts,
): Generator<Frame, void, undefined> {
  const { sequence } = parts;
  const faults = parts.faults ?? {};
  const event = (type: string, fields: Record<string, unknown>, kind: Frame['kind'] = 'event'): Frame => ({
    kind,
    data: eventText(sequence, type, fields),
  });
  // The two opening events carry the same resource: it is serialised once for both.
  const opening = parts.openingJson();
  yield { kind: 'event', data: resourceEventText(sequence, 'response.created', opening) };
  yield { kind: 'event', data: resourceEventText(sequence, 'response.in_progress', opening) };
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    const position = { item_id: item.id, output_index: index };
    if (!(faults.itemDoneWithoutAdded && item.type === 'message')) {
      const added = `"output_index":${index},"item":${itemJson(opened(item))}`;
      yield { kind: 'event', data: fieldsEventText(sequence, 'response.output_item.added', added) };
    }
    if (item.type === 'message') {
      const text = item.content[0]!.text;
      const at = `"item_id":${JSON.stringify(item.id)},"output_index":${index},"content_index":0`;
      yield {
        kind: 'event',
        data: fieldsEventText(sequence, 'response.content_part.added', `${at},"part":${EMPTY_PART_JSON}`),
      };
      const limit = reply.error?.afterChunks ?? reply.pieces.length;
      // With log probabilities asked for, each delta carries the entry of its one token.
      const tokens = reply.logprobs?.content ?? [];
      const delta = deltaTemplate('response.output_text.delta', item.id, index, ',"content_index":0');
      let joined = '';
      const join = parts.joinDeltas?.() === true;
      const quoted = quotedPieces(reply.pieces);
      const ends = deltaEnds(reply.pieces);
      for (let i = 0; i < reply.pieces.length && i < limit; i++) {
        if (i === 0 && faults.lostTextDelta) continue;
        const end = tokens[i] ? `${quoted[i]},"logprobs":${JSON.stringify([tokens[i]])}}\n\n` : ends[i];
        const data = `${delta.head}${sequence.take()}${delta.at}${end}`;
        if (join) joined += data;
        else yield { kind: 'chunk', data };
      }
      if (joined !== '') yield { kind: 'chunk', data: joined };
      if (reply.error) {
        // A scripted failure after some text: the error event, then the failed response ends the stream.
        const failure = parts.scriptedFailure();
        yield event('error', failure.error, 'error');
        yield event('response.failed', { response: failure.response }, 'done');
        return;
      }
      const logprobs = item.content[0]!.logprobs;
      const textDone = `${at},"text":${quotedText(text)},"logprobs":${logprobs.length === 0 ? '[]' : JSON.stringify(logprobs)}`;
      yield { kind: 'event', data: fieldsEventText(sequence, 'response.output_text.done', textDone) };
      const part = `${at},"part":${partJson(item.content[0]!)}`;
      yield { kind: 'event', data: fieldsEventText(sequence, 'response.content_part.done', part) };
    } else if (item.type === 'function_call') {
      const delta = deltaTemplate('response.function_call_arguments.delta', item.id, index, '');
      for (const piece of splitArguments(item.arguments)) {
        yield {
          kind: 'chunk',
          data: `${delta.head}${sequence.take()}${delta.at}${JSON.stringify(piece)}}\n\n`,
        };
      }
      yield event('response.function_call_arguments.done', {
        ...position,
        name: item.name,
        arguments: item.arguments,
      });
    } else if (item.type === 'mcp_call') {
      yield event('response.mcp_call.in_progress', position);
      yield event(
        item.status === 'failed' ? 'response.mcp_call.failed' : 'response.mcp_call.completed',
        position,
      );
    }
    const done = `"output_index":${index},"item":${itemJson(item)}`;
    yield { kind: 'event', data: fieldsEventText(sequence, 'response.output_item.done', done) };
  }
  const end = parts.terminal();
  yield { kind: 'done', data: resourceEventText(sequence, end.type, end.json) };
  // The frames-after-done fault on this door: the terminal event is sent a second time.
  if (faults.framesAfterDone) yield { kind: 'event', data: resourceEventText(sequence, end.type, end.json) };
}

/** An event whose data is cut-off JSON: what the malformed-chunk-after fault sends on this door. */
export function malformedEventText(sequence: EventSequence): string {
  return `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":${sequence.take()},"delta":\n\n`;
}

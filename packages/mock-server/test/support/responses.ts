import { decodeSSE } from '@threadline/protocol';
import { expect } from 'vitest';
import { assertSpecValid, assertStreamEventValid } from '../../../protocol/test/support/openapi';
import { postJson, type Target } from './target';

/** What JSON.parse gives: tests read nested fields of bodies the specs already checked. */
type ParsedJson = ReturnType<typeof JSON.parse>;

/** One Responses stream event, as parsed from its `data:` line. */
export interface StreamEvent {
  type: string;
  sequence_number: number;
  [key: string]: unknown;
}

export const respond = (
  target: Target,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) => postJson(target, '/v1/responses', { model: '', ...body }, headers);

/** A JSON response body, checked against the specs (Open Responses, with OpenAI's `mcp_*` items). */
export async function responseBody(response: Response): Promise<ParsedJson> {
  expect(response.headers.get('content-type')).toContain('application/json');
  const text = await response.text();
  const body = JSON.parse(text);
  // Hand-written where it is hot, the JSON must be as JSON.stringify writes it (escapes, numbers, no spaces).
  expect(text).toBe(JSON.stringify(body));
  if (response.status === 200) assertSpecValid('responses', 'ResponseResource', body);
  else assertSpecValid('openai', 'ErrorResponse', body);
  return body;
}

/**
 * Every event of a stream, each checked against the specs, and the stream's own rules: the SSE event
 * name is the data's `type`, sequence numbers run from 0 by one, exactly one terminal event ends it.
 */
export async function streamEvents(response: Response): Promise<StreamEvent[]> {
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: StreamEvent[] = [];
  for await (const frame of decodeSSE(response.body!)) {
    const event = JSON.parse(frame.data) as StreamEvent;
    // Hand-written where it is hot, each event must be JSON as JSON.stringify writes it.
    expect(frame.data).toBe(JSON.stringify(event));
    expect(frame.event).toBe(event.type);
    assertStreamEventValid(event);
    events.push(event);
  }
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  const terminal = events.filter((e) =>
    ['response.completed', 'response.incomplete', 'response.failed'].includes(e.type),
  );
  expect(terminal).toHaveLength(1);
  expect(events[events.length - 1]).toBe(terminal[0]);
  return events;
}

/** The text the `response.output_text.delta` events add up to. */
export const deltaText = (events: StreamEvent[]) =>
  events
    .filter((e) => e.type === 'response.output_text.delta')
    .map((e) => e.delta)
    .join('');

/** Every item is added before anything else about it, and done after. */
export function expectItemsInOrder(events: StreamEvent[]): void {
  const added = new Map<number, number>();
  const done = new Map<number, number>();
  events.forEach((event, at) => {
    if (event.type === 'response.output_item.added') added.set(event.output_index as number, at);
    if (event.type === 'response.output_item.done') done.set(event.output_index as number, at);
  });
  expect([...done.keys()].sort()).toEqual([...added.keys()].sort());
  events.forEach((event, at) => {
    if (typeof event.output_index !== 'number') return;
    expect(added.get(event.output_index)).toBeLessThanOrEqual(at);
    expect(done.get(event.output_index)).toBeGreaterThanOrEqual(at);
  });
}

export const terminalOf = (events: StreamEvent[]) => events[events.length - 1]!.response as ParsedJson;

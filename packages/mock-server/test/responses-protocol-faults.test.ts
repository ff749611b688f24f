import { decodeSSE } from '@threadline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { respond, responseBody, type StreamEvent, streamEvents } from './support/responses';
import { TARGETS, type Target } from './support/target';

/*
 * The fault modes that make the Responses door break one protocol rule each (the conformance suite's
 * proof that its responses checks can fail): what the client sees under each, next to the clean answer.
 */

const LONG = 'alpha beta gamma delta epsilon zeta eta theta';
const DELETE = 'Please delete the draft Q3-plan.';
const fault = (spec: string) => ({ 'x-threadline-fault': spec });

/** Every event of a stream, parsed but not held to the rules the faults break. */
async function rawEvents(response: Response): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const frame of decodeSSE(response.body!)) events.push(JSON.parse(frame.data) as StreamEvent);
  return events;
}

const streamed = async (target: Target, spec: string) =>
  rawEvents(await respond(target, { stream: true, input: 'long' }, fault(spec)));

describe.each(TARGETS)('protocol-violation faults of /v1/responses (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({ fixtures: [{ match: { userText: 'long' }, reply: { text: LONG } }] });
  });
  afterAll(() => target.close());

  it('without a fault the stream keeps every rule (the baseline the faults break)', async () => {
    const events = await streamEvents(await respond(target, { stream: true, input: 'long' }));
    expect(events.at(-1)!.type).toBe('response.completed');
  });

  it('sequence-gap: one sequence_number is skipped', async () => {
    const numbers = (await streamed(target, 'sequence-gap')).map((e) => e.sequence_number);
    expect(numbers.slice(0, 3)).toEqual([0, 1, 3]);
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true);
  });

  it('item-done-without-added: the message item is done but never added', async () => {
    const types = (await streamed(target, 'item-done-without-added')).map((e) => e.type);
    expect(types).not.toContain('response.output_item.added');
    expect(types).toContain('response.output_item.done');
  });

  it('lost-text-delta: the deltas lack the first piece of the done text; numbers stay consecutive', async () => {
    const events = await streamed(target, 'lost-text-delta');
    const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta);
    const done = events.find((e) => e.type === 'response.output_text.done')!;
    expect(done.text).toBe(LONG);
    expect(deltas.join('')).not.toBe(LONG);
    expect(LONG.endsWith(deltas.join(''))).toBe(true);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  });

  it('changing-response-id: the terminal event carries another response id', async () => {
    const events = await streamed(target, 'changing-response-id');
    const ids = events.filter((e) => e.response).map((e) => (e.response as { id: string }).id);
    expect(ids[0]).toMatch(/^run_/);
    expect(ids.at(-1)).toBe(`${ids[0]}_changed`);
  });

  it('frames-after-done: the terminal event comes twice', async () => {
    const types = (await streamed(target, 'frames-after-done')).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['response.completed', 'response.completed']);
  });

  it('duplicate-output-id: every message item is msg_0, in JSON and streamed', async () => {
    const one = await responseBody(await respond(target, { input: 'long' }, fault('duplicate-output-id')));
    const two = await responseBody(await respond(target, { input: 'long' }, fault('duplicate-output-id')));
    expect(one.output[0].id).toBe('msg_0');
    expect(two.output[0].id).toBe('msg_0');
    const clean = await responseBody(await respond(target, { input: 'long' }));
    expect(clean.output[0].id).not.toBe('msg_0');
  });

  it('bad-response-object: the JSON answer names another object and has no created_at', async () => {
    const response = await respond(target, { input: 'long' }, fault('bad-response-object'));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.object).toBe('responses');
    expect(body).not.toHaveProperty('created_at');
  });

  it('ignore-unknown-previous: an unknown previous_response_id is passed over', async () => {
    const body = { input: 'long', previous_response_id: 'resp_never_issued' };
    expect((await respond(target, body)).status).toBe(404);
    const passed = await respond(target, body, fault('ignore-unknown-previous'));
    expect(passed.status).toBe(200);
  });

  it('lenient-sampling: an out-of-range temperature is dropped instead of a 400', async () => {
    expect((await respond(target, { input: 'long', temperature: 5 })).status).toBe(400);
    const answer = await respond(target, { input: 'long', temperature: 5 }, fault('lenient-sampling'));
    expect(answer.status).toBe(200);
  });

  it('hide-mcp-calls: an approved server tool runs but is not listed as an mcp_call item', async () => {
    const pause = await responseBody(await respond(target, { input: DELETE }));
    const request = pause.output.at(-1);
    expect(request.type).toBe('mcp_approval_request');
    const before = target.server.tools.executions.length;
    const approved = await responseBody(
      await respond(
        target,
        { input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }] },
        fault('hide-mcp-calls'),
      ),
    );
    expect(target.server.tools.executions.length).toBe(before + 1);
    expect(approved.output.map((item: { type: string }) => item.type)).toEqual(['message']);
  });
});

import { decodeSSE, type SSEFrame } from '@threadline/protocol';
import { responseProgressEventSchema } from '@threadline/protocol/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertStreamEventValid } from '../../protocol/test/support/openapi';
import { deltaText, expectItemsInOrder, respond, type StreamEvent, streamEvents } from './support/responses';
import { TARGETS, type Target } from './support/target';

const TEXT = 'one two three four five six seven eight';
const ASK = { 'x-spiceai-completion-progress': 'enabled' };

async function allFrames(response: Response): Promise<SSEFrame[]> {
  const out: SSEFrame[] = [];
  for await (const frame of decodeSSE(response.body!)) out.push(frame);
  return out;
}

describe.each(TARGETS)('progress events on /v1/responses (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({ fixtures: [{ match: { userText: 'go' }, reply: { text: TEXT } }] });
  });
  afterAll(() => target.close());

  it('asked for: named progress events, monotonic from queued 0 to done 1; the other events unchanged', async () => {
    const response = await respond(target, { input: 'go', stream: true }, ASK);
    const all = await allFrames(response);
    const progress = all
      .filter((f) => f.event === 'progress')
      .map((f) => responseProgressEventSchema.parse(JSON.parse(f.data)));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[0]).toMatchObject({ stage: 'queued', fraction: 0 });
    expect(progress.at(-1)).toMatchObject({ stage: 'done', fraction: 1 });
    expect(progress.some((p) => p.stage === 'generating')).toBe(true);
    const fractions = progress.map((p) => p.fraction);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    // Every other event is a spec-valid Responses event, numbered 0, 1, 2… without the progress events.
    const events = all
      .filter((f) => f.event !== 'progress')
      .map((f) => {
        const event = JSON.parse(f.data) as StreamEvent;
        expect(f.event).toBe(event.type);
        assertStreamEventValid(event);
        return event;
      });
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)!.type).toBe('response.completed');
    expectItemsInOrder(events);
    expect(deltaText(events)).toBe(TEXT);
    const id = (events[0]!.response as { id: string }).id;
    expect(progress.every((p) => p.id === id)).toBe(true);
    // The terminal event still ends the stream: progress `done` comes right before it.
    expect(all.at(-1)!.event).toBe('response.completed');
    expect(all.at(-2)!.event).toBe('progress');
  });

  it('never unasked (or with another value): the stream is the plain event set', async () => {
    for (const headers of [{}, { 'x-spiceai-completion-progress': 'disabled' }] as Record<string, string>[]) {
      const events = await streamEvents(await respond(target, { input: 'go', stream: true }, headers));
      expect(events.some((e) => e.type === undefined)).toBe(false);
      expect(deltaText(events)).toBe(TEXT);
    }
  });

  it('a JSON answer carries no progress, header or not', async () => {
    const response = await respond(target, { input: 'go' }, ASK);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect((await response.json()).output.at(-1).content[0].text).toBe(TEXT);
  });

  it('the no-progress fault ignores the header', async () => {
    const response = await respond(
      target,
      { input: 'go', stream: true },
      { ...ASK, 'x-threadline-fault': 'no-progress' },
    );
    expect((await allFrames(response)).some((f) => f.event === 'progress')).toBe(false);
  });

  it('the progress-backwards fault makes the fractions decrease, for a client to catch', async () => {
    const response = await respond(
      target,
      { input: 'go', stream: true },
      { ...ASK, 'x-threadline-fault': 'progress-backwards' },
    );
    const fractions = (await allFrames(response))
      .filter((f) => f.event === 'progress')
      .map((f) => responseProgressEventSchema.parse(JSON.parse(f.data)).fraction);
    expect(fractions[0]).toBe(1);
    expect(fractions.at(-1)).toBe(0);
  });
});

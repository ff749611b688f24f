import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertStreamEventValid } from '../../protocol/test/support/openapi';
import { respond, responseBody, type StreamEvent, streamEvents } from './support/responses';
import { TARGETS, type Target } from './support/target';

const LONG = 'alpha beta gamma delta epsilon zeta eta theta';
const fault = (spec: string) => ({ 'x-threadline-fault': spec });
const stream = (target: Target, spec: string) =>
  respond(target, { stream: true, input: 'long' }, fault(spec));

/** Reads a stream to its end (or its error): the events that parsed (each spec-checked) and the rest. */
async function readEvents(response: Response, stopAfterMs?: number) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let error: unknown = null;
  const timer = stopAfterMs === undefined ? undefined : setTimeout(() => reader.cancel(), stopAfterMs);
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch (caught) {
    error = caught;
  } finally {
    clearTimeout(timer);
  }
  const events: StreamEvent[] = [];
  const unparsed: string[] = [];
  for (const frame of text.split('\n\n').filter(Boolean)) {
    const data = frame
      .split('\n')
      .find((line) => line.startsWith('data: '))!
      .slice(6);
    try {
      const event = JSON.parse(data) as StreamEvent;
      assertStreamEventValid(event);
      events.push(event);
    } catch (caught) {
      if (!(caught instanceof SyntaxError)) throw caught;
      unparsed.push(data);
    }
  }
  return { events, unparsed, error };
}

const types = (events: StreamEvent[]) => events.map((e) => e.type);
const runOf = async (target: Target, events: StreamEvent[]) =>
  (await target.fetch(`/v1/runs/${(events[0]!.response as { id: string }).id}`)).json();

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return read();
}

describe.each(TARGETS)('fault injection on /v1/responses (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({
      fixtures: [
        { match: { userText: 'long' }, reply: { text: LONG } },
        {
          match: { userText: 'break mid-stream' },
          reply: { text: LONG, error: { status: 500, afterChunks: 2 } },
        },
      ],
    });
  });
  afterEach(() => target.server.faults.clear());
  afterAll(() => target.close());

  it('error-frame-after: an error event then response.failed, with no gap in the sequence', async () => {
    const { events, unparsed } = await readEvents(await stream(target, 'error-frame-after=2'));
    expect(unparsed).toEqual([]);
    expect(types(events).filter((t) => t === 'response.output_text.delta')).toHaveLength(2);
    expect(types(events).slice(-2)).toEqual(['error', 'response.failed']);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const error = events.at(-2)!;
    expect(error).toMatchObject({ code: 'server_error', error: { code: 'server_error' } });
    expect(events.at(-1)!.response).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(await runOf(target, events)).toMatchObject({ status: 'failed' });
  });

  it('a scripted mid-stream error: some text, the error event, response.failed', async () => {
    const events = await streamEvents(await respond(target, { stream: true, input: 'break mid-stream' }));
    expect(types(events).filter((t) => t === 'response.output_text.delta')).toHaveLength(2);
    expect(types(events).slice(-2)).toEqual(['error', 'response.failed']);
    expect(await runOf(target, events)).toMatchObject({ status: 'failed' });
  });

  it('malformed-chunk-after: a frame that is not JSON, then response.failed', async () => {
    const { events, unparsed } = await readEvents(await stream(target, 'malformed-chunk-after=1'));
    expect(unparsed).toHaveLength(1);
    expect(events.at(-1)!.type).toBe('response.failed');
    expect((events.at(-1)!.response as { error: { message: string } }).error.message).toContain('malformed');
    expect(types(events).filter((t) => t === 'response.output_text.delta')).toHaveLength(1);
  });

  it('no-done: every event but the terminal one', async () => {
    const { events } = await readEvents(await stream(target, 'no-done'));
    expect(events.at(-1)!.type).toBe('response.output_item.done');
    expect(types(events).some((t) => t.startsWith('response.completed'))).toBe(false);
  });

  it('drop-after: the connection ends after n deltas without a terminal event; the run is cancelled', async () => {
    const { events } = await readEvents(await stream(target, 'drop-after=2'));
    expect(types(events).filter((t) => t === 'response.output_text.delta')).toHaveLength(2);
    expect(types(events).includes('response.completed')).toBe(false);
    const run = await eventually(
      () => runOf(target, events),
      (r) => r.status !== 'in_progress',
    );
    expect(run.status).toBe('cancelled');
  });

  it('stall-after: nothing more is sent; the client leaving cancels the run', async () => {
    const { events } = await readEvents(await stream(target, 'stall-after=1'), 300);
    expect(types(events).filter((t) => t === 'response.output_text.delta')).toHaveLength(1);
    const run = await eventually(
      () => runOf(target, events),
      (r) => r.status !== 'in_progress',
    );
    expect(run.status).toBe('cancelled');
  });

  it('wrong-content-type: the stream is labelled application/json', async () => {
    const response = await stream(target, 'wrong-content-type');
    expect(response.headers.get('content-type')).toContain('application/json');
    const { events } = await readEvents(response);
    expect(events.at(-1)!.type).toBe('response.completed');
  });

  it('status=<code> answers that status with a typed error body', async () => {
    const response = await respond(target, { input: 'hi' }, fault('status=429'));
    expect(response.status).toBe(429);
    expect((await responseBody(response)).error.type).toBeTruthy();
  });
});

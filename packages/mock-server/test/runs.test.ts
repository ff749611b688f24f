import { runRecordSchema } from '@threadline/protocol/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, errorOf, frames, TARGETS, type Target, userSays } from './support/target';

describe.each(TARGETS)('run records (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({
      fixtures: [{ match: { userText: 'long' }, reply: { text: 'a b c d e f g h i j' } }],
    });
  });
  afterAll(() => target.close());

  const runOf = async (id: string) => {
    const response = await target.fetch(`/v1/runs/${id}`);
    expect(response.status).toBe(200);
    return runRecordSchema.parse(await response.json());
  };

  it('records a completed JSON turn: status, usage, model, timestamps', async () => {
    const response = await chat(target, { messages: userSays('hello') });
    const body = await response.json();
    const run = await runOf(body.id);
    expect(run).toMatchObject({
      id: body.id,
      object: 'run',
      status: 'completed',
      stop_reason: 'end_turn',
      model: 'threadline-mini',
      usage: body.usage,
      tool_calls: [],
      file_ids: [],
    });
    expect(run.created_at).toBe(body.created);
    expect(run.completed_at).toBeGreaterThanOrEqual(run.created_at);
  });

  it('records a streamed turn under the chunk id', async () => {
    const response = await chat(target, { messages: userSays('hello'), stream: true });
    const first = JSON.parse((await frames(response))[0]!.data);
    const run = await runOf(first.id);
    expect(run).toMatchObject({ status: 'completed', stop_reason: 'end_turn' });
    expect(run.usage?.completion_tokens).toBe(4); // You · said · : · hello
  });

  it('records the tool calls the model made', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    const body = await (await chat(target, { messages: userSays('weather?'), tools })).json();
    const call = body.choices[0].message.tool_calls[0];
    const run = await runOf(body.id);
    expect(run).toMatchObject({ status: 'completed', stop_reason: 'tool_calls' });
    expect(run.tool_calls).toEqual([
      {
        id: call.id,
        name: 'get_weather',
        arguments: call.function.arguments,
        status: 'client',
        result: null,
      },
    ]);
  });

  it('records a failed turn', async () => {
    const response = await chat(target, { model: 'nope', messages: userSays('x') });
    expect(response.status).toBe(404);
    const run = await runOf(response.headers.get('x-threadline-run-id')!);
    expect(run).toMatchObject({ status: 'failed', stop_reason: 'error', usage: null });
    expect(run.completed_at).not.toBeNull();
  });

  it('records a stream the client left as cancelled', async () => {
    const controller = new AbortController();
    const response = await target.fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-threadline-chunk-delay': '50' },
      body: JSON.stringify({ model: '', stream: true, messages: userSays('long') }),
      signal: controller.signal,
    });
    const runId = response.headers.get('x-threadline-run-id')!;
    const reader = response.body!.getReader();
    await reader.read();
    expect((await runOf(runId)).status).toBe('in_progress');
    controller.abort();
    await reader.cancel().catch(() => {});
    await expect.poll(async () => (await runOf(runId)).status).toBe('cancelled');
    expect((await runOf(runId)).stop_reason).toBe('cancelled');
  });

  it('records a dropped connection as cancelled', async () => {
    const response = await chat(
      target,
      { messages: userSays('long'), stream: true },
      { 'x-threadline-fault': 'drop-after=2' },
    );
    await response.text().catch(() => '');
    const run = await runOf(response.headers.get('x-threadline-run-id')!);
    expect(run.status).toBe('cancelled');
  });

  it('answers 404 for an unknown run', async () => {
    expect(await errorOf(await target.fetch('/v1/runs/run_doesnotexist'))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });
});

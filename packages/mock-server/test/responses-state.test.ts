import { ERROR_CODES } from '@threadline/protocol';
import { describe, expect, it } from 'vitest';
import { expectItemsInOrder, respond, responseBody, streamEvents, terminalOf } from './support/responses';
import { TARGETS } from './support/target';

const weather = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

const notFound = async (response: Response) => {
  expect(response.status).toBe(404);
  const body = await responseBody(response);
  expect(body.error).toMatchObject({
    code: ERROR_CODES.previousResponseNotFound,
    param: 'previous_response_id',
  });
};

describe.each(TARGETS)('client tools and previous_response_id (%s)', (_name, make) => {
  it('a function_call item, answered by function_call_output with the whole input, continues in text', async () => {
    const target = await make();
    try {
      const first = await responseBody(
        await respond(target, { input: 'What is the weather in Paris?', tools: [weather] }),
      );
      expect(first.output).toHaveLength(1);
      const call = first.output[0];
      expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
      expect(call.call_id).toMatch(/^call_/);
      expect(JSON.parse(call.arguments)).toHaveProperty('city');
      const run = await (await target.fetch(`/v1/runs/${first.id}`)).json();
      expect(run.stop_reason).toBe('tool_calls');
      const second = await responseBody(
        await respond(target, {
          tools: [weather],
          input: [
            { role: 'user', content: 'What is the weather in Paris?' },
            { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
            { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":21}' },
          ],
        }),
      );
      expect(second.output).toEqual([expect.objectContaining({ type: 'message' })]);
      expect(second.output[0].content[0].text).toContain('{"temp_c":21}');
    } finally {
      await target.close();
    }
  });

  it('streams a function call as argument deltas that concatenate to the arguments', async () => {
    const target = await make();
    try {
      const events = await streamEvents(
        await respond(target, { input: 'What is the weather in Paris?', tools: [weather], stream: true }),
      );
      expectItemsInOrder(events);
      const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta');
      const done = events.find((e) => e.type === 'response.function_call_arguments.done')!;
      expect(deltas.length).toBeGreaterThan(0);
      expect(deltas.map((e) => e.delta).join('')).toBe(done.arguments);
      expect(done.name).toBe('get_weather');
      const final = terminalOf(events);
      expect(final.output[0]).toMatchObject({ type: 'function_call', arguments: done.arguments });
      expect(events.find((e) => e.type === 'response.output_item.added')!.item).toMatchObject({
        status: 'in_progress',
        arguments: '',
      });
    } finally {
      await target.close();
    }
  });

  it('parallel calls are one function_call item each, answered together', async () => {
    const target = await make();
    const clock = { type: 'function', name: 'get_time', parameters: { type: 'object', properties: {} } };
    try {
      const events = await streamEvents(
        await respond(target, { input: 'weather and time please', tools: [weather, clock], stream: true }),
      );
      expectItemsInOrder(events);
      const first = terminalOf(events);
      expect(first.output.map((item: { name: string }) => item.name)).toEqual(['get_weather', 'get_time']);
      const doneArgs = events.filter((e) => e.type === 'response.function_call_arguments.done');
      expect(doneArgs.map((e) => e.output_index)).toEqual([0, 1]);
      const answered = await responseBody(
        await respond(target, {
          tools: [weather, clock],
          previous_response_id: first.id,
          input: first.output.map((call: { call_id: string }, i: number) => ({
            type: 'function_call_output',
            call_id: call.call_id,
            output: `result ${i}`,
          })),
        }),
      );
      const text = answered.output[0].content[0].text;
      expect(text).toContain('result 0');
      expect(text).toContain('result 1');
      const single = await responseBody(
        await respond(target, {
          input: 'weather and time please',
          tools: [weather, clock],
          parallel_tool_calls: false,
        }),
      );
      expect(single.output).toHaveLength(1);
      expect(single.parallel_tool_calls).toBe(false);
    } finally {
      await target.close();
    }
  });

  it('previous_response_id continues the conversation: the caller sends only the new input', async () => {
    const target = await make();
    try {
      const first = await responseBody(
        await respond(target, { input: 'What is the weather in Paris?', tools: [weather] }),
      );
      const call = first.output[0];
      const second = await responseBody(
        await respond(target, {
          tools: [weather],
          previous_response_id: first.id,
          input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
        }),
      );
      expect(second.previous_response_id).toBe(first.id);
      expect(second.output[0].content[0].text).toContain('sunny');
      const third = await responseBody(
        await respond(target, { previous_response_id: second.id, input: 'And tomorrow?' }),
      );
      expect(third.output[0].content[0].text).toBe('You said: And tomorrow?');
      // The history counts: the third turn's prompt holds the two before it.
      const alone = await responseBody(await respond(target, { input: 'And tomorrow?' }));
      expect(third.usage.input_tokens).toBeGreaterThan(alone.usage.input_tokens);
    } finally {
      await target.close();
    }
  });

  it('a function_call_output the previous response never asked for is a 400 that evicts nothing', async () => {
    const target = await make();
    try {
      const first = await responseBody(
        await respond(target, { input: 'What is the weather in Paris?', tools: [weather] }),
      );
      const wrong = await respond(target, {
        tools: [weather],
        previous_response_id: first.id,
        input: [{ type: 'function_call_output', call_id: 'call_never_issued', output: 'x' }],
      });
      expect(wrong.status).toBe(400);
      expect((await responseBody(wrong)).error.param).toBe('input[0].call_id');
      const right = await respond(target, {
        tools: [weather],
        previous_response_id: first.id,
        input: [{ type: 'function_call_output', call_id: first.output[0].call_id, output: 'rain' }],
      });
      expect(right.status).toBe(200);
      expect((await responseBody(right)).output[0].content[0].text).toContain('rain');
    } finally {
      await target.close();
    }
  });

  it('previous_response_id never issued, of another user, or of a store:false response is 404', async () => {
    const target = await make();
    try {
      await notFound(await respond(target, { previous_response_id: 'run_never', input: 'hi' }));
      const mine = await responseBody(await respond(target, { input: 'hi' }, { 'x-user-id': 'alice' }));
      await notFound(
        await respond(target, { previous_response_id: mine.id, input: 'hi' }, { 'x-user-id': 'bob' }),
      );
      const ok = await respond(
        target,
        { previous_response_id: mine.id, input: 'hi' },
        { 'x-user-id': 'alice' },
      );
      expect(ok.status).toBe(200);
      const unstored = await responseBody(await respond(target, { input: 'hi', store: false }));
      expect(unstored.store).toBe(false);
      await notFound(await respond(target, { previous_response_id: unstored.id, input: 'hi' }));
      // A stream's chain is kept once the stream is delivered.
      const streamed = terminalOf(await streamEvents(await respond(target, { input: 'hi', stream: true })));
      const next = await respond(target, { previous_response_id: streamed.id, input: 'again' });
      expect(next.status).toBe(200);
    } finally {
      await target.close();
    }
  });

  it('a turn that failed leaves no chain to continue', async () => {
    const target = await make({
      fixtures: [{ match: { userText: 'fail please' }, reply: { error: { status: 503 } } }],
    });
    try {
      const failed = await respond(target, { input: 'fail please' });
      expect(failed.status).toBe(503);
      const runId = target.server.journal.list().at(-1)?.runId;
      expect(runId).toMatch(/^run_/);
      await notFound(await respond(target, { previous_response_id: runId, input: 'hi' }));
    } finally {
      await target.close();
    }
  });
});

describe.each(TARGETS)('attachments in a previous_response_id chain (%s)', (_name, make) => {
  it('a continuation reads the files the first turn stored, by id', async () => {
    const target = await make();
    try {
      const first = await responseBody(
        await respond(target, {
          input: [
            {
              role: 'user',
              content: [
                { type: 'input_text', text: 'look at these' },
                { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
                { type: 'input_file', filename: 'a.txt', file_data: Buffer.from('hello').toString('base64') },
              ],
            },
          ],
        }),
      );
      const firstRun = await (await target.fetch(`/v1/runs/${first.id}`)).json();
      expect(firstRun.file_ids).toHaveLength(2);
      const next = await responseBody(
        await respond(target, { previous_response_id: first.id, input: 'and now?' }),
      );
      const nextRun = await (await target.fetch(`/v1/runs/${next.id}`)).json();
      expect(nextRun.file_ids).toEqual(firstRun.file_ids);
      const alone = await responseBody(
        await respond(target, {
          input: [
            { role: 'user', content: 'look at these' },
            { role: 'assistant', content: first.output[0].content[0].text },
            { role: 'user', content: 'and now?' },
          ],
        }),
      );
      // The two attachments still count in the continued conversation (85 tokens each).
      expect(next.usage.input_tokens).toBe(alone.usage.input_tokens + 2 * 85);
    } finally {
      await target.close();
    }
  });
});

describe.each(TARGETS)('a long previous_response_id chain (%s)', (_name, make) => {
  it('holds every earlier turn once: the same prompt as sending the whole conversation', async () => {
    const target = await make();
    try {
      const sent: Array<{ role: string; content: string }> = [];
      let previous: string | null = null;
      let last: Awaited<ReturnType<typeof responseBody>> = null;
      for (let i = 0; i < 6; i++) {
        const text = `message number ${i}`;
        last = await responseBody(
          await respond(target, { input: text, ...(previous ? { previous_response_id: previous } : {}) }),
        );
        sent.push(
          { role: 'user', content: text },
          { role: 'assistant', content: last.output[0].content[0].text },
        );
        previous = last.id;
      }
      sent.pop();
      const whole = await responseBody(await respond(target, { input: sent }));
      expect(last.usage.input_tokens).toBe(whole.usage.input_tokens);
      expect(last.output[0].content[0].text).toBe(whole.output[0].content[0].text);
    } finally {
      await target.close();
    }
  });
});

describe.each(TARGETS)('item_reference (%s)', (_name, make) => {
  it('stands for a stored output item of the same caller', async () => {
    const target = await make();
    try {
      const first = await responseBody(
        await respond(target, { input: 'remember this' }, { 'x-user-id': 'ann' }),
      );
      const message = first.output[0];
      const referenced = await responseBody(
        await respond(
          target,
          {
            input: [
              { type: 'item_reference', id: message.id },
              { role: 'user', content: 'next' },
            ],
          },
          { 'x-user-id': 'ann' },
        ),
      );
      const spelled = await responseBody(
        await respond(target, {
          input: [
            { role: 'assistant', content: message.content[0].text },
            { role: 'user', content: 'next' },
          ],
        }),
      );
      expect(referenced.usage.input_tokens).toBe(spelled.usage.input_tokens);
      const other = await respond(
        target,
        {
          input: [
            { type: 'item_reference', id: message.id },
            { role: 'user', content: 'next' },
          ],
        },
        { 'x-user-id': 'bob' },
      );
      expect(other.status).toBe(400);
      expect((await responseBody(other)).error.param).toBe('input[0].id');
    } finally {
      await target.close();
    }
  });

  it('a referenced function_call can be answered by function_call_output', async () => {
    const target = await make();
    try {
      const first = await responseBody(
        await respond(target, { input: 'What is the weather in Paris?', tools: [weather] }),
      );
      const call = first.output[0];
      const answered = await responseBody(
        await respond(target, {
          tools: [weather],
          input: [
            { role: 'user', content: 'What is the weather in Paris?' },
            { type: 'item_reference', id: call.id },
            { type: 'function_call_output', call_id: call.call_id, output: 'foggy' },
          ],
        }),
      );
      expect(answered.output[0].content[0].text).toContain('foggy');
      // A call replayed after the reference joins it for that request only: the stored item is unchanged.
      const joined = await respond(target, {
        tools: [weather],
        input: [
          { type: 'item_reference', id: call.id },
          { type: 'function_call', call_id: 'call_extra', name: 'get_weather', arguments: '{}' },
          { type: 'function_call_output', call_id: call.call_id, output: 'a' },
          { type: 'function_call_output', call_id: 'call_extra', output: 'b' },
        ],
      });
      expect(joined.status).toBe(200);
      const again = await respond(target, {
        tools: [weather],
        input: [
          { type: 'item_reference', id: call.id },
          { type: 'function_call_output', call_id: 'call_extra', output: 'b' },
        ],
      });
      expect(again.status).toBe(400);
      expect((await responseBody(again)).error.param).toBe('input[1].call_id');
    } finally {
      await target.close();
    }
  });
});

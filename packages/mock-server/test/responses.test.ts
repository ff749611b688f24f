import { ERROR_CODES } from '@threadline/protocol';
import { describe, expect, it } from 'vitest';
import {
  deltaText,
  expectItemsInOrder,
  respond,
  responseBody,
  type StreamEvent,
  streamEvents,
  terminalOf,
} from './support/responses';
import { chat, TARGETS } from './support/target';

describe.each(TARGETS)('POST /v1/responses (%s)', (_name, make) => {
  it('answers a string input with a response resource whose id is the run id', async () => {
    const target = await make();
    try {
      const response = await respond(target, { input: 'Hello there' });
      expect(response.status).toBe(200);
      const body = await responseBody(response);
      expect(body).toMatchObject({
        object: 'response',
        status: 'completed',
        error: null,
        previous_response_id: null,
      });
      expect(body.id).toMatch(/^run_/);
      expect(body.output).toEqual([
        {
          type: 'message',
          id: expect.stringMatching(/^msg_/),
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'You said: Hello there', annotations: [], logprobs: [] }],
        },
      ]);
      expect(body.usage.total_tokens).toBe(body.usage.input_tokens + body.usage.output_tokens);
      expect(body.completed_at).toBeGreaterThanOrEqual(body.created_at);
      const run = await (await target.fetch(`/v1/runs/${body.id}`)).json();
      expect(run).toMatchObject({ id: body.id, status: 'completed', stop_reason: 'end_turn' });
      expect(run.usage.prompt_tokens).toBe(body.usage.input_tokens);
    } finally {
      await target.close();
    }
  });

  it('gives the same reply as chat for the same conversation, usage included', async () => {
    const target = await make();
    try {
      const conversation = [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'What is the capital of France?' },
      ];
      const chatBody = await (await chat(target, { messages: conversation })).json();
      const body = await responseBody(await respond(target, { input: conversation }));
      expect(body.output[0].content[0].text).toBe(chatBody.choices[0].message.content);
      expect(body.usage.input_tokens).toBe(chatBody.usage.prompt_tokens);
      expect(body.usage.output_tokens).toBe(chatBody.usage.completion_tokens);
    } finally {
      await target.close();
    }
  });

  it('appends instructions to the base instructions for this turn only, and echoes them', async () => {
    const target = await make();
    try {
      const body = await responseBody(
        await respond(target, { input: 'hi', instructions: 'Answer in French.' }),
      );
      expect(body.instructions).toBe('Answer in French.');
      const run = await (await target.fetch(`/v1/runs/${body.id}`)).json();
      expect(run.instructions).toMatch(/\n\nAnswer in French\.$/);
    } finally {
      await target.close();
    }
  });

  it('streams named events: sequence from 0, items added before done, deltas concatenate', async () => {
    const target = await make();
    try {
      const response = await respond(target, { input: 'Stream this reply please', stream: true });
      expect(response.status).toBe(200);
      const events = await streamEvents(response);
      expect(events.slice(0, 2).map((e) => e.type)).toEqual(['response.created', 'response.in_progress']);
      expect((events[0]!.response as { status: string; output: unknown[] }).status).toBe('in_progress');
      expectItemsInOrder(events);
      const final = terminalOf(events);
      expect(events[events.length - 1]!.type).toBe('response.completed');
      expect(deltaText(events)).toBe('You said: Stream this reply please');
      expect(final.output[0].content[0].text).toBe(deltaText(events));
      const textDone = events.find((e) => e.type === 'response.output_text.done')!;
      expect(textDone.text).toBe(deltaText(events));
      expect(events.filter((e) => e.type === 'response.output_text.delta').length).toBeGreaterThan(1);
      expect(final.usage.output_tokens).toBeGreaterThan(0);
      const run = await (await target.fetch(`/v1/runs/${final.id}`)).json();
      expect(run.status).toBe('completed');
    } finally {
      await target.close();
    }
  });

  it('sends the same events whether its frames go out one by one (paced) or together', async () => {
    const target = await make();
    // Ids and times differ between two turns; everything else must not.
    const normalised = (events: StreamEvent[]) =>
      JSON.parse(
        JSON.stringify(events)
          .replace(/(run|msg)_[A-Za-z0-9]+/g, '$1_X')
          .replace(/"(created_at|completed_at)":\d+/g, '"$1":0'),
      );
    try {
      const input = 'Stream this reply please, word by word';
      const together = await streamEvents(await respond(target, { input, stream: true }));
      const paced = await streamEvents(
        await respond(target, { input, stream: true }, { 'x-threadline-chunk-delay': '1' }),
      );
      expect(together.filter((e) => e.type === 'response.output_text.delta').length).toBeGreaterThan(4);
      expect(normalised(together)).toEqual(normalised(paced));
    } finally {
      await target.close();
    }
  });

  it('cuts the text at max_output_tokens: status incomplete, also as the terminal event', async () => {
    const target = await make();
    const long =
      'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty';
    try {
      const body = await responseBody(await respond(target, { input: long, max_output_tokens: 16 }));
      expect(body.status).toBe('incomplete');
      expect(body.incomplete_details).toEqual({ reason: 'max_output_tokens' });
      expect(body.output[0].status).toBe('incomplete');
      expect(body.usage.output_tokens).toBe(16);
      const events = await streamEvents(
        await respond(target, { input: long, max_output_tokens: 16, stream: true }),
      );
      expect(events[events.length - 1]!.type).toBe('response.incomplete');
      expect(terminalOf(events).incomplete_details).toEqual({ reason: 'max_output_tokens' });
      expect(deltaText(events)).toBe(body.output[0].content[0].text);
    } finally {
      await target.close();
    }
  });

  it('refuses an unknown model: 404 JSON, or created then failed with model_not_found on a stream', async () => {
    const target = await make();
    try {
      const response = await respond(target, { model: 'no-such-model', input: 'hi' });
      expect(response.status).toBe(404);
      const body = await responseBody(response);
      expect(body.error.code).toBe('model_not_found');
      const events = await streamEvents(
        await respond(target, { model: 'no-such-model', input: 'hi', stream: true }),
      );
      expect(events.map((e) => e.type)).toEqual(['response.created', 'response.failed']);
      const failed = terminalOf(events);
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'model_not_found' } });
      const run = await (await target.fetch(`/v1/runs/${failed.id}`)).json();
      expect(run.status).toBe('failed');
    } finally {
      await target.close();
    }
  });

  it('validates sampling and input with a param', async () => {
    const target = await make();
    try {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ input: 'hi', temperature: 3 }, 'temperature'],
        [{ input: 'hi', top_p: -1 }, 'top_p'],
        [{ input: 'hi', max_output_tokens: 4 }, 'max_output_tokens'],
        [{ input: [{ type: 'function_call_output', output: 'x' }] }, 'input[0].call_id'],
      ];
      for (const [request, param] of cases) {
        const response = await respond(target, request);
        expect(response.status).toBe(400);
        expect((await responseBody(response)).error.param).toBe(param);
      }
    } finally {
      await target.close();
    }
  });

  it('applies tool_choice rules with param tool_choice', async () => {
    const target = await make();
    const tool = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } };
    try {
      for (const request of [
        { input: 'hi', tool_choice: 'required' },
        { input: 'hi', tools: [tool], tool_choice: { type: 'function', name: 'other' } },
      ]) {
        const response = await respond(target, request);
        expect(response.status).toBe(400);
        expect((await responseBody(response)).error).toMatchObject({
          code: ERROR_CODES.invalidToolChoice,
          param: 'tool_choice',
        });
      }
      const none = await responseBody(
        await respond(target, { input: 'weather in Paris?', tools: [tool], tool_choice: 'none' }),
      );
      expect(none.output.map((item: { type: string }) => item.type)).toEqual(['message']);
      const named = await responseBody(
        await respond(target, {
          input: 'hello',
          tools: [tool],
          tool_choice: { type: 'function', name: 'get_weather' },
        }),
      );
      expect(named.output).toEqual([
        expect.objectContaining({ type: 'function_call', name: 'get_weather', status: 'completed' }),
      ]);
      expect(named.tool_choice).toEqual({ type: 'function', name: 'get_weather' });
      expect(named.tools).toEqual([{ ...tool, description: null, strict: null }]);
    } finally {
      await target.close();
    }
  });
});

it('a user message with content parts keeps working when inline bytes are stored', async () => {
  const [, make] = TARGETS[0]!;
  const target = await make();
  try {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const body = await responseBody(
      await respond(target, {
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'what is this' },
              { type: 'input_image', image_url: png },
              {
                type: 'input_file',
                filename: 'notes.txt',
                file_data: Buffer.from('hello').toString('base64'),
              },
            ],
          },
        ],
      }),
    );
    const run = await (await target.fetch(`/v1/runs/${body.id}`)).json();
    expect(run.file_ids).toHaveLength(2);
    expect(body.output[0].content[0].text).toContain('notes.txt');
    const chatTwin = await (
      await chat(target, {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this' },
              { type: 'image_url', image_url: { url: png } },
              {
                type: 'file',
                file: { filename: 'notes.txt', file_data: Buffer.from('hello').toString('base64') },
              },
            ],
          },
        ],
      })
    ).json();
    expect(body.output[0].content[0].text).toBe(chatTwin.choices[0].message.content);
  } finally {
    await target.close();
  }
});

describe.each(TARGETS)('text.format on /v1/responses (%s)', (_name, make) => {
  it('echoes what a client like Codex sends: reasoning, prompt_cache_key, safety_identifier, metadata', async () => {
    const target = await make();
    try {
      const body = await responseBody(
        await respond(target, {
          input: 'hi',
          reasoning: { effort: 'high', summary: 'auto' },
          prompt_cache_key: 'cache-1',
          safety_identifier: 'user-hash',
          metadata: { ticket: 'T-1' },
          store: false,
          include: ['reasoning.encrypted_content'],
        }),
      );
      expect(body).toMatchObject({
        reasoning: { effort: 'high', summary: 'auto' },
        prompt_cache_key: 'cache-1',
        safety_identifier: 'user-hash',
        metadata: { ticket: 'T-1' },
        store: false,
      });
      const plain = await responseBody(await respond(target, { input: 'hi' }));
      expect(plain).toMatchObject({
        reasoning: null,
        prompt_cache_key: null,
        safety_identifier: null,
        metadata: {},
      });
    } finally {
      await target.close();
    }
  });

  it('shapes the text for text.format and echoes the format in the standard response form', async () => {
    const target = await make();
    try {
      const schema = {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer' } },
        required: ['city', 'days'],
        additionalProperties: false,
      };
      const body = await responseBody(
        await respond(target, {
          input: 'plan a trip',
          text: { format: { type: 'json_schema', name: 'trip', schema, strict: true } },
        }),
      );
      const value = JSON.parse(body.output[0].content[0].text);
      expect(typeof value.city).toBe('string');
      expect(Number.isInteger(value.days)).toBe(true);
      expect(body.text.format).toEqual({
        type: 'json_schema',
        name: 'trip',
        description: null,
        schema: null,
        strict: true,
      });
      const object = await responseBody(
        await respond(target, { input: 'hi', text: { format: { type: 'json_object' } } }),
      );
      expect(JSON.parse(object.output[0].content[0].text)).toEqual({ reply: 'You said: hi' });
    } finally {
      await target.close();
    }
  });
});

describe.each(TARGETS)('fixtures on both doors (%s)', (_name, make) => {
  it('a fixture answers either door unless its match names one', async () => {
    const target = await make({
      fixtures: [
        { match: { userText: 'which door', door: 'responses' }, reply: { text: 'the responses door' } },
        { match: { userText: 'which door', door: 'chat' }, reply: { text: 'the chat door' } },
        { match: { userText: 'any door' }, reply: { text: 'scripted for both' } },
      ],
    });
    try {
      const viaResponses = await responseBody(await respond(target, { input: 'which door' }));
      expect(viaResponses.output[0].content[0].text).toBe('the responses door');
      const viaChat = await (
        await chat(target, { messages: [{ role: 'user', content: 'which door' }] })
      ).json();
      expect(viaChat.choices[0].message.content).toBe('the chat door');
      const both = await responseBody(await respond(target, { input: 'any door' }));
      expect(both.output[0].content[0].text).toBe('scripted for both');
      const bothChat = await (
        await chat(target, { messages: [{ role: 'user', content: 'any door' }] })
      ).json();
      expect(bothChat.choices[0].message.content).toBe('scripted for both');
    } finally {
      await target.close();
    }
  });

  it('memory headers work on this door: IC-Thread-Id keeps the history server-side', async () => {
    const target = await make();
    try {
      const thread = { 'ic-thread-id': 'thread-responses-1' };
      const first = await responseBody(await respond(target, { input: 'my name is Ada' }, thread));
      const second = await responseBody(await respond(target, { input: 'what is my name?' }, thread));
      const fresh = await responseBody(await respond(target, { input: 'what is my name?' }));
      expect(second.usage.input_tokens).toBeGreaterThan(fresh.usage.input_tokens);
      expect(second.output[0].content[0].text).toContain('Ada');
      expect(first.id).not.toBe(second.id);
    } finally {
      await target.close();
    }
  });
});

describe.each(TARGETS)('log probabilities on /v1/responses (%s)', (_name, make) => {
  it('includes token log probabilities when include asks, in the part and in each delta', async () => {
    const target = await make();
    try {
      const include = ['message.output_text.logprobs'];
      const body = await responseBody(
        await respond(target, { input: 'two words', include, top_logprobs: 2 }),
      );
      const part = body.output[0].content[0];
      expect(part.logprobs.map((entry: { token: string }) => entry.token).join('')).toBe(part.text);
      expect(part.logprobs[0].top_logprobs).toHaveLength(2);
      const events = await streamEvents(
        await respond(target, { input: 'two words', include, top_logprobs: 2, stream: true }),
      );
      const deltas = events.filter((e) => e.type === 'response.output_text.delta');
      for (const delta of deltas) {
        expect((delta.logprobs as Array<{ token: string }>).map((entry) => entry.token)).toEqual([
          delta.delta,
        ]);
      }
      const plain = await responseBody(await respond(target, { input: 'two words' }));
      expect(plain.output[0].content[0].logprobs).toEqual([]);
    } finally {
      await target.close();
    }
  });
});

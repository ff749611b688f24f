import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUCTIONS } from '../src/index';
import { chat, chunks, streamedText, TARGETS, type Target, userSays } from './support/target';

const reply = async (target: Target, body: Record<string, unknown>) =>
  (await (await chat(target, body)).json()) as {
    choices: Array<{ message: { content: string | null }; finish_reason: string }>;
    usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    id: string;
  };

describe.each(TARGETS)('the deterministic model (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({ models: ['alpha', 'beta'] });
  });
  afterAll(() => target.close());

  it('echoes the last user message', async () => {
    const body = await reply(target, {
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: '  second question?  ' },
      ],
    });
    expect(body.choices[0]!.message.content).toBe('You said: second question?');
  });

  it('joins text parts with a newline', async () => {
    const body = await reply(target, {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'part one' },
            { type: 'text', text: 'part two' },
          ],
        },
      ],
    });
    expect(body.choices[0]!.message.content).toBe('You said: part one\npart two');
  });

  it('cuts a very long echo at 4096 characters', async () => {
    const long = 'x'.repeat(10_000);
    const body = await reply(target, { messages: userSays(long) });
    expect(body.choices[0]!.message.content).toBe(`You said: ${'x'.repeat(4096)}…`);
  });

  it('says Hello. when there is nothing to echo', async () => {
    const body = await reply(target, { messages: [{ role: 'system', content: 'only a system message' }] });
    expect(body.choices[0]!.message.content).toBe('Hello.');
  });

  it('appends system and developer messages to the base instructions (/instructions shows them)', async () => {
    const plain = await reply(target, { messages: userSays('/instructions') });
    expect(plain.choices[0]!.message.content).toBe(DEFAULT_INSTRUCTIONS);
    const withSystem = await reply(target, {
      messages: [
        { role: 'system', content: 'The user is on the billing page.' },
        { role: 'developer', content: [{ type: 'text', text: 'Writes are disabled.' }] },
        { role: 'user', content: '/instructions' },
      ],
    });
    expect(withSystem.choices[0]!.message.content).toBe(
      `${DEFAULT_INSTRUCTIONS}\n\nThe user is on the billing page.\n\nWrites are disabled.`,
    );
    // The run record keeps the same instructions, as a debug field.
    const run = await (await target.fetch(`/v1/runs/${withSystem.id}`)).json();
    expect(run.instructions).toBe(withSystem.choices[0]!.message.content);
  });

  it('answers a tool result by reporting it', async () => {
    const body = await reply(target, {
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"tempC":21}' },
      ],
    });
    expect(body.choices[0]).toMatchObject({
      message: { content: 'get_weather returned {"tempC":21}' },
      finish_reason: 'stop',
    });
  });

  it('counts tokens as documented', async () => {
    // prompt: 3 + (4 + 4 tokens in "Hello, world!") = 11; completion: "You said: Hello, world!" = 7.
    const one = await reply(target, { messages: userSays('Hello, world!') });
    expect(one.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    // + a system message: 4 + 2 tokens ("Be terse").
    const two = await reply(target, {
      messages: [{ role: 'system', content: 'Be terse' }, ...userSays('Hello, world!')],
    });
    expect(two.usage.prompt_tokens).toBe(17);
    // + a tool: 8 + name (1) + description (3) + parameters JSON.
    const tools = [
      {
        type: 'function',
        function: { name: 'lookup', description: 'Find a thing', parameters: { type: 'object' } },
      },
    ];
    const three = await reply(target, { messages: userSays('Hello, world!'), tools });
    expect(three.usage.prompt_tokens).toBe(11 + 8 + 1 + 3 + 9);
  });

  it('uses the default model for "" and for none, and the named one otherwise', async () => {
    const none = await (
      await target.fetch('/v1/chat/completions', {
        method: 'POST',
        body: JSON.stringify({ messages: userSays('x') }),
      })
    ).json();
    expect(none.model).toBe('alpha');
    expect((await (await chat(target, { model: '', messages: userSays('x') })).json()).model).toBe('alpha');
    expect((await (await chat(target, { model: 'beta', messages: userSays('x') })).json()).model).toBe(
      'beta',
    );
  });

  it('answers response_format json_object with a JSON object and json_schema with a fitting value', async () => {
    const obj = await reply(target, { messages: userSays('hi'), response_format: { type: 'json_object' } });
    expect(JSON.parse(obj.choices[0]!.message.content!)).toEqual({ reply: 'You said: hi' });
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        days: { type: 'integer', minimum: 3 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['city', 'days', 'unit', 'tags'],
      additionalProperties: false,
    };
    const fitted = await reply(target, {
      messages: userSays('Forecast for New York in fahrenheit'),
      response_format: { type: 'json_schema', json_schema: { name: 'forecast', schema } },
    });
    expect(JSON.parse(fitted.choices[0]!.message.content!)).toEqual({
      city: 'New York',
      days: 3,
      unit: 'fahrenheit',
      tags: ['text'],
    });
  });

  it('streams the same structured text', async () => {
    const body = { messages: userSays('hi'), response_format: { type: 'json_object' } };
    const json = await reply(target, body);
    const streamed = streamedText(await chunks(await chat(target, { ...body, stream: true })));
    expect(streamed).toBe(json.choices[0]!.message.content);
  });
});

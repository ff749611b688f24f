import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, chunks, errorOf, TARGETS, type Target, userSays } from './support/target';

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      additionalProperties: false,
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
    },
  },
};
const time = {
  type: 'function',
  function: {
    name: 'get_time',
    parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
  },
};
const tools = [weather, time];

type Completion = {
  choices: Array<{
    message: {
      content: string | null;
      tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
    };
    finish_reason: string;
  }>;
};
const completion = async (target: Target, body: Record<string, unknown>) =>
  (await (await chat(target, body)).json()) as Completion;

describe.each(TARGETS)('client tools (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());

  it('auto: calls the tool the user names, with arguments built from its schema', async () => {
    const body = await completion(target, { messages: userSays('weather in Paris?'), tools });
    const choice = body.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls![0]!;
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(call.id).toMatch(/^call_/);
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', unit: 'celsius' });
  });

  it('auto: takes key=value hints from the message for arguments', async () => {
    const body = await completion(target, {
      messages: userSays('get_weather city=Lyon, unit=fahrenheit'),
      tools,
    });
    expect(JSON.parse(body.choices[0]!.message.tool_calls![0]!.function.arguments)).toEqual({
      city: 'Lyon',
      unit: 'fahrenheit',
    });
  });

  it('auto: answers in text when no tool is named', async () => {
    const body = await completion(target, { messages: userSays('tell me a joke'), tools });
    expect(body.choices[0]).toMatchObject({
      message: { content: 'You said: tell me a joke' },
      finish_reason: 'stop',
    });
    expect(body.choices[0]!.message.tool_calls).toBeUndefined();
  });

  it('auto: calls several named tools in parallel, or one with parallel_tool_calls false', async () => {
    const both = await completion(target, { messages: userSays('the weather and the time in Oslo'), tools });
    expect(both.choices[0]!.message.tool_calls!.map((c) => c.function.name)).toEqual([
      'get_weather',
      'get_time',
    ]);
    const ids = both.choices[0]!.message.tool_calls!.map((c) => c.id);
    expect(new Set(ids).size).toBe(2);
    const one = await completion(target, {
      messages: userSays('the weather and the time in Oslo'),
      tools,
      parallel_tool_calls: false,
    });
    expect(one.choices[0]!.message.tool_calls!.map((c) => c.function.name)).toEqual(['get_weather']);
  });

  it('none: never calls, even when the tool is named', async () => {
    const body = await completion(target, {
      messages: userSays('weather in Paris?'),
      tools,
      tool_choice: 'none',
    });
    expect(body.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: 'You said: weather in Paris?' },
    });
  });

  it('required: always calls (the first tool when none is named)', async () => {
    const body = await completion(target, { messages: userSays('hello'), tools, tool_choice: 'required' });
    expect(body.choices[0]!.finish_reason).toBe('tool_calls');
    expect(body.choices[0]!.message.tool_calls![0]!.function.name).toBe('get_weather');
  });

  it('named: always calls that tool', async () => {
    const body = await completion(target, {
      messages: userSays('weather in Paris?'),
      tools,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    expect(body.choices[0]!.message.tool_calls!.map((c) => c.function.name)).toEqual(['get_time']);
    expect(JSON.parse(body.choices[0]!.message.tool_calls![0]!.function.arguments)).toEqual({
      zone: 'Paris',
    });
  });

  it.each([
    ['without tools', { tool_choice: 'auto' }],
    ['with an empty tools array', { tools: [], tool_choice: 'required' }],
    [
      'naming a tool not in tools',
      { tools, tool_choice: { type: 'function', function: { name: 'delete_all' } } },
    ],
  ])('rejects tool_choice %s: 400 invalid_tool_choice', async (_case, extra) => {
    const error = await errorOf(await chat(target, { messages: userSays('weather in Paris?'), ...extra }));
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_tool_choice',
      param: 'tool_choice',
    });
  });

  it('continues the round trip to stop with a text that uses the result', async () => {
    const first = await completion(target, { messages: userSays('weather in Paris?'), tools });
    const call = first.choices[0]!.message.tool_calls![0]!;
    const second = await completion(target, {
      tools,
      messages: [
        ...userSays('weather in Paris?'),
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"tempC":21}' },
      ],
    });
    expect(second.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: 'get_weather returned {"tempC":21}' },
    });
  });

  it('streams tool calls as deltas: index, id, type and name first, then argument fragments', async () => {
    const list = await chunks(
      await chat(target, { messages: userSays('the weather and the time in Oslo'), tools, stream: true }),
    );
    expect(list[0]!.choices[0]!.delta.role).toBe('assistant');
    const deltas = list.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    const byIndex = new Map<number, typeof deltas>();
    for (const d of deltas) byIndex.set(d.index, [...(byIndex.get(d.index) ?? []), d]);
    expect([...byIndex.keys()]).toEqual([0, 1]);
    for (const [, parts] of byIndex) {
      const [opening, ...rest] = parts;
      expect(opening).toMatchObject({
        id: expect.stringMatching(/^call_/),
        type: 'function',
        function: { name: expect.any(String) },
      });
      expect(rest.length).toBeGreaterThan(0);
      for (const fragment of rest) {
        expect(fragment.id).toBeUndefined();
        expect(fragment.function?.name).toBeUndefined();
      }
      const args = parts.map((p) => p.function?.arguments ?? '').join('');
      expect(() => JSON.parse(args)).not.toThrow();
    }
    expect(list.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
    expect(list.filter((c) => c.choices[0]?.finish_reason)).toHaveLength(1);
  });

  it('streams the same calls as the JSON answer', async () => {
    const json = await completion(target, { messages: userSays('weather in Paris?'), tools });
    const list = await chunks(
      await chat(target, { messages: userSays('weather in Paris?'), tools, stream: true }),
    );
    const args = list
      .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
      .map((d) => d.function?.arguments ?? '');
    expect(args.join('')).toBe(json.choices[0]!.message.tool_calls![0]!.function.arguments);
  });
});

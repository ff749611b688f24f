import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, FixtureError, loadConfigFile } from '../src/index';
import {
  chat,
  chunks,
  errorOf,
  frames,
  inProcess,
  postJson,
  streamedText,
  TARGETS,
  type Target,
  userSays,
} from './support/target';

const text = async (response: Response) =>
  (await response.json()).choices[0].message.content as string | null;

describe.each(TARGETS)('fixtures (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({
      fixtures: [
        { id: 'configured', match: { userText: 'from config' }, reply: { text: 'configured reply' } },
      ],
    });
  });
  afterEach(() => target.server.reset());
  afterAll(() => target.close());

  it('answers from config fixtures, and from added ones', async () => {
    expect(await text(await chat(target, { messages: userSays('  from config ') }))).toBe('configured reply');
    target.server.fixtures.add({ match: { userContains: 'banana' }, reply: { text: 'yellow' } });
    expect(await text(await chat(target, { messages: userSays('I like banana bread') }))).toBe('yellow');
  });

  it('matches text exactly, by substring, by regex (plain or /flags/), model, turn and tool result', async () => {
    target.server.fixtures.add([
      { match: { userRegex: '^order #(\\d+)$' }, reply: { text: 'regex' } },
      { match: { userRegex: '/^SHOUT/i' }, reply: { text: 'flags' } },
      { match: { model: 'threadline-large' }, reply: { text: 'large model' } },
      { match: { turn: 1, userContains: 'again' }, reply: { text: 'second turn' } },
      { match: { toolResult: { name: 'lookup', contains: 'found' } }, reply: { text: 'saw the lookup' } },
    ]);
    expect(await text(await chat(target, { messages: userSays('order #42') }))).toBe('regex');
    expect(await text(await chat(target, { messages: userSays('shout it') }))).toBe('flags');
    expect(await text(await chat(target, { model: 'threadline-large', messages: userSays('hey') }))).toBe(
      'large model',
    );
    expect(await text(await chat(target, { messages: userSays('again') }))).toBe('You said: again');
    const twoTurns = [...userSays('hi'), { role: 'assistant', content: 'hello' }, ...userSays('again')];
    expect(await text(await chat(target, { messages: twoTurns }))).toBe('second turn');
    const withResult = [
      ...userSays('look it up'),
      {
        role: 'assistant',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'found 3 rows' },
    ];
    expect(await text(await chat(target, { messages: withResult }))).toBe('saw the lookup');
  });

  it('lets the first matching fixture win and consumes limited ones', async () => {
    target.server.fixtures.add([
      { match: { userContains: 'pick' }, reply: { text: 'first' }, times: 2 },
      { match: { userContains: 'pick' }, reply: { text: 'second' } },
    ]);
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(await text(await chat(target, { messages: userSays('pick one') })));
    expect(answers).toEqual(['first', 'first', 'second']);
  });

  it('does not answer a tool result with a fixture that does not ask for one (no tool loops)', async () => {
    target.server.fixtures.add({
      match: { userText: 'run it' },
      reply: { toolCalls: [{ name: 'runner', arguments: { job: 'x' } }] },
    });
    const first = await (await chat(target, { messages: userSays('run it') })).json();
    const call = first.choices[0].message.tool_calls[0];
    expect(call.function).toEqual({ name: 'runner', arguments: '{"job":"x"}' });
    const after = await chat(target, {
      messages: [
        ...userSays('run it'),
        { role: 'assistant', tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'done' },
      ],
    });
    expect(await text(after)).toBe('runner returned done');
  });

  it('scripts tool calls with string arguments verbatim, streamed too', async () => {
    target.server.fixtures.add({
      match: { userText: 'raw' },
      reply: { text: 'Calling.', toolCalls: [{ name: 'raw_tool', arguments: '{"a": 1}' }] },
    });
    const json = await (await chat(target, { messages: userSays('raw') })).json();
    expect(json.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: 'Calling.',
        tool_calls: [{ function: { name: 'raw_tool', arguments: '{"a": 1}' } }],
      },
    });
    const list = await chunks(await chat(target, { messages: userSays('raw'), stream: true }));
    expect(streamedText(list)).toBe('Calling.');
    const args = list
      .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
      .map((d) => d.function?.arguments ?? '');
    expect(args.join('')).toBe('{"a": 1}');
  });

  it('scripts an error before the stream: status, body and headers', async () => {
    target.server.fixtures.add({
      match: { userText: 'fail' },
      reply: { error: { status: 503, headers: { 'retry-after': '7' } } },
    });
    const json = await chat(target, { messages: userSays('fail') });
    expect(await errorOf(json)).toMatchObject({ status: 503, type: 'server_error', code: 'server_error' });
    const streamed = await chat(target, { messages: userSays('fail'), stream: true });
    expect(streamed.status).toBe(503);
    expect(streamed.headers.get('retry-after')).toBe('7');
    target.server.fixtures.add({
      match: { userText: 'custom' },
      reply: { error: { status: 418, body: { oops: true } } },
    });
    const custom = await chat(target, { messages: userSays('custom') });
    expect(custom.status).toBe(418);
    expect(await custom.json()).toEqual({ oops: true });
  });

  it('scripts a mid-stream error: N chunks, then an error frame and [DONE]', async () => {
    target.server.fixtures.add({
      match: { userText: 'break' },
      reply: { text: 'one two three four', error: { status: 500, afterChunks: 2 } },
    });
    const response = await chat(target, { messages: userSays('break'), stream: true });
    expect(response.status).toBe(200);
    const all = await frames(response);
    const data = all.map((f) => f.data);
    expect(data.at(-1)).toBe('[DONE]');
    const error = JSON.parse(data.at(-2)!);
    expect(error.error).toMatchObject({ type: 'server_error', code: 'server_error' });
    const textChunks = data.slice(0, -2).map((d) => JSON.parse(d).choices[0].delta.content);
    expect(textChunks).toEqual(['one', ' two']);
    const run = await (await target.fetch(`/v1/runs/${response.headers.get('x-threadline-run-id')}`)).json();
    expect(run.status).toBe('failed');
  });

  it('is managed through the control route: add, list, delete', async () => {
    const added = await postJson(target, '/__threadline/fixtures', {
      fixtures: [{ id: 'ctl', match: { userText: 'control' }, reply: { text: 'via control route' } }],
    });
    expect(added.status).toBe(201);
    expect(await text(await chat(target, { messages: userSays('control') }))).toBe('via control route');
    const listed = await (await target.fetch('/__threadline/fixtures')).json();
    expect(listed.fixtures.map((f: { id: string }) => f.id)).toEqual(['configured', 'ctl']);
    const removed = await target.fetch('/__threadline/fixtures?id=ctl', { method: 'DELETE' });
    expect(await removed.json()).toEqual({ removed: 1 });
    expect(await text(await chat(target, { messages: userSays('control') }))).toBe('You said: control');
    const bad = await postJson(target, '/__threadline/fixtures', { match: {}, reply: {} });
    expect(await errorOf(bad)).toMatchObject({ status: 400, code: 'invalid_fixture' });
    await target.fetch('/__threadline/fixtures', { method: 'DELETE' });
    expect(await text(await chat(target, { messages: userSays('from config') }))).toBe(
      'You said: from config',
    );
  });

  it('comes back to the configured fixtures on reset', async () => {
    target.server.fixtures.clear();
    expect(target.server.fixtures.list()).toEqual([]);
    target.server.reset();
    expect(target.server.fixtures.list().map((f) => f.id)).toEqual(['configured']);
  });
});

describe('fixture validation and config files', () => {
  it('rejects an invalid fixture with a FixtureError and adds nothing', () => {
    const server = createMockServer();
    expect(() =>
      server.fixtures.add([
        { match: { userText: 'ok' }, reply: { text: 'fine' } },
        { match: { userRegex: '(' }, reply: { text: 'broken regex' } },
      ]),
    ).toThrow(FixtureError);
    expect(server.fixtures.list()).toEqual([]);
    expect(() => createMockServer({ fixtures: [{ match: {}, reply: {} }] })).toThrow(/a reply needs text/);
  });

  const dir = mkdtemp(join(tmpdir(), 'threadline-fixtures-'));

  it.each([
    [
      'YAML',
      'config.yaml',
      'models: [m1]\nfixtures:\n  - match: { userRegex: "^yaml" }\n    reply: { text: from yaml }\n',
    ],
    [
      'JSON',
      'config.json',
      JSON.stringify({
        models: ['m1'],
        fixtures: [{ match: { userRegex: '^json' }, reply: { text: 'from json' } }],
      }),
    ],
  ])('loads fixtures from a %s config file', async (kind, file, content) => {
    const path = join(await dir, file);
    await writeFile(path, content);
    const target = await inProcess(await loadConfigFile(path));
    const word = kind.toLowerCase();
    expect(await text(await chat(target, { messages: userSays(`${word} please`) }))).toBe(`from ${word}`);
    expect((await (await chat(target, { messages: userSays('x') })).json()).model).toBe('m1');
  });

  it('explains a config file that does not parse', async () => {
    const path = join(await dir, 'broken.yaml');
    await writeFile(path, 'fixtures: [unclosed');
    await expect(loadConfigFile(path)).rejects.toThrow(/does not parse/);
    await expect(loadConfigFile(join(await dir, 'missing.json'))).rejects.toThrow(/cannot read/);
  });
});

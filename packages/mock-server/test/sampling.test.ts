import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, chunks, errorOf, streamedText, TARGETS, type Target, userSays } from './support/target';

const LONG = 'one two three four five six seven eight nine ten';

describe.each(TARGETS)('sampling parameters (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({ fixtures: [{ match: { userText: 'count' }, reply: { text: LONG } }] });
  });
  afterAll(() => target.close());

  it('accepts every sampling parameter in range', async () => {
    const response = await chat(target, {
      messages: userSays('hello'),
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 100,
      max_completion_tokens: 100,
      frequency_penalty: -1.5,
      presence_penalty: 2,
      stop: ['zzz'],
      seed: 42,
      n: 1,
      user: 'someone',
      some_future_field: { anything: true },
    });
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toBe('You said: hello');
  });

  it.each([
    ['temperature', 2.5, 'invalid_value'],
    ['temperature', -0.1, 'invalid_value'],
    ['temperature', 'hot', 'invalid_type'],
    ['top_p', 1.5, 'invalid_value'],
    ['max_tokens', 0, 'invalid_value'],
    ['max_tokens', 1.5, 'invalid_type'],
    ['max_completion_tokens', -3, 'invalid_value'],
    ['frequency_penalty', 3, 'invalid_value'],
    ['presence_penalty', -2.5, 'invalid_value'],
    ['stop', ['a', 'b', 'c', 'd', 'e'], 'invalid_value'],
    ['stop', 7, 'invalid_value'],
    ['seed', 1.25, 'invalid_type'],
    ['n', 2, 'unsupported_value'],
    ['n', 0, 'invalid_value'],
    ['n', 1.5, 'invalid_type'],
    ['n', '1', 'invalid_type'],
    ['stream', 'yes', 'invalid_type'],
    ['top_logprobs', 21, 'invalid_value'],
  ])('rejects %s = %j with 400 naming the param', async (param, value, code) => {
    const response = await chat(target, { messages: userSays('hello'), [param]: value });
    const error = await errorOf(response);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param, code });
    expect(error.message).toContain(param);
  });

  it('names nested params the OpenAI way', async () => {
    const bad = await errorOf(await chat(target, { messages: [{ role: 'robot', content: 'x' }] }));
    expect(bad).toMatchObject({ status: 400, param: 'messages[0].role', code: 'invalid_value' });
    const missing = await errorOf(
      await chat(target, { messages: [{ role: 'user', content: 'a' }, { role: 'user' }] }),
    );
    expect(missing).toMatchObject({
      status: 400,
      param: 'messages[1].content',
      code: 'missing_required_parameter',
    });
    const none = await errorOf(await target.fetch('/v1/chat/completions', { method: 'POST', body: '{}' }));
    expect(none).toMatchObject({ status: 400, param: 'messages', code: 'missing_required_parameter' });
    const empty = await errorOf(await chat(target, { messages: [] }));
    expect(empty).toMatchObject({ status: 400, param: 'messages', code: 'invalid_value' });
    const notObject = await errorOf(
      await target.fetch('/v1/chat/completions', { method: 'POST', body: '[1]' }),
    );
    expect(notObject).toMatchObject({ status: 400, param: null, code: 'invalid_type' });
  });

  it('truncates at max_tokens with finish_reason length, streamed and not', async () => {
    const json = await (await chat(target, { messages: userSays('count'), max_tokens: 3 })).json();
    expect(json.choices[0]).toMatchObject({ message: { content: 'one two three' }, finish_reason: 'length' });
    expect(json.usage.completion_tokens).toBe(3);
    expect(json.stop_reason).toBe('max_tokens');
    const list = await chunks(
      await chat(target, { messages: userSays('count'), max_completion_tokens: 3, stream: true }),
    );
    expect(streamedText(list)).toBe('one two three');
    expect(list.at(-1)!.choices[0]!.finish_reason).toBe('length');
  });

  it('uses the smaller of max_tokens and max_completion_tokens', async () => {
    const json = await (
      await chat(target, { messages: userSays('count'), max_tokens: 5, max_completion_tokens: 2 })
    ).json();
    expect(json.choices[0].message.content).toBe('one two');
  });

  it('leaves a reply shorter than max_tokens alone', async () => {
    const json = await (await chat(target, { messages: userSays('count'), max_tokens: 10 })).json();
    expect(json.choices[0]).toMatchObject({ message: { content: LONG }, finish_reason: 'stop' });
  });

  it('honours stop sequences: the text ends before the earliest one', async () => {
    const json = await (await chat(target, { messages: userSays('count'), stop: ['six', ' four'] })).json();
    expect(json.choices[0]).toMatchObject({ message: { content: 'one two three' }, finish_reason: 'stop' });
    expect(json.stop_reason).toBe('stop_sequence');
    expect(json.usage.completion_tokens).toBe(3);
    const single = await (
      await chat(target, { messages: userSays('count'), stop: 'five', stream: false })
    ).json();
    expect(single.choices[0].message.content).toBe('one two three four ');
    const list = await chunks(
      await chat(target, { messages: userSays('count'), stop: 'five', stream: true }),
    );
    expect(streamedText(list)).toBe('one two three four ');
  });
});

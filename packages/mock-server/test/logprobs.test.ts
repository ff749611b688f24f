import { chatCompletionSchema } from '@threadline/protocol/schemas';
import OpenAI, { BadRequestError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, splitTokens, start } from '../src/index';
import { MAX_LOGPROB_TOKENS } from '../src/model/logprobs';

type Entry = OpenAI.Chat.Completions.ChatCompletionTokenLogprob;

const utf8 = (token: string) => Array.from(new TextEncoder().encode(token));

/** What every logprobs entry must satisfy, whatever the text. */
function expectWellFormed(entries: Entry[], top: number) {
  for (const entry of entries) {
    expect(entry.logprob).toBeLessThan(0);
    expect(entry.bytes).toEqual(utf8(entry.token));
    expect(entry.top_logprobs).toHaveLength(top);
    if (top === 0) continue;
    // The chosen token comes first and is the most likely; the alternatives are distinct and less likely.
    expect(entry.top_logprobs[0]).toEqual({ token: entry.token, logprob: entry.logprob, bytes: entry.bytes });
    const probabilities = entry.top_logprobs.map((alt) => Math.exp(alt.logprob));
    for (let i = 1; i < probabilities.length; i++)
      expect(probabilities[i]!).toBeLessThan(probabilities[i - 1]!);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeLessThan(1);
    expect(new Set(entry.top_logprobs.map((alt) => alt.token)).size).toBe(top);
    for (const alt of entry.top_logprobs) expect(alt.bytes).toEqual(utf8(alt.token));
  }
}

describe('logprobs through the official openai SDK', () => {
  let running: RunningServer;
  let client: OpenAI;
  beforeAll(async () => {
    running = await start({ port: 0 });
    client = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
  });
  afterAll(() => running.close());

  const prompt = 'Hello there, naïve café 🎉!';

  it('JSON: one entry per token, concatenating to the content, with top_logprobs alternatives', async () => {
    const completion = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: prompt }],
      logprobs: true,
      top_logprobs: 5,
    });
    const choice = completion.choices[0]!;
    const content = choice.message.content!;
    const entries = choice.logprobs!.content!;
    expect(choice.logprobs!.refusal).toBeNull();
    expect(entries.map((e) => e.token)).toEqual(splitTokens(content));
    expect(entries.map((e) => e.token).join('')).toBe(content);
    expect(entries).toHaveLength(completion.usage!.completion_tokens);
    expectWellFormed(entries, 5);
  });

  it('is deterministic: the same request gets the same values', async () => {
    const ask = () =>
      client.chat.completions.create({
        model: '',
        messages: [{ role: 'user', content: prompt }],
        logprobs: true,
        top_logprobs: 20,
      });
    const [a, b] = await Promise.all([ask(), ask()]);
    expect(a.choices[0]!.logprobs).toEqual(b.choices[0]!.logprobs);
    expectWellFormed(a.choices[0]!.logprobs!.content!, 20);
  });

  it('without top_logprobs, entries have no alternatives', async () => {
    const completion = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'hi' }],
      logprobs: true,
    });
    const entries = completion.choices[0]!.logprobs!.content!;
    expect(entries.length).toBeGreaterThan(0);
    expectWellFormed(entries, 0);
  });

  it('stays null when logprobs is not asked for (false or absent)', async () => {
    for (const logprobs of [false, undefined]) {
      const completion = await client.chat.completions.create({
        model: '',
        messages: [{ role: 'user', content: 'hi' }],
        ...(logprobs === undefined ? {} : { logprobs }),
      });
      expect(completion.choices[0]!.logprobs).toBeNull();
    }
  });

  it('stream: each text chunk carries the entries of its delta, matching the JSON answer', async () => {
    const request = {
      model: '',
      messages: [{ role: 'user' as const, content: prompt }],
      logprobs: true,
      top_logprobs: 3,
    };
    const json = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({ ...request, stream: true });
    let text = '';
    const entries: Entry[] = [];
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      const delta = choice.delta.content ?? '';
      text += delta;
      if (choice.finish_reason !== null) {
        expect(choice.logprobs ?? null).toBeNull();
        continue;
      }
      const got = choice.logprobs!.content!;
      expect(got.map((e) => e.token).join('')).toBe(delta);
      entries.push(...got);
    }
    expect(text).toBe(json.choices[0]!.message.content);
    expect(entries).toEqual(json.choices[0]!.logprobs!.content);
    expectWellFormed(entries, 3);
  });

  it('a tool-call turn has logprobs with content null', async () => {
    const completion = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'call it' }],
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      tool_choice: 'required',
      logprobs: true,
    });
    expect(completion.choices[0]!.message.tool_calls).toHaveLength(1);
    expect(completion.choices[0]!.logprobs).toEqual({ content: null, refusal: null });
  });

  it('refuses top_logprobs without logprobs: true (400 naming top_logprobs)', async () => {
    for (const logprobs of [false, undefined]) {
      const error = await client.chat.completions
        .create({
          model: '',
          messages: [{ role: 'user', content: 'hi' }],
          top_logprobs: 2,
          ...(logprobs === undefined ? {} : { logprobs }),
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).param).toBe('top_logprobs');
      expect((error as BadRequestError).code).toBe('invalid_value');
    }
  });

  it('answers match the protocol schema', async () => {
    const response = await fetch(`${running.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: '',
        messages: [{ role: 'user', content: prompt }],
        logprobs: true,
        top_logprobs: 2,
      }),
    });
    const parsed = chatCompletionSchema.parse(await response.json());
    expect(parsed.choices[0]!.logprobs?.content?.length).toBeGreaterThan(0);
  });

  it(`covers at most MAX_LOGPROB_TOKENS (${MAX_LOGPROB_TOKENS}) tokens of a long reply`, async () => {
    // Many attachments make a long reply (the echo itself is cut at 4096 characters).
    const parts = Array.from({ length: 1500 }, (_, i) => ({
      type: 'image_url' as const,
      image_url: { url: `https://example.com/${i}.png` },
    }));
    const completion = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: parts }],
      logprobs: true,
      top_logprobs: 1,
    });
    const content = completion.choices[0]!.message.content!;
    const entries = completion.choices[0]!.logprobs!.content!;
    expect(splitTokens(content).length).toBeGreaterThan(MAX_LOGPROB_TOKENS);
    expect(entries).toHaveLength(MAX_LOGPROB_TOKENS);
    expect(content.startsWith(entries.map((e) => e.token).join(''))).toBe(true);
  });
});

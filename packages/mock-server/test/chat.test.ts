import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletionChunkSchema, chatCompletionSchema } from '@threadline/protocol/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, createNodeListener } from '../src/index';
import {
  chat,
  chunks,
  frames,
  inProcess,
  streamedText,
  TARGETS,
  type Target,
  userSays,
} from './support/target';

describe.each(TARGETS)('POST /v1/chat/completions (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());

  it('answers JSON with every field of a chat.completion', async () => {
    const response = await chat(target, { messages: userSays('Hello, world!') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = await response.json();
    chatCompletionSchema.parse(body);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'threadline-mini',
      system_fingerprint: 'fp_threadline',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'You said: Hello, world!', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 11,
        completion_tokens: 7,
        total_tokens: 18,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      stop_reason: 'end_turn',
    });
    expect(body.id).toMatch(/^run_[A-Za-z0-9]+$/);
    expect(response.headers.get('x-threadline-run-id')).toBe(body.id);
    expect(Math.abs(body.created - Date.now() / 1000)).toBeLessThan(60);
  });

  it('streams SSE: one id, role in the first delta, one finish chunk, usage chunk, [DONE] last', async () => {
    const response = await chat(target, {
      stream: true,
      stream_options: { include_usage: true },
      messages: userSays('Hello, world!'),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const all = await frames(response);
    expect(all.at(-1)!.data).toBe('[DONE]');
    expect(all.filter((f) => f.data === '[DONE]')).toHaveLength(1);
    const list = all.slice(0, -1).map((f) => chatCompletionChunkSchema.parse(JSON.parse(f.data)));
    expect(new Set(list.map((c) => c.id))).toEqual(new Set([response.headers.get('x-threadline-run-id')]));
    expect(list.every((c) => c.object === 'chat.completion.chunk' && c.model === 'threadline-mini')).toBe(
      true,
    );
    expect(list[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(list.slice(1).some((c) => c.choices[0]?.delta.role)).toBe(false);
    const finishes = list.filter((c) => c.choices[0]?.finish_reason);
    expect(finishes.map((c) => c.choices[0]!.finish_reason)).toEqual(['stop']);
    const usage = list.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(streamedText(list)).toBe('You said: Hello, world!');
  });

  it('sends no usage chunk unless stream_options.include_usage asks for it', async () => {
    const list = await chunks(await chat(target, { stream: true, messages: userSays('hi') }));
    expect(list.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
  });

  it('gives the same text streamed or not, for the same request', async () => {
    const messages = [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'What is 2 + 2? Answer with a number, "quoted" & escaped \\ ✓.' },
    ];
    const first = await (await chat(target, { messages })).json();
    const second = await (await chat(target, { messages })).json();
    const streamed = streamedText(await chunks(await chat(target, { messages, stream: true })));
    expect(second.choices[0].message.content).toBe(first.choices[0].message.content);
    expect(streamed).toBe(first.choices[0].message.content);
  });

  it('gives every turn its own run id', async () => {
    const a = await chat(target, { messages: userSays('one') });
    const b = await chat(target, { messages: userSays('one') });
    expect(a.headers.get('x-threadline-run-id')).not.toBe(b.headers.get('x-threadline-run-id'));
  });

  it('sends each SSE frame whole, one frame per write', async () => {
    const response = await chat(
      target,
      {
        stream: true,
        messages: userSays('several words make several frames'),
      },
      { 'x-threadline-chunk-delay': '5' },
    );
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const reads: string[] = [];
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      reads.push(decoder.decode(value));
    }
    // Paced frames cannot share a network read, so each read is exactly one whole frame.
    expect(reads.length).toBeGreaterThan(5);
    for (const read of reads) expect(read).toMatch(/^data: [^\n]+\n\n$/);
  });
});

/** Whole SSE frames only: each an optional event line, one data line and the blank line. */
const WHOLE_FRAMES = /^((event: [a-z]+\n)?data: [^\n]+\n\n)+$/;
const frameCount = (text: string) => text.split('\n\n').length - 1;

const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
/**
 * Streams of every kind of frame. In-process, a streamed turn hands the reader one frame per read; over a
 * port the frames of one tick share a write (whole frames only). An unknown model's answer (an error
 * frame and [DONE], known before anything is sent) goes out as one body.
 */
const STREAMS: Array<[string, Record<string, unknown>, Record<string, string>, 'one each' | 'one body']> = [
  [
    'text with usage',
    { stream_options: { include_usage: true }, messages: userSays('a b c') },
    {},
    'one each',
  ],
  ['tool call deltas', { tools: [weatherTool], messages: userSays('weather in Paris') }, {}, 'one each'],
  [
    'progress events',
    { messages: userSays('a b c') },
    { 'x-spiceai-completion-progress': 'enabled' },
    'one each',
  ],
  ['mid-stream error frame', { messages: userSays('break') }, {}, 'one each'],
  ['unknown model error frame', { model: 'gpt-9', messages: userSays('x') }, {}, 'one body'],
];
const FIXTURES = [
  { match: { userText: 'break' }, reply: { text: 'a b c', error: { status: 500, afterChunks: 1 } } },
];

function expectWholeFrames(pieces: string[], mode: 'one each' | 'one body') {
  for (const piece of pieces) expect(piece).toMatch(WHOLE_FRAMES);
  if (mode === 'one each') {
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces) expect(frameCount(piece)).toBe(1);
  } else {
    expect(pieces).toHaveLength(1);
  }
}

describe('SSE frames are written whole, unpaced (the hot path) and paced', () => {
  let http: Server;
  let url: string;
  const writes: string[] = [];
  beforeAll(async () => {
    const listener = createNodeListener(createMockServer({ fixtures: FIXTURES }));
    // Every piece of body the adapter hands node (write, or end with data) is recorded.
    http = createServer((req, res) => {
      const record = (chunk: unknown) => {
        if (chunk instanceof Uint8Array || typeof chunk === 'string')
          writes.push(Buffer.from(chunk).toString());
      };
      const write = res.write.bind(res) as (chunk: unknown) => boolean;
      const end = res.end.bind(res) as (chunk?: unknown) => typeof res;
      res.write = ((chunk: unknown) => {
        record(chunk);
        return write(chunk);
      }) as typeof res.write;
      res.end = ((chunk?: unknown) => {
        record(chunk);
        return end(chunk);
      }) as typeof res.end;
      listener(req, res);
    });
    await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => http.close(() => done())));

  it.each(STREAMS)('over a port: %s', async (_case, body, headers, mode) => {
    writes.length = 0;
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: '', stream: true, ...body }),
    });
    const text = await response.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(writes.join('')).toBe(text);
    // Unpaced, the frames of one tick are joined: fewer writes than frames, each of whole frames.
    for (const piece of writes) expect(piece).toMatch(WHOLE_FRAMES);
    if (mode === 'one each') expect(writes.length).toBeLessThan(frameCount(text));
    else expect(writes).toHaveLength(1);
  });

  it.each(STREAMS.filter((entry) => entry[3] === 'one each'))(
    'over a port, paced: %s goes out one frame per write',
    async (_case, body, headers) => {
      writes.length = 0;
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...headers, 'x-threadline-chunk-delay': '1' },
        body: JSON.stringify({ model: '', stream: true, ...body }),
      });
      const text = await response.text();
      expect(writes.join('')).toBe(text);
      expectWholeFrames(writes, 'one each');
    },
  );

  it.each(STREAMS)(
    'over a port: %s carries the same frames joined as paced',
    async (_case, body, headers) => {
      const send = async (extra: Record<string, string>) => {
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...headers, ...extra },
          body: JSON.stringify({ model: '', stream: true, ...body }),
        });
        // Ids and times differ between two turns; nothing else may.
        return (await response.text())
          .replace(/(run|call)_[A-Za-z0-9]+/g, '$1_X')
          .replace(/"created":\d+/g, '"created":0')
          .split('\n\n');
      };
      expect(await send({})).toEqual(await send({ 'x-threadline-chunk-delay': '1' }));
    },
  );

  it.each(STREAMS)('in-process: %s', async (_case, body, headers, mode) => {
    const target = await inProcess({ fixtures: FIXTURES });
    const response = await chat(target, { stream: true, ...body }, headers);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const reads: string[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      reads.push(decoder.decode(next.value));
    }
    expect(reads.at(-1)!.endsWith('data: [DONE]\n\n')).toBe(true);
    expectWholeFrames(reads, mode);
    await target.close();
  });
});

import { readFileSync } from 'node:fs';
import type { LanguageModelV4CallOptions } from '@ai-sdk/provider';
import { convertReadableStreamToArray } from '@ai-sdk/provider-utils/test';
import { describe, expect, it } from 'vitest';
import { createThreadline } from '../src/index';

// Recorded from the reference server (chat-usage has cached and reasoning token counts filled in, which
// the deterministic model always reports as 0). Each line is one `data:` frame, `[DONE]` included.
const fixture = (name: string) =>
  readFileSync(new URL(`./__fixtures__/chat-${name}.chunks.txt`, import.meta.url), 'utf8')
    .trim()
    .split('\n');

/** A fetch that answers with the fixture as an event stream, and keeps the request it was given. */
function replay(name: string, lines = fixture(name)) {
  const requests: { url: string; headers: Record<string, string>; body: unknown }[] = [];
  const fetch = async (url: RequestInfo | URL, init?: RequestInit) => {
    requests.push({
      url: String(url),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: JSON.parse(String(init?.body)),
    });
    const body = lines.map((data) => `data: ${data}\n\n`).join('');
    return new Response(body, {
      headers: { 'content-type': 'text/event-stream', 'x-threadline-run-id': 'run_fixture' },
    });
  };
  const model = createThreadline({ baseURL: 'http://threadline.test', fetch }).chat('');
  return { model, requests };
}

const call = (overrides: Partial<LanguageModelV4CallOptions> = {}): LanguageModelV4CallOptions => ({
  prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  ...overrides,
});

async function parts(name: string, overrides?: Partial<LanguageModelV4CallOptions>) {
  const { model } = replay(name);
  const { stream } = await model.doStream(call(overrides));
  return convertReadableStreamToArray(stream);
}

describe('doStream on recorded chat streams', () => {
  it('text', async () => {
    expect(await parts('text')).toMatchSnapshot();
  });

  it('client tool call: tool-input-start/delta/end, then tool-call', async () => {
    expect(await parts('tool-call')).toMatchSnapshot();
  });

  it('approval pause: provider-executed dynamic tool-call, then tool-approval-request with the approval id', async () => {
    const result = await parts('approval-pause');
    expect(result).toMatchSnapshot();
    const request = result.find((p) => p.type === 'tool-approval-request');
    const toolCall = result.find((p) => p.type === 'tool-call');
    expect(request).toEqual({
      type: 'tool-approval-request',
      approvalId: expect.stringMatching(/::/),
      toolCallId: expect.stringMatching(/::/),
    });
    expect(toolCall).toMatchObject({
      providerExecuted: true,
      dynamic: true,
      toolCallId: (request as { approvalId: string }).approvalId,
    });
  });

  it('error frame: an error part with the server code, then finish error', async () => {
    expect(await parts('error-frame')).toMatchSnapshot();
  });

  it('usage chunk: cached and reasoning tokens mapped', async () => {
    const finish = (await parts('usage')).at(-1);
    expect(finish).toMatchSnapshot();
  });

  it('missing [DONE]: finish interrupted with the raw finish reason kept', async () => {
    const finish = (await parts('missing-done')).at(-1);
    expect(finish).toMatchObject({ type: 'finish', finishReason: { unified: 'interrupted', raw: 'stop' } });
  });

  it('raw chunks when asked, one per frame before [DONE]', async () => {
    const result = await parts('text', { includeRawChunks: true });
    expect(result.filter((p) => p.type === 'raw')).toHaveLength(fixture('text').length - 1);
  });

  it('request: body as sent, Idempotency-Key the same for the same call, different for another', async () => {
    const { model, requests } = replay('text');
    const first = await model.doStream(call({ temperature: 0.5, maxOutputTokens: 20, stopSequences: ['x'] }));
    await model.doStream(call({ temperature: 0.5, maxOutputTokens: 20, stopSequences: ['x'] }));
    await model.doStream(call({ temperature: 0.6, maxOutputTokens: 20, stopSequences: ['x'] }));
    expect(first.request?.body).toEqual(requests[0]?.body);
    expect(requests[0]?.body).toMatchObject({
      model: '',
      stream: true,
      temperature: 0.5,
      max_tokens: 20,
      stop: ['x'],
      stream_options: { include_usage: true },
    });
    expect(requests[0]?.url).toBe('http://threadline.test/v1/chat/completions');
    const keys = requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('settings the server cannot honour are unsupported warnings; json schema goes out as response_format', async () => {
    const { model, requests } = replay('text');
    const schema = { type: 'object', properties: { a: { type: 'string' } } } as const;
    const result = await model.doStream(
      call({ topK: 3, reasoning: 'high', responseFormat: { type: 'json', schema, name: 'thing' } }),
    );
    const [start] = await convertReadableStreamToArray(result.stream);
    expect(start).toEqual({
      type: 'stream-start',
      warnings: [
        { type: 'unsupported', feature: 'topK' },
        { type: 'unsupported', feature: 'reasoning', details: expect.any(String) },
      ],
    });
    expect(requests[0]?.body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'thing', schema, strict: true } },
    });
  });

  it('bounds what a server can make the provider hold: tool call count and argument size', async () => {
    const chunk = (tool_calls: unknown[]) =>
      JSON.stringify({ id: 'run_x', choices: [{ index: 0, delta: { tool_calls }, finish_reason: null }] });
    const open = { index: 0, id: 'c1', function: { name: 'f', arguments: '' } };
    const huge = 'x'.repeat(1024 * 1024);
    const tooLong = [
      chunk([open]),
      ...Array.from({ length: 5 }, () => chunk([{ index: 0, function: { arguments: huge } }])),
      '[DONE]',
    ];
    const tooMany = [chunk([{ ...open, index: 500 }]), '[DONE]'];
    for (const lines of [tooLong, tooMany]) {
      const { model } = replay('text', lines);
      const result = await convertReadableStreamToArray((await model.doStream(call())).stream);
      expect(result.filter((p) => p.type === 'error')).toHaveLength(1);
      expect(result.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'error' } });
      expect(result.some((p) => p.type === 'tool-call')).toBe(false);
    }
  });
});

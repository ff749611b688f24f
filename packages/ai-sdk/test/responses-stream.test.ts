import type { LanguageModelV4Prompt, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { convertReadableStreamToArray } from '@ai-sdk/provider-utils/test';
import { describe, expect, it } from 'vitest';
import { fixtureBody, replayFetch, responsesModel } from './support/responses';

// doStream on streams recorded from the reference server's /v1/responses (test/__fixtures__).
const prompt: LanguageModelV4Prompt = [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }];

async function streamOf(name: string, options: { includeRawChunks?: boolean } = {}) {
  const { fetch, sent } = replayFetch(fixtureBody(name));
  const result = await responsesModel(fetch).doStream({ prompt, ...options });
  return { parts: await convertReadableStreamToArray(result.stream), result, sent };
}

const ofType = <T extends LanguageModelV4StreamPart['type']>(parts: LanguageModelV4StreamPart[], type: T) =>
  parts.filter((part): part is Extract<LanguageModelV4StreamPart, { type: T }> => part.type === type);

describe('responses doStream on recorded streams', () => {
  it('text: metadata, one text block whose deltas are the answer, usage, stop', async () => {
    const { parts, result, sent } = await streamOf('text');
    expect(parts).toMatchSnapshot();
    expect(
      ofType(parts, 'text-delta')
        .map((p) => p.delta)
        .join(''),
    ).not.toBe('');
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: { unified: 'stop', raw: 'completed' },
      providerMetadata: { threadline: { runId: 'run_fixture', responseId: expect.stringMatching(/^run_/) } },
    });
    expect(sent[0]!.body).toMatchObject({ model: '', stream: true });
    expect(result.request?.body).toEqual(sent[0]!.body);
    expect(result.response?.headers?.['x-threadline-run-id']).toBe('run_fixture');
  });

  it('function call: tool-input-start/delta/end then tool-call, finish tool-calls', async () => {
    const { parts } = await streamOf('function-call');
    expect(parts).toMatchSnapshot();
    const [call] = ofType(parts, 'tool-call');
    expect(call).toMatchObject({ toolName: 'get_weather', input: '{"city":"Paris"}' });
    expect(call!.providerExecuted).toBeUndefined();
    expect(
      ofType(parts, 'tool-input-delta')
        .map((p) => p.delta)
        .join(''),
    ).toBe(call!.input);
    expect(parts.at(-1)).toMatchObject({ finishReason: { unified: 'tool-calls' } });
  });

  it('server tool: a provider-executed dynamic call as soon as the item is added, its result when done', async () => {
    const { parts } = await streamOf('mcp-call');
    expect(parts).toMatchSnapshot();
    const call = ofType(parts, 'tool-call')[0]!;
    const result = ofType(parts, 'tool-result')[0]!;
    expect(call).toMatchObject({ toolName: 'lookup_order', providerExecuted: true, dynamic: true });
    expect(result).toMatchObject({
      toolCallId: call.toolCallId,
      result: { order_id: 'A-1001', status: 'shipped' },
    });
    expect(result.isError).toBeUndefined();
    // Running before it is done: the call precedes the result, with the answer text after both.
    const types = parts.map((p) => p.type);
    expect(types.indexOf('tool-call')).toBeLessThan(types.indexOf('tool-result'));
    expect(types.indexOf('tool-result')).toBeLessThan(types.indexOf('text-start'));
    expect(parts.at(-1)).toMatchObject({ finishReason: { unified: 'stop' } });
  });

  it('a failed server tool is an error result on its call', async () => {
    const { parts } = await streamOf('mcp-call-failed');
    const result = ofType(parts, 'tool-result')[0]!;
    expect(result).toMatchObject({ isError: true, dynamic: true });
    expect(result.result).toContain('the order service is unavailable for BROKEN-1');
  });

  it('approval pause: provider-executed call + approval request, the approval id as both ids', async () => {
    const { parts } = await streamOf('approval-request');
    expect(parts).toMatchSnapshot();
    const call = ofType(parts, 'tool-call')[0]!;
    const request = ofType(parts, 'tool-approval-request')[0]!;
    expect(call).toMatchObject({ toolName: 'delete_draft', providerExecuted: true, dynamic: true });
    expect(call.toolCallId).toMatch(/^run_\w+::call_\w+$/);
    expect(request).toEqual({
      type: 'tool-approval-request',
      approvalId: call.toolCallId,
      toolCallId: call.toolCallId,
    });
    expect(parts.at(-1)).toMatchObject({ finishReason: { unified: 'tool-calls' } });
  });

  it('the call an approval let run: only its result when the prompt holds the pause, call and result when not', async () => {
    const chunks = fixtureBody('approved');
    const approval = /"approval_request_id":"(run_\w+::call_\w+)"/.exec(chunks)![1]!;
    const withPause: LanguageModelV4Prompt = [
      ...prompt,
      {
        role: 'assistant',
        content: [
          {
            type: 'tool-call',
            toolCallId: approval,
            toolName: 'delete_draft',
            input: {},
            providerExecuted: true,
          },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-approval-response', approvalId: approval, approved: true }] },
    ];
    const run = async (p: LanguageModelV4Prompt) => {
      const result = await responsesModel(replayFetch(chunks).fetch).doStream({ prompt: p });
      return (await convertReadableStreamToArray(result.stream)).filter((part) =>
        part.type.startsWith('tool-'),
      );
    };
    expect(await run(withPause)).toEqual([
      expect.objectContaining({
        type: 'tool-result',
        toolCallId: approval,
        result: { deleted: true, draft_id: 'Q3-plan' },
      }),
    ]);
    expect(
      (await run(prompt)).map((part) => [part.type, (part as { toolCallId: string }).toolCallId]),
    ).toEqual([
      ['tool-call', approval],
      ['tool-result', approval],
    ]);
  });

  it('response.failed: an error part with the server code and status, finish error', async () => {
    const { parts } = await streamOf('response-failed');
    expect(parts).toMatchSnapshot();
    const [error] = ofType(parts, 'error');
    expect(error!.error).toMatchObject({ code: 'model_not_found', statusCode: 404, isRetryable: false });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'error' } });
  });

  it('error event mid-stream: one error part (the failed event after it adds none), finish error', async () => {
    const { parts } = await streamOf('error-event');
    expect(parts).toMatchSnapshot();
    const errors = ofType(parts, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error).toMatchObject({ code: 'server_error', statusCode: 500, isRetryable: true });
    expect(ofType(parts, 'text-delta')).toHaveLength(2);
    expect(parts.at(-1)).toMatchObject({ finishReason: { unified: 'error' } });
  });

  it('no terminal event: the text so far, closed, and finish interrupted (no error)', async () => {
    const { parts } = await streamOf('missing-terminal');
    expect(parts).toMatchSnapshot();
    expect(ofType(parts, 'error')).toEqual([]);
    expect(ofType(parts, 'text-end')).toHaveLength(1);
    expect(parts.at(-1)).toMatchObject({ finishReason: { unified: 'interrupted', raw: undefined } });
  });

  it('raw chunks when asked: one raw part per event, before its parts', async () => {
    const { parts } = await streamOf('text', { includeRawChunks: true });
    const raw = ofType(parts, 'raw');
    const events = fixtureBody('text').match(/^data: /gm)!.length;
    expect(raw).toHaveLength(events);
    expect(raw[0]!.rawValue).toMatchObject({ type: 'response.created' });
    expect(parts[1]).toMatchObject({ type: 'raw' });
  });
});

import { readFileSync } from 'node:fs';
import { APICallError, type LanguageModelV4Prompt } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { replayFetch, responsesModel } from './support/responses';

// doGenerate on response resources recorded from the reference server (test/__fixtures__/*.json).
const prompt: LanguageModelV4Prompt = [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }];
const resource = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`./__fixtures__/responses-${name}.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

async function generated(body: Record<string, unknown>) {
  const { fetch, sent } = replayFetch(JSON.stringify(body), {
    headers: { 'content-type': 'application/json' },
  });
  return { result: await responsesModel(fetch).doGenerate({ prompt }), sent };
}

describe('responses doGenerate on recorded resources', () => {
  it('a server tool: its call and result, then the text; metadata, usage and the raw body', async () => {
    const body = resource('mcp-call');
    const { result, sent } = await generated(body);
    expect(result.content.map((part) => part.type)).toEqual(['tool-call', 'tool-result', 'text']);
    expect(result.content[1]).toMatchObject({
      toolName: 'lookup_order',
      result: { order_id: 'A-1001', status: 'shipped' },
      dynamic: true,
    });
    expect(result.finishReason).toEqual({ unified: 'stop', raw: 'completed' });
    expect(result.providerMetadata).toEqual({ threadline: { runId: 'run_fixture', responseId: body.id } });
    expect(result.response).toMatchObject({
      id: body.id,
      modelId: body.model,
      timestamp: new Date((body.created_at as number) * 1000),
      body,
    });
    expect(result.usage.inputTokens.total).toBe((body.usage as { input_tokens: number }).input_tokens);
    expect(result.request?.body).toEqual(sent[0]!.body);
    expect(sent[0]!.body.stream).toBeUndefined();
  });

  it('a pause: a provider-executed dynamic call and the approval request on the approval id', async () => {
    const body = resource('approval-request');
    const { result } = await generated(body);
    const id = (body.output as Array<{ id: string }>)[0]!.id;
    expect(result.content).toEqual([
      expect.objectContaining({
        type: 'tool-call',
        toolCallId: id,
        toolName: 'delete_draft',
        providerExecuted: true,
        dynamic: true,
      }),
      { type: 'tool-approval-request', approvalId: id, toolCallId: id },
    ]);
    expect(result.finishReason.unified).toBe('tool-calls');
  });

  it('the call an approval let run: call and result on the approval id (generateText pairs them)', async () => {
    const body = resource('approved');
    const approval = (body.output as Array<{ approval_request_id: string }>)[0]!.approval_request_id;
    const { result } = await generated(body);
    expect(result.content.slice(0, 2)).toEqual([
      expect.objectContaining({ type: 'tool-call', toolCallId: approval, providerExecuted: true }),
      expect.objectContaining({
        type: 'tool-result',
        toolCallId: approval,
        result: { deleted: true, draft_id: 'Q3-plan' },
      }),
    ]);
    expect(result.finishReason.unified).toBe('stop');
  });

  it('incomplete at the token limit: finish length', async () => {
    const { result } = await generated(resource('incomplete'));
    expect(result.finishReason).toEqual({ unified: 'length', raw: 'max_output_tokens' });
  });

  it('a 200 whose resource says failed is an APICallError with the server code', async () => {
    const failed = {
      ...resource('mcp-call'),
      status: 'failed',
      output: [],
      error: { code: 'server_error', message: 'it broke' },
    };
    const error = await generated(failed).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      message: 'it broke',
      statusCode: 500,
      isRetryable: false,
      data: { code: 'server_error' },
    });
  });
});

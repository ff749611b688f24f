import { APICallError, InvalidPromptError } from '@ai-sdk/provider';
import { generateText, jsonSchema, type ModelMessage, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { approve, reject } from '../src/index';
import { responsesBodies } from './support/responses';
import { useServer } from './support/server';

// generateText and streamText on `.responses(...)` against the real reference server.
const ref = useServer();
const bodies = () => responsesBodies(ref.journal());
const DELETE = 'Please delete the draft Q3-plan.';
const responseIdOf = (result: { providerMetadata?: Record<string, Record<string, unknown>> | undefined }) =>
  String(result.providerMetadata?.threadline?.responseId);

const weather = tool({
  description: 'Current weather in a city',
  inputSchema: jsonSchema<{ city: string }>({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

describe('responses model on the reference server', () => {
  it('generateText: text, response metadata, the response and run id in providerMetadata', async () => {
    const result = await generateText({
      model: ref.provider().responses(''),
      prompt: 'Say hello in three words.',
    });
    expect(result.text).not.toBe('');
    const meta = result.providerMetadata?.threadline as { responseId: string; runId: string };
    expect(meta.responseId).toMatch(/^run_/);
    expect(meta.runId).toBe(meta.responseId);
    expect(result.response.id).toBe(meta.responseId);
    expect(result.response.modelId).not.toBe('');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    const [body] = bodies();
    expect(body).toMatchObject({ model: '', input: [{ role: 'user', content: [{ type: 'input_text' }] }] });
    expect(body!.stream).toBeUndefined();
    expect(ref.journal()[0]!.headers['idempotency-key']).toMatch(/^tl-ai-[0-9a-f]{64}$/);
  });

  it.each(['generateText', 'streamText'] as const)(
    '%s: a client tool loop through function_call_output',
    async (kind) => {
      const options = {
        model: ref.provider().responses(''),
        prompt: 'What is the weather in Paris?',
        tools: { get_weather: weather },
        stopWhen: stepCountIs(3),
      };
      const run = kind === 'generateText' ? await generateText(options) : streamText(options);
      const steps = await run.steps;
      expect(steps).toHaveLength(2);
      expect(steps[0]!.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { city: 'Paris' } });
      expect(await run.text).toContain('21');
      const [, second] = bodies();
      const callId = steps[0]!.toolCalls[0]!.toolCallId;
      expect(second!.input.slice(1)).toEqual([
        { type: 'function_call', call_id: callId, name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: callId, output: '{"city":"Paris","celsius":21}' },
      ]);
    },
  );

  it('a server tool that needs no approval: a provider-executed call and its result, then the answer', async () => {
    const result = streamText({
      model: ref.provider().responses(''),
      prompt: 'Please look up order A-1001.',
    });
    const parts: string[] = [];
    for await (const part of result.fullStream) {
      if (part.type === 'tool-call' || part.type === 'tool-result' || part.type === 'text-start')
        parts.push(part.type);
    }
    expect(parts).toEqual(['tool-call', 'tool-result', 'text-start']);
    const [call] = await result.toolCalls;
    const [output] = await result.toolResults;
    expect(call).toMatchObject({ toolName: 'lookup_order', providerExecuted: true, dynamic: true });
    expect(output).toMatchObject({
      toolCallId: call!.toolCallId,
      output: { order_id: 'A-1001', status: 'shipped' },
    });
    expect(await result.text).toContain('lookup_order returned');
    expect(ref.server.tools.executions).toHaveLength(1);
  });

  it('a failing server tool: an error result on its call, and the answer says it failed', async () => {
    const result = await generateText({
      model: ref.provider().responses(''),
      prompt: 'Please look up order BROKEN-1.',
    });
    const error = result.content.find((part) => part.type === 'tool-error');
    expect(error).toMatchObject({ toolName: 'lookup_order', providerExecuted: true });
    expect(String((error as { error: unknown }).error)).toContain('unavailable for BROKEN-1');
    expect(result.text).toContain('lookup_order failed');
  });

  async function paused(kind: 'generateText' | 'streamText') {
    const options = { model: ref.provider().responses(''), prompt: DELETE };
    const first = kind === 'generateText' ? await generateText(options) : streamText(options);
    const request = (await first.content).find((part) => part.type === 'tool-approval-request');
    if (!request) throw new Error('no approval request');
    expect(await first.finishReason).toBe('tool-calls');
    const messages: ModelMessage[] = [{ role: 'user', content: DELETE }, ...(await first.response).messages];
    return { approvalId: request.approvalId, request, messages };
  }

  it.each(['generateText', 'streamText'] as const)(
    '%s: approve runs the server tool; its result lands on the pause id',
    async (kind) => {
      const { approvalId, request, messages } = await paused(kind);
      expect(request.toolCall).toMatchObject({
        toolCallId: approvalId,
        toolName: 'delete_draft',
        providerExecuted: true,
        dynamic: true,
      });
      const next = [...messages, { role: 'tool' as const, content: [approve(approvalId, 'go ahead')] }];
      const options = { model: ref.provider().responses(''), messages: next };
      const done = kind === 'generateText' ? await generateText(options) : streamText(options);
      const results = await done.toolResults;
      expect(results).toEqual([
        expect.objectContaining({
          toolCallId: approvalId,
          toolName: 'delete_draft',
          output: { deleted: true, draft_id: 'Q3-plan' },
        }),
      ]);
      expect(await done.text).toContain('delete_draft returned');
      expect(bodies().at(-1)!.input.at(-1)).toEqual({
        type: 'mcp_approval_response',
        approval_request_id: approvalId,
        approve: true,
        reason: 'go ahead',
      });
      expect(ref.server.tools.executions).toHaveLength(1);
      expect((await ref.run(approvalId.split('::')[0]!)).status).toBe('completed');
    },
  );

  it.each(['generateText', 'streamText'] as const)(
    '%s: reject runs nothing; the wire carries one decision per pause',
    async (kind) => {
      const { approvalId, messages } = await paused(kind);
      const next = [...messages, { role: 'tool' as const, content: [reject(approvalId, 'keep it')] }];
      const options = { model: ref.provider().responses(''), messages: next };
      const done = kind === 'generateText' ? await generateText(options) : streamText(options);
      expect(await done.text).toContain('was not run');
      const input = bodies().at(-1)!.input;
      expect(input.filter((item) => item.type === 'mcp_approval_response')).toEqual([
        { type: 'mcp_approval_response', approval_request_id: approvalId, approve: false, reason: 'keep it' },
      ]);
      expect(input.filter((item) => item.type === 'function_call_output')).toEqual([]);
      expect(ref.server.tools.executions).toHaveLength(0);
      const run = await ref.run(approvalId.split('::')[0]!);
      expect(run.status).toBe('approval_rejected');
      expect(run.tool_calls[0]?.status).toBe('rejected');
    },
  );

  it('a hand-made decision without providerExecuted (dropped by the SDK) is an InvalidPromptError, nothing sent', async () => {
    const { approvalId, messages } = await paused('generateText');
    const before = bodies().length;
    const error = await generateText({
      model: ref.provider().responses(''),
      messages: [
        ...messages,
        { role: 'tool', content: [{ type: 'tool-approval-response', approvalId, approved: true }] },
      ],
    }).catch((e: unknown) => e);
    expect(InvalidPromptError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toContain('providerExecuted: true');
    expect(bodies()).toHaveLength(before);
    expect(ref.server.tools.executions).toHaveLength(0);
  });

  it('previous_response_id: a later call continues an earlier response, sending only its new turn', async () => {
    const model = ref.provider().responses('');
    const first = await generateText({ model, prompt: 'My name is Ada.' });
    const responseId = responseIdOf(first);
    const second = await generateText({
      model,
      messages: [
        { role: 'user', content: 'My name is Ada.' },
        ...first.response.messages,
        { role: 'user', content: 'And tomorrow?' },
      ],
      providerOptions: { threadline: { previousResponseId: responseId } },
    });
    expect(second.text).toBe('You said: And tomorrow?');
    const sent = bodies().at(-1)!;
    expect(sent.previous_response_id).toBe(responseId);
    expect(sent.input).toEqual([{ role: 'user', content: [{ type: 'input_text', text: 'And tomorrow?' }] }]);
    expect(second.warnings).toContainEqual(expect.objectContaining({ feature: 'conversation history' }));
    // The server put the earlier conversation before the new input: more input than the turn alone.
    const alone = await generateText({ model, prompt: 'And tomorrow?' });
    expect(second.usage.inputTokens).toBeGreaterThan(alone.usage.inputTokens!);
  });

  it('an unknown previous_response_id is a 404 APICallError naming the code', async () => {
    const error = await generateText({
      model: ref.provider().responses(''),
      prompt: 'x',
      maxRetries: 0,
      providerOptions: { threadline: { previousResponseId: 'run_never' } },
    }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      statusCode: 404,
      isRetryable: false,
      data: { code: 'previous_response_not_found' },
    });
  });

  it('previous_response_id through a tool loop: each step continues the response before it', async () => {
    const model = ref.provider().responses('');
    const first = await generateText({ model, prompt: 'My city is Paris.' });
    const responseId = responseIdOf(first);
    const result = await generateText({
      model,
      prompt: 'What is the weather in Paris?',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
      providerOptions: { threadline: { previousResponseId: responseId } },
    });
    expect(result.steps).toHaveLength(2);
    const [, stepOne, stepTwo] = bodies();
    expect(stepOne!.previous_response_id).toBe(responseId);
    const stepOneId = responseIdOf(result.steps[0]!);
    expect(stepTwo!.previous_response_id).toBe(stepOneId);
    expect(stepTwo!.input.map((item) => item.type)).toEqual(['function_call_output']);
    expect(result.text).toContain('21');
  });

  it('approvals on a thread: only the decision travels, with no previous_response_id', async () => {
    const model = ref.provider({ threadId: 'ops-1' }).responses('');
    const first = await generateText({ model, prompt: DELETE });
    const request = first.content.find((part) => part.type === 'tool-approval-request')!;
    const done = await generateText({
      model,
      messages: [
        { role: 'user', content: DELETE },
        ...first.response.messages,
        { role: 'tool', content: [approve(request.approvalId)] },
      ],
    });
    expect(done.toolResults[0]).toMatchObject({ toolCallId: request.approvalId });
    const sent = bodies().at(-1)!;
    expect(sent.previous_response_id).toBeUndefined();
    expect(sent.input).toEqual([
      { type: 'mcp_approval_response', approval_request_id: request.approvalId, approve: true },
    ]);
    expect(ref.journal().at(-1)!.headers['ic-thread-id']).toBe('ops-1');
  });

  it('unsupported settings are warnings; structured output goes as text.format', async () => {
    const result = await generateText({
      model: ref.provider().responses(''),
      prompt: 'Say hello.',
      topK: 3,
      seed: 1,
      stopSequences: ['x'],
      maxOutputTokens: 64,
      temperature: 0.5,
    });
    expect((result.warnings ?? []).map((w) => (w as { feature: string }).feature)).toEqual([
      'topK',
      'seed',
      'stopSequences',
    ]);
    expect(bodies()[0]).toMatchObject({ max_output_tokens: 64, temperature: 0.5 });
    expect(bodies()[0]).not.toHaveProperty('seed');
  });
});

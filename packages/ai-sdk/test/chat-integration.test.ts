import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { approvalMessage, approve, reject } from '../src/index';
import { useServer } from './support/server';

const ref = useServer();

describe('chat door with generateText and streamText', () => {
  it('generateText returns the reply, usage, finish reason and the run id', async () => {
    const model = ref.provider().chat('');
    const result = await generateText({ model, prompt: 'hello there' });
    expect(result.text).toBe('You said: hello there');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBe(result.usage.totalTokens! - result.usage.inputTokens!);
    const runId = (result.providerMetadata as { threadline: { runId: string } }).threadline.runId;
    expect(runId).toMatch(/^run_/);
    expect(result.response.id).toBe(runId);
    expect(result.response.modelId).toBe('threadline-mini');
    expect((await ref.run(runId)).status).toBe('completed');
  });

  it('streamText streams text deltas that add up to the reply', async () => {
    const result = streamText({ model: ref.provider()(''), prompt: 'stream me' });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('You said: stream me');
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
    const metadata = (await result.providerMetadata) as { threadline: { runId: string; stopReason: string } };
    expect(metadata.threadline).toEqual({ runId: expect.stringMatching(/^run_/), stopReason: 'end_turn' });
    expect((await ref.run(metadata.threadline.runId)).status).toBe('completed');
  });

  it('runs a client tool loop: tool call, local execution, tool result, final answer', async () => {
    const calls: unknown[] = [];
    const result = await generateText({
      model: ref.provider().chat(''),
      prompt: 'What is the weather in Paris?',
      tools: {
        get_weather: tool({
          description: 'Weather for a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
          execute: async (input) => {
            calls.push(input);
            return { city: input.city, forecast: 'sunny' };
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    expect(calls).toHaveLength(1);
    expect(result.steps[0]?.finishReason).toBe('tool-calls');
    expect(result.steps).toHaveLength(2);
    expect(result.finishReason).toBe('stop');
    const messages = ref.chatBodies()[1]!.messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });
});

describe('approvals on the chat door', () => {
  const pause = async () => {
    const model = ref.provider().chat('');
    const first = await generateText({ model, prompt: 'Please delete the draft Q3-plan.' });
    const request = first.content.find((p) => p.type === 'tool-approval-request');
    if (request?.type !== 'tool-approval-request') throw new Error('no approval request');
    return { model, first, request };
  };

  it('pauses: a provider-executed dynamic tool call and an approval request with the approval id as both ids', async () => {
    const { first, request } = await pause();
    expect(request.approvalId).toMatch(/^run_[A-Za-z0-9_-]+::[A-Za-z0-9_-]+$/);
    expect(request.toolCall.toolCallId).toBe(request.approvalId);
    expect(request.toolCall.providerExecuted).toBe(true);
    expect(request.toolCall.dynamic).toBe(true);
    expect(request.toolCall.toolName).toBe('delete_draft');
    expect(request.toolCall.input).toEqual({ draft_id: 'Q3-plan' });
    expect(first.finishReason).toBe('tool-calls');
    const runId = request.approvalId.split('::')[0]!;
    expect((await ref.run(runId)).status).toBe('awaiting_approval');
  });

  it('approve: the server runs the tool; its result arrives as a provider-executed tool-result on the same id', async () => {
    const { model, first, request } = await pause();
    const second = await generateText({
      model,
      messages: [
        { role: 'user', content: 'Please delete the draft Q3-plan.' },
        ...first.response.messages,
        approvalMessage(approve(request.approvalId)),
      ],
    });
    const result = second.content.find((p) => p.type === 'tool-result');
    expect(result).toMatchObject({
      type: 'tool-result',
      toolCallId: request.approvalId,
      toolName: 'delete_draft',
      providerExecuted: true,
      output: { deleted: true, draft_id: 'Q3-plan' },
    });
    expect(second.text).toContain('delete_draft returned');
    const tools = ref
      .chatBodies()
      .at(-1)!
      .messages.filter((m) => m.role === 'tool');
    expect(tools).toEqual([{ role: 'tool', tool_call_id: request.approvalId, content: 'approve' }]);
    const run = await ref.run(request.approvalId.split('::')[0]!);
    expect(run.tool_calls[0]?.status).toBe('executed');
  });

  it("reject through generateText's own reject path sends one reject and nothing runs", async () => {
    const { model, first, request } = await pause();
    const second = await generateText({
      model,
      messages: [
        { role: 'user', content: 'Please delete the draft Q3-plan.' },
        ...first.response.messages,
        approvalMessage(reject(request.approvalId, 'not now')),
      ],
    });
    // No server result: nothing ran. The SDK's own denial stays on its side of the wire.
    expect(second.content.filter((p) => p.type === 'tool-result')).toEqual([]);
    const tools = ref
      .chatBodies()
      .at(-1)!
      .messages.filter((m) => m.role === 'tool');
    expect(tools).toEqual([{ role: 'tool', tool_call_id: request.approvalId, content: 'reject' }]);
    const run = await ref.run(request.approvalId.split('::')[0]!);
    expect(run.status).toBe('approval_rejected');
    expect(run.tool_calls[0]?.status).toBe('rejected');
  });
});

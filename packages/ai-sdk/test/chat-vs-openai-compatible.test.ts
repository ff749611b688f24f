import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, stepCountIs } from 'ai';
import { describe, expect, it } from 'vitest';
import { useServer } from './support/server';

const ref = useServer();
const PROMPT = 'Please delete the draft Q3-plan.';

// The README's side-by-side: the same approval turn through the generic provider and through ours.
describe('the same approval turn: @ai-sdk/openai-compatible vs @threadline/ai-sdk', () => {
  it('openai-compatible sees a client tool call it does not know: NoSuchToolError, no approval request', async () => {
    const generic = createOpenAICompatible({ name: 'generic', baseURL: `${ref.url}/v1` });
    const result = await generateText({ model: generic.chatModel(''), prompt: PROMPT });
    const failed = result.content.find((p) => p.type === 'tool-error');
    expect(failed).toMatchObject({ type: 'tool-error', toolName: 'delete_draft' });
    expect(String((failed as { error: unknown }).error)).toContain('NoSuchToolError');
    expect(result.content.some((p) => p.type === 'tool-approval-request')).toBe(false);
  });

  it('openai-compatible with a second step sends the error text back as the decision; the server refuses it', async () => {
    const generic = createOpenAICompatible({ name: 'generic', baseURL: `${ref.url}/v1` });
    const error = await generateText({
      model: generic.chatModel(''),
      prompt: PROMPT,
      stopWhen: stepCountIs(2),
    }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(400);
    const tool = ref.chatBodies()[1]?.messages.find((m) => m.role === 'tool');
    expect(String(tool?.content)).toContain('NoSuchToolError');
  });

  it('@threadline/ai-sdk pauses: an approval request the SDK and useChat understand', async () => {
    const result = await generateText({
      model: ref.provider().chat(''),
      prompt: PROMPT,
      stopWhen: stepCountIs(2),
    });
    const request = result.content.find((p) => p.type === 'tool-approval-request');
    expect(request).toMatchObject({
      type: 'tool-approval-request',
      toolCall: { toolName: 'delete_draft', providerExecuted: true },
    });
    expect(result.steps).toHaveLength(1);
    expect(result.content.some((p) => p.type === 'tool-error')).toBe(false);
    expect(ref.chatBodies()).toHaveLength(1);
  });
});
